""".docx decompression bombs: refused from the zip directory, before anything is inflated.

A valid .docx whose document.xml inflates to 200 MB is refused by the upload
request with a 400 naming the part, its size and the limit; an archive whose
directory understates a part gets past the request and is refused by the
worker, which inflates parts in small chunks, with its memory staying far
below the inflated size.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Article
from imports.extraction import extract_document
from imports.models import ImportJob
from imports.services import import_file_create

pytestmark = pytest.mark.django_db

MB = 1_000_000


def _docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Bomb"
    document.add_paragraph("A harmless first paragraph.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _with_document_xml(base: bytes, *, inflated: int, extra_parts: int = 0) -> bytes:
    """``base`` with a paragraph of ``inflated`` bytes of one letter in document.xml.

    Written in 1 MB steps (ZIP_DEFLATED), so the test never holds the payload.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml":
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            at = data.index(b"<w:body>") + len(b"<w:body>")
            with target.open("word/document.xml", "w") as part:
                part.write(data[:at] + b"<w:p><w:r><w:t>")
                step = b"A" * MB
                for _ in range(inflated // MB):
                    part.write(step)
                part.write(b"</w:t></w:r></w:p>" + data[at:])
        for n in range(extra_parts):
            target.writestr(f"customXml/extra{n}.xml", b"<x/>")
    return out.getvalue()


def _understate(data: bytes, member: str, size: int) -> bytes:
    """The archive with ``member``'s inflated size in the central directory set to ``size``."""
    archive = bytearray(data)
    end = archive.rfind(b"PK\x05\x06")
    at = struct.unpack_from("<I", archive, end + 16)[0]  # where the directory starts
    while archive[at : at + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", archive, at + 28)
        if archive[at + 46 : at + 46 + name_len] == member.encode():
            struct.pack_into("<I", archive, at + 24, size)
        at += 46 + name_len + extra_len + comment_len
    return bytes(archive)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid .docx whose document.xml inflates to 200 MB (the issue's case)."""
    return _with_document_xml(_docx(), inflated=200 * MB)


def test_the_bomb_is_a_valid_docx_that_inflates_to_200_mb(bomb):
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        part = archive.getinfo("word/document.xml")
    assert part.file_size > 200 * MB and len(bomb) < 1 * MB


def test_a_docx_bomb_is_refused_by_the_upload_request_naming_part_and_limit(
    client_for, owner, corpus, bomb
):
    upload = SimpleUploadedFile("bomb.docx", bomb)
    response = client_for(owner).post(
        f"/api/corpora/{corpus.slug}/imports/", {"kind": "file", "file": upload}
    )
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["error"]["fields"]["file"])
    assert "bomb.docx" in message and "word/document.xml" in message
    assert "would inflate to 200 MB; the limit is 50 MB per part" in message
    assert not ImportJob.objects.exists()


def test_the_import_form_shows_the_same_refusal(client, owner, corpus, bomb):
    client.force_login(owner)
    response = client.post(
        f"/corpora/{corpus.slug}/import/",
        {"kind": "file", "file": SimpleUploadedFile("bomb.docx", bomb)},
    )
    assert response.status_code == 400  # the form again, with its error
    assert "would inflate to 200 MB; the limit is 50 MB per part" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_part_compressed_past_the_ratio_limit_is_refused(corpus, owner):
    # 5 MB of one letter: under the 50 MB part limit, but ~1000 times smaller packed.
    data = _with_document_xml(_docx(), inflated=5 * MB)
    with pytest.raises(ValidationError) as caught:
        import_file_create(corpus=corpus, user=owner, filename="dense.docx", data=data)
    message = caught.value.message_dict["file"][0]
    assert "dense.docx: word/document.xml would inflate" in message
    assert "the limit is 100 times for a part over 1.0 MB" in message


def test_too_many_parts_are_refused_from_the_end_record(corpus, owner, settings):
    settings.IMPORT_ARCHIVE_MAX_MEMBERS = 40
    data = _with_document_xml(_docx(), inflated=0, extra_parts=50)
    with pytest.raises(ValidationError) as caught:
        import_file_create(corpus=corpus, user=owner, filename="many.docx", data=data)
    message = caught.value.message_dict["file"][0]
    assert "many.docx holds" in message and "files; the limit is 40" in message

    # An end record that claims 5 parts does not hide the others.
    lying = bytearray(data)
    end = lying.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", lying, end + 8, 5, 5)
    with zipfile.ZipFile(io.BytesIO(bytes(lying))) as archive:
        assert len(archive.infolist()) > 60  # zipfile reads them all all the same
    with pytest.raises(ValidationError) as caught:
        import_file_create(corpus=corpus, user=owner, filename="few.docx", data=bytes(lying))
    assert "files; the limit is 40" in caught.value.message_dict["file"][0]


def test_too_many_bytes_in_all_are_refused(corpus, owner, settings):
    settings.IMPORT_ARCHIVE_MAX_TOTAL_BYTES = 100_000
    data = _docx()  # python-docx's template: ~100 kB of XML, styles and theme
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(info.file_size for info in archive.infolist())
    assert total > 100_000
    with pytest.raises(ValidationError) as caught:
        import_file_create(corpus=corpus, user=owner, filename="big.docx", data=data)
    assert "in all; the limit is 100 kB" in caught.value.message_dict["file"][0]


def test_a_file_that_is_no_zip_is_refused_by_the_request(corpus, owner):
    with pytest.raises(ValidationError) as caught:
        import_file_create(corpus=corpus, user=owner, filename="x.docx", data=b"not a zip")
    assert "x.docx is not a readable .docx file" in caught.value.message_dict["file"][0]


def test_an_understated_part_is_refused_by_the_worker_in_bounded_memory(corpus, owner, run_job):
    # The directory says document.xml inflates to 0.5 MB; it really inflates to 100 MB.
    data = _understate(_with_document_xml(_docx(), inflated=100 * MB), "word/document.xml", MB // 2)
    job = import_file_create(corpus=corpus, user=owner, filename="liar.docx", data=data)
    tracemalloc.start()
    try:
        job = run_job(job)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert job.status == ImportJob.Status.FAILED
    assert "liar.docx: word/document.xml does not match the size its directory declares" in (
        job.error
    )
    assert peak < 20 * MB, f"peak {peak / MB:.0f} MB while refusing a 100 MB part"
    assert not Article.objects.filter(corpus=corpus).exists()


def test_the_worker_checks_the_directory_again_without_inflating(corpus, owner, run_job, settings):
    # Accepted under generous limits, then the limits tighten before a worker runs it
    # (as for a job queued before an upgrade).
    settings.IMPORT_ARCHIVE_MAX_MEMBER_BYTES = 500 * MB
    settings.IMPORT_ARCHIVE_MAX_TOTAL_BYTES = 500 * MB
    settings.IMPORT_ARCHIVE_MAX_RATIO = 10_000
    data = _with_document_xml(_docx(), inflated=60 * MB)
    job = import_file_create(corpus=corpus, user=owner, filename="later.docx", data=data)
    settings.IMPORT_ARCHIVE_MAX_MEMBER_BYTES = 50 * MB
    tracemalloc.start()
    try:
        job = run_job(job)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert job.status == ImportJob.Status.FAILED
    assert "later.docx: word/document.xml would inflate to 60 MB; the limit is 50 MB" in job.error
    assert peak < 10 * MB, f"peak {peak / MB:.0f} MB"


def test_a_docx_within_the_limits_still_imports(corpus, owner, run_job):
    data = _with_document_xml(_docx(), inflated=0)
    assert extract_document(data, filename="ok.docx").text == "A harmless first paragraph."
    job = run_job(import_file_create(corpus=corpus, user=owner, filename="ok.docx", data=data))
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.article.text == "A harmless first paragraph."
