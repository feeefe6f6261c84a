"""Several uvicorn worker processes on one port, each accepting on its own SO_REUSEPORT socket.

uvicorn's `--workers` shares one listening socket: whichever worker wakes first accepts a whole burst of
connections (asyncio accepts up to 100 a wake-up), so kept-alive clients could all end up on one worker
while the other idled (bench/list_vs_raw: 290–320 req/s against 520–574 when spread). With one socket per
worker in a SO_REUSEPORT group the kernel hashes each new connection (addresses and ports) to one socket,
so connections spread evenly in expectation, whatever the workers are doing. The supervisor binds every
socket before any worker starts and keeps them open: connections that arrive while a worker (re)starts wait
in its queue instead of being refused. Elsewhere than Linux (SO_REUSEPORT does not balance on macOS) it
falls back to uvicorn's shared socket.

Run as `python -m api.serving MODULE:APP --port 8000 --workers 2 [--factory]` (bench/raw_app.py uses it).
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

log = logging.getLogger("uvicorn.error")


def balances_connections() -> bool:
    """Whether the kernel spreads connections over SO_REUSEPORT sockets (Linux ≥ 3.9)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def reuseport_sockets(host: str, port: int, count: int, backlog: int = 2048) -> list[socket.socket]:
    """`count` listening sockets on one address, one per worker; the kernel picks one per connection."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # A socket without SO_REUSEPORT cannot bind where anything listens: without this probe a second server
    # started on the same port by the same user would silently join the group and take a share of the clients.
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]  # with port 0 the others join the port the kernel gave the first
            # Listening now, not when the worker has started: the kernel counts only listening sockets
            # of the group, and a connection hashed to this one waits for its worker rather than failing.
            sock.listen(backlog)
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class PerWorkerSockets(Multiprocess):
    """uvicorn's supervisor (signals, health checks, restarts, SIGHUP) with worker i on socket i only; a
    replacement worker takes over its predecessor's socket and whatever waits in its queue."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets=[])
        self.slots = sockets

    def _spawn(self, slot: int) -> Process:
        process = Process(self.config, [self.slots[slot]])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._spawn(slot) for slot in range(len(self.slots))]

    def restart_all(self) -> None:
        """Replace each worker by a new one on the same socket, the new one serving before the old stops."""
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._spawn(slot)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                log.error("worker [%s] was not ready in time; restart aborted", new.pid)
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for slot, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung, or already gone
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                # It failed before serving (app or settings broken): every restart would fail the same way.
                log.error("worker [%s] failed to start, stopping", process.pid)
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            log.info("worker [%s] died; restarting it on its socket", process.pid)
            self.processes[slot] = self._spawn(slot)

    def handle_ttin(self) -> None:
        log.info("SIGTTIN ignored: the number of workers is fixed by their sockets")

    def handle_ttou(self) -> None:
        log.info("SIGTTOU ignored: the number of workers is fixed by their sockets")


def run(app: str, *, host: str, port: int, workers: int, factory: bool = False, **options: Any) -> None:
    """Serve the import string `app` with `workers` processes on host:port (uvicorn options pass through)."""
    config = uvicorn.Config(app, host=host, port=port, workers=workers, factory=factory, **options)
    if workers <= 1 or not balances_connections():
        uvicorn.run(app, host=host, port=port, workers=workers, factory=factory, **options)
        return
    try:
        sockets = reuseport_sockets(host, port, workers, config.backlog)
    except OSError as error:
        log.error("cannot listen on %s:%s: %s", host, port, error)
        sys.exit(STARTUP_FAILURE)
    log.info("listening on %s:%s with %d workers, one SO_REUSEPORT socket each", host, port, workers)
    try:
        PerWorkerSockets(config, sockets).run()
    finally:
        for sock in sockets:
            sock.close()


def main(argv: list[str] | None = None) -> None:
    """`python -m api.serving`: the same serving path for other apps (the benchmark's raw yardstick)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", help="import string, MODULE:ATTRIBUTE")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--factory", action="store_true", help="APP is a function returning the app")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    run(
        args.app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        factory=args.factory,
        log_level=args.log_level,
        access_log=False,
    )


if __name__ == "__main__":
    main()
