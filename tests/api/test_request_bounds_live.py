"""Bounded requests on a live uvicorn over raw sockets (issue 13.1): refusals arrive while the client is still
sending, so the server neither waits for nor keeps what it was not asked to take."""

from __future__ import annotations

import asyncio
import contextlib

from tests.browser.live import live_server

MB = 1024 * 1024


async def _status(reader: asyncio.StreamReader, seconds: float) -> str:
    return (await asyncio.wait_for(reader.readline(), seconds)).decode().strip()


async def _closed(reader: asyncio.StreamReader) -> bool:
    """The server closed the connection after its answer (the rest of the body is not drained)."""
    with contextlib.suppress(ConnectionError):
        while await asyncio.wait_for(reader.read(65536), 5):
            pass
    return True


def _host_port(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


async def test_an_anonymous_40_mb_upload_is_refused_before_its_body_is_sent(settings, database_url):
    # given a live API
    with live_server(settings, database_url) as base:
        reader, writer = await asyncio.open_connection(*_host_port(base))
        # when an anonymous client announces a 40 MB multipart upload (under the 50 MB limit) and sends only its headers
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: api\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nGraphQL-Preflight: 1\r\n"
            + f"Content-Length: {40 * MB}\r\n\r\n".encode()
        )
        await writer.drain()
        # then the server answers 401 at once, without waiting for the body, and closes the connection
        status = await _status(reader, 10)
        closed = await _closed(reader)
        writer.close()
    assert status == "HTTP/1.1 401 Unauthorized"
    assert closed


async def test_a_chunked_body_is_refused_while_the_client_is_still_sending(settings, database_url):
    # given a live API
    with live_server(settings, database_url) as base:
        reader, writer = await asyncio.open_connection(*_host_port(base))
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        # when the client streams 64 KB chunks, watching for an answer after each
        chunk = b"10000\r\n" + b"#" * 65536 + b"\r\n"
        sent, status = 0, ""
        with contextlib.suppress(ConnectionError):
            while sent < 64 * MB:
                writer.write(chunk)
                await writer.drain()
                sent += 65536
                with contextlib.suppress(TimeoutError):
                    status = await _status(reader, 0.05)
                    break
        if not status:
            status = await _status(reader, 10)
        writer.close()
    # then 413 arrives long before 64 MB were sent (socket buffers hold a few MB at most)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert sent < 8 * MB, sent
