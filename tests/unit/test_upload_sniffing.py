"""Upload sniffing is bounded (issue 13.1): a ZIP's directory is walked only when it is small."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from store.files import MAX_ZIP_DIRECTORY_BYTES, MAX_ZIP_ENTRIES, sniff, zip_directory

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _zip(entries: int, name_length: int = 8) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(entries):
            archive.writestr(f"word/{i:0{name_length}d}", "")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("entries", "kind"), [(MAX_ZIP_ENTRIES, DOCX), (MAX_ZIP_ENTRIES + 1, "application/zip")]
)
def test_a_zip_is_walked_only_up_to_5000_entries(entries, kind):
    # given a Word-shaped archive of `entries` entries
    data = _zip(entries)
    # when it is sniffed
    # then up to the limit its entries decide the type; beyond, it is an archive, never walked
    assert sniff(data) == kind


def test_a_zip_declaring_few_entries_over_a_large_directory_is_not_walked():
    # given an archive whose directory is above 512 KB but whose end record claims 10 entries
    data = bytearray(_zip(4_000, name_length=100))
    at = data.rfind(b"PK\x05\x06")
    struct.pack_into("<2H", data, at + 8, 10, 10)
    entries, size = zip_directory(bytes(data))  # type: ignore[misc]
    assert (entries, size > MAX_ZIP_DIRECTORY_BYTES) == (10, True)
    # when it is sniffed
    # then the directory's size, not the claimed count, decides: it is not walked
    assert sniff(bytes(data)) == "application/zip"


def test_a_small_word_file_is_recognised_by_its_entries():
    # given a one-entry Word-shaped archive
    # when it is sniffed
    # then it is a Word document
    assert sniff(_zip(1)) == DOCX
