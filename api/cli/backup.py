"""Backup and restore with pg_dump / pg_restore of the server's own major version.

The embedded server ships its client tools (`store.embedded.bin_dir()`); with DATABASE_URL pointing at
another server, tools on PATH are used. The custom format (-Fc) is compressed and restores selectively;
triggers are created after the data, so the audit chain is restored exactly as it was sealed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


def _tool(name: str) -> str:
    from store import embedded

    bundled = embedded.bin_dir() / name
    if bundled.exists():
        return str(bundled)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"{name} not found: install the PostgreSQL client of the server's major version"
        )
    return found


def _connection(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq options and environment (the password travels in PGPASSWORD, not on the command line)."""
    parsed = make_url(url)
    query = dict(parsed.query)
    host = str(query.get("host") or parsed.host or "localhost")
    port = str(query.get("port") or parsed.port or 5432)
    options = [
        "-h",
        host,
        "-p",
        port,
        "-U",
        parsed.username or "postgres",
        "-d",
        parsed.database or "postgres",
    ]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return options, env


def backup(url: str, target: Path) -> Path:
    """Dump the whole database to `target` (custom format)."""
    options, env = _connection(url)
    subprocess.run(  # noqa: S603
        [_tool("pg_dump"), *options, "-Fc", "--no-owner", "-f", str(target)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database's contents with the dump, all or nothing (one transaction)."""
    options, env = _connection(url)
    subprocess.run(  # noqa: S603
        [
            _tool("pg_restore"),
            *options,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(source),
        ],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
