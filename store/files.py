"""Uploaded files: type checked by content (not by name), SHA-256, size limit, stored in PostgreSQL.

The `FileStore` protocol leaves room for an S3-compatible store: the attachment row keeps `storage` and
`storage_key`; PostgreSQL storage keeps the bytes in `file_blobs`, in the same transaction as the record.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import ports
from domain.errors import Violation
from store import approval_tables

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls compound file
# Uploads are read in chunks (issue 13.1): Starlette's multipart parser spools each file part to a
# SpooledTemporaryFile that rolls to disk past 1 MB, and checking, hashing and sniffing read it from there a
# chunk at a time, so refusing four 45 MB files and a bad one costs no memory for their content. The bytes
# are read whole only to be stored (file_blobs is bytea), one file at a time, once every check has passed.
CHUNK_BYTES = 64 * 1024
HEAD_BYTES = 16  # the longest magic number sniffed


@dataclass(frozen=True)
class Upload:
    """A file as received, already checked: its content stays in `file` (spooled to disk) until stored."""

    filename: str
    content_type: str
    file: BinaryIO = field(repr=False)
    size: int
    sha256: str
    label: str = ""

    @property
    def data(self) -> bytes:
        """The whole content, read when it is stored (never earlier)."""
        self.file.seek(0)
        return self.file.read()


def _as_file(content: bytes | BinaryIO) -> BinaryIO:
    return io.BytesIO(content) if isinstance(content, bytes | bytearray) else content


def sniff(content: bytes | BinaryIO) -> str | None:
    """The MIME type by content, for the types the regulation's paperwork uses; None when not allowed."""
    file = _as_file(content)
    file.seek(0)
    head = file.read(HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"  # .doc / .xls (both are OLE compound files)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(file)
    return None


# Walking a ZIP's directory costs ~3 µs an entry on the event loop (150,000 entries stalled it 0.5 s, issue
# 13.1). Word, Excel and OFD files have tens to hundreds of entries; an archive with more is not walked.
# zipfile reads the directory by its size, not by the declared count, so both are bounded (an entry takes
# at least 46 bytes: 512 KB is at most ~11,000 entries, ~35 ms).
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_DIRECTORY_BYTES = 512 * 1024
_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")  # the ZIP "end of central directory" record


def zip_directory(content: bytes | BinaryIO) -> tuple[int, int] | None:
    """(entries, directory bytes) as the ZIP's end-of-directory record declares them, without reading it."""
    file = _as_file(content)
    size = file.seek(0, io.SEEK_END)
    start = max(0, size - (_END_OF_DIRECTORY.size + 65_535))  # the record, then a comment of at most 64 KB
    file.seek(start)
    tail = file.read(size - start)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END_OF_DIRECTORY.size:
        return None
    _, _, _, _, total, length, _, _ = _END_OF_DIRECTORY.unpack_from(tail, at)
    if total == 0xFFFF or length == 0xFFFFFFFF:
        return None  # ZIP64: the figures are elsewhere; treated as unknown
    return int(total), int(length)


def _sniff_zip(file: BinaryIO) -> str | None:
    directory = zip_directory(file)
    if directory is None or directory[0] > MAX_ZIP_ENTRIES or directory[1] > MAX_ZIP_DIRECTORY_BYTES:
        return "application/zip"  # accepted as an archive, never walked (downloads carry nosniff)
    try:
        file.seek(0)
        names = zipfile.ZipFile(file).namelist()  # seeks to the directory: the entries are not read
    except zipfile.BadZipFile:
        return None
    if "OFD.xml" in names or any(n.endswith("/OFD.xml") for n in names):
        return "application/ofd"  # GB/T 33190 版式文档
    if any(n.startswith("word/") for n in names):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if any(n.startswith("xl/") for n in names):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "application/zip"


def measure(file: BinaryIO, *, max_bytes: int) -> tuple[int, str] | None:
    """(size, SHA-256 hex) read a chunk at a time; None as soon as more than max_bytes were read."""
    file.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := file.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            return None
        digest.update(chunk)
    return size, digest.hexdigest()


def check_upload(
    filename: str, content: bytes | BinaryIO, *, max_bytes: int, index: int, label: str = ""
) -> Upload | Violation:
    """An accepted Upload, or the Violation saying why not (type by content, size limit)."""
    at = ("input", "attachments", str(index), "file")
    file = _as_file(content)
    measured = measure(file, max_bytes=max_bytes)
    if measured is None:
        return Violation(
            "FILE_TOO_LARGE",
            f"文件「{filename}」超过 {max_bytes // (1024 * 1024)} MB 上限。",
            f"The file {filename} exceeds the {max_bytes // (1024 * 1024)} MB limit.",
            field=at,
        )
    content_type = sniff(file)
    if content_type is None:
        return Violation(
            "FILE_TYPE_NOT_ALLOWED",
            f"文件「{filename}」的内容不是 PDF、OFD、Word、Excel、图片或 ZIP。",
            f"The file {filename} is not a PDF, OFD, Word, Excel, image or ZIP by its content.",
            field=at,
        )
    size, sha256 = measured
    return Upload(
        filename=filename[:255] or "file",
        content_type=content_type,
        file=file,
        size=size,
        sha256=sha256,
        label=label[:200],
    )


class FileStore(Protocol):
    async def put(self, session: AsyncSession, upload: ports.Upload) -> tuple[str, int | None, str | None]:
        """Store the bytes; return (storage name, blob id, storage key)."""

    async def get(self, session: AsyncSession, blob_id: int | None, key: str | None) -> bytes: ...


class PostgresFileStore:
    """Bytes in PostgreSQL, written in the caller's transaction: nothing orphaned, backups complete."""

    async def put(self, session: AsyncSession, upload: ports.Upload) -> tuple[str, int | None, str | None]:
        blobs = approval_tables.file_blobs
        blob_id = (
            await session.execute(
                insert(blobs)
                .values(sha256=upload.sha256, size=upload.size, content=upload.data)
                .returning(blobs.c.id)
            )
        ).scalar_one()
        return "postgres", int(blob_id), None

    async def get(self, session: AsyncSession, blob_id: int | None, key: str | None) -> bytes:
        blobs = approval_tables.file_blobs
        return bytes(
            (await session.execute(select(blobs.c.content).where(blobs.c.id == blob_id))).scalar_one()
        )
