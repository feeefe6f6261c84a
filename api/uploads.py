"""One multipart file checked where Starlette spooled it (on disk past 1 MB), a chunk at a time, in a worker
thread: hashing 50 MB on the event loop would stall every other request (store/files.py checks)."""

from __future__ import annotations

from typing import BinaryIO

from starlette.concurrency import run_in_threadpool

from domain.errors import Violation
from store.files import Upload, check_upload


def _spooled(upload: object) -> BinaryIO:
    """The file object behind a multipart file part (a SpooledTemporaryFile)."""
    file = getattr(upload, "file", None)
    if file is None:
        raise TypeError("an Upload without a file object")
    return file  # type: ignore[no-any-return]


async def check_file(upload: object, *, max_bytes: int, index: int, label: str = "") -> Upload | Violation:
    """The accepted upload (type by content, size limit, SHA-256), or the Violation saying why not."""
    return await run_in_threadpool(
        check_upload,
        getattr(upload, "filename", None) or "file",
        _spooled(upload),
        max_bytes=max_bytes,
        index=index,
        label=label,
    )
