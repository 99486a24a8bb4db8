"""The archive commands draw a progress bar on a terminal's standard error and end with a
summary line; they stay quiet with -v 0 or when standard error is not a terminal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from archives.format import MEMBERS
from archives.management.progress import progress_line


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_line_shows_rows_a_bar_and_the_share_done():
    line = progress_line("articles", 1200, 5000)
    assert line.startswith("articles ")
    assert "1,200/5,000" in line
    assert "[=======                       ]  24%" in line
    assert progress_line("sentences", 0, 0).endswith("[==============================] 100%")


@pytest.fixture
def archive_path(corpus, article, tmp_path):
    path = str(tmp_path / "corpus.zip")
    call_command("corpus_export_archive", corpus.slug, path, stdout=io.StringIO())
    return path


def test_on_a_terminal_both_commands_draw_a_bar_per_member(corpus, article, tmp_path):
    path = str(tmp_path / "corpus.zip")
    sentences = article.sentences.count()

    for command, args in [
        ("corpus_export_archive", [corpus.slug, path]),
        ("corpus_import_archive", [path, "--slug", "copy"]),
    ]:
        err, out = Terminal(), io.StringIO()
        call_command(command, *args, stdout=out, stderr=err)
        drawn = err.getvalue()
        for member in MEMBERS:
            assert f"\r{member.name} " in drawn, (command, member.name)
        finished = [line.lstrip("\r") for line in drawn.split("\n") if line]
        assert len(finished) == len(MEMBERS)
        sentence_line = next(line for line in finished if line.startswith("sentences "))
        assert f"{sentences}/{sentences}" in sentence_line and sentence_line.endswith("100%")
        assert "\x1b[" not in drawn  # plain text, not painted as an error
        assert out.getvalue().count("\n") == 1
        assert f"{sentences} sentences" in out.getvalue()


def test_with_verbosity_zero_or_no_terminal_there_is_no_bar(archive_path):
    quiet, piped = Terminal(), io.StringIO()
    call_command(
        "corpus_import_archive",
        archive_path,
        "--slug",
        "a",
        verbosity=0,
        stderr=quiet,
        stdout=io.StringIO(),
    )
    call_command(
        "corpus_import_archive", archive_path, "--slug", "b", stderr=piped, stdout=io.StringIO()
    )
    assert quiet.getvalue() == "" and piped.getvalue() == ""
