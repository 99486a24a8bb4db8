"""Write everything of a corpus to one archive file, with a progress bar on the terminal.

    manage.py corpus_export_archive op-eds-2026 op-eds-2026.zip

Restore it with ``corpus_import_archive``; docs/architecture.md describes the format.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from archives.format import ArchiveError
from archives.management.progress import ProgressBar
from archives.selectors import corpus_archive_export
from corpora.models import Corpus


class Command(BaseCommand):
    help = "Back up a corpus (settings, labels, articles, sentences, history, gold) to a file."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The corpus's slug.")
        parser.add_argument("file", help="The archive to write (a .zip file).")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace the file if it exists."
        )

    def handle(self, *args, slug, file, overwrite, verbosity, **options):
        corpus = Corpus.objects.filter(slug=slug).first()
        if corpus is None:
            raise CommandError(f"No corpus with the slug {slug!r}.")
        if os.path.exists(file) and not overwrite:
            raise CommandError(f"{file} exists; name another file or pass --overwrite.")
        folder = os.path.dirname(os.path.abspath(file))
        if not os.path.isdir(folder):
            raise CommandError(f"{folder}: no such folder.")
        bar = ProgressBar(self.stderr, enabled=verbosity > 0 and self.stderr.isatty())
        try:
            written = corpus_archive_export(corpus=corpus, path=file, progress=bar)
        except (ArchiveError, OSError) as exc:
            raise CommandError(str(exc)) from None
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in written.counts.items())
        self.stdout.write(
            f"Exported corpus {slug!r} to {file} ({written.size:,} bytes): {counts}; "
            f"{written.users:,} users named."
        )
