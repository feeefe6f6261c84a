"""The embedded PostgreSQL survives its known traps: the missing port and a SIGKILLed owner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from api.settings import PROJECT_ROOT

START = """
import sys, time
from pathlib import Path
from store import embedded
print(embedded.start(Path(sys.argv[1]), database="probe"), flush=True)
if sys.argv[2] == "wait":
    time.sleep(120)
"""


def _start(pgdata: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", START, str(pgdata), mode],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _postmaster_pid(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    return int(pid_file.read_text().splitlines()[0]) if pid_file.exists() else None


@pytest.mark.skipif(os.environ.get("DATABASE_URL") is not None, reason="the embedded server is not in use")
def test_a_sigkilled_owner_leaves_a_server_the_next_start_adopts_and_then_stops(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    # given a process that started the server and was killed with SIGKILL
    first = _start(pgdata, "wait")
    assert first.stdout is not None
    url = first.stdout.readline().strip()
    server_pid = _postmaster_pid(pgdata)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert server_pid is not None and psutil.pid_exists(server_pid)
    # then the URL names the port of the socket file, which get_uri() leaves out
    assert url.startswith("postgresql+asyncpg://postgres@/probe?host=") and "&port=" in url
    # when a new process starts on the same data folder and exits normally
    second = _start(pgdata, "exit")
    out, _ = second.communicate(timeout=60)
    # then it adopted the same server, and as its last live owner it stopped it
    assert second.returncode == 0 and out.strip() == url
    deadline = time.monotonic() + 10
    while psutil.pid_exists(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not psutil.pid_exists(server_pid) or psutil.Process(server_pid).status() == psutil.STATUS_ZOMBIE
    assert (pgdata / "PG_VERSION").exists()  # the data stays
