"""Uploads are checked where Starlette spooled them (issue 13.1): a chunk at a time, never read whole."""

from __future__ import annotations

import hashlib
import io
import tempfile
import tracemalloc
import zipfile

from store.files import CHUNK_BYTES, Upload, check_upload

MB = 1024 * 1024
PDF_HEAD = b"%PDF-1.7\n"


def _spooled(content_size: int, head: bytes = PDF_HEAD) -> tempfile.SpooledTemporaryFile[bytes]:
    """A file as Starlette's multipart parser leaves it: a SpooledTemporaryFile rolled to disk past 1 MB."""
    spooled: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(max_size=MB)  # noqa: SIM115 (the test closes it with the process)
    spooled.write(head)
    block = b"0" * MB
    left = content_size - len(head)
    while left > 0:
        spooled.write(block[: min(left, MB)])
        left -= MB
    spooled.seek(0)
    return spooled


def _peak_while(check) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        result = check()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_file_at_the_limit_is_accepted_while_holding_only_a_few_chunks_in_memory():
    # given a 20 MB file spooled to disk, the limit being exactly its size
    size = 20 * MB
    spooled = _spooled(size)
    assert spooled._rolled  # type: ignore[attr-defined]  # on disk, as Starlette leaves a file past 1 MB
    # when it is checked
    checked, peak = _peak_while(lambda: check_upload("a.pdf", spooled, max_bytes=size, index=0))
    # then it is accepted with its size and hash, and checking never held more than a few chunks
    assert isinstance(checked, Upload) and checked.size == size and checked.content_type == "application/pdf"
    spooled.seek(0)
    expected = hashlib.sha256()
    while chunk := spooled.read(MB):
        expected.update(chunk)
    assert checked.sha256 == expected.hexdigest()
    assert peak < 4 * CHUNK_BYTES, peak


def test_a_file_one_byte_over_the_limit_is_refused_reading_at_most_a_chunk_past_it():
    # given a file one byte over a 2 MB limit
    spooled = _spooled(2 * MB + 1)
    # when it is checked
    checked, peak = _peak_while(lambda: check_upload("a.pdf", spooled, max_bytes=2 * MB, index=3))
    # then it is FILE_TOO_LARGE, found without holding the file
    assert getattr(checked, "code", None) == "FILE_TOO_LARGE"
    assert getattr(checked, "field", None) == ("input", "attachments", "3", "file")
    assert peak < 4 * CHUNK_BYTES, peak


def test_a_large_word_file_is_sniffed_from_its_directory_not_by_reading_it():
    # given a .docx of ~8 MB (one stored, incompressible entry) spooled to disk
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/scan.bin", bytes(range(256)) * (8 * MB // 256))
    spooled: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(max_size=MB)  # noqa: SIM115 (the test closes it with the process)
    spooled.write(raw.getvalue())
    del raw
    # when it is checked
    checked, peak = _peak_while(lambda: check_upload("a.docx", spooled, max_bytes=10 * MB, index=0))
    # then it is Word by content, and only the tail and the chunks were held
    assert isinstance(checked, Upload)
    assert checked.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert peak < 4 * CHUNK_BYTES + 256 * 1024, peak
