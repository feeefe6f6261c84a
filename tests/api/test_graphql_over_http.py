"""GraphQL over HTTP: graphql-http's own server audits (the spec's MUSTs) against a live API process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live_server import free_port, live_server

AUDIT = Path(__file__).resolve().parents[1] / "http_audit"


def _node_or_skip() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install node and npm (graphql-http's audit of the GraphQL-over-HTTP spec)")
        pytest.skip("node/npm are not installed: graphql-http's GraphQL-over-HTTP audit cannot run")
    if not (AUDIT / "node_modules" / "graphql-http").exists():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=AUDIT, capture_output=True, text=True, timeout=300
        )
        if installed.returncode != 0:
            if os.environ.get("CI") == "true":
                pytest.fail(f"npm ci in tests/http_audit failed: {installed.stderr[-500:]}")
            pytest.skip("npm ci could not install graphql-http (offline?)")
    return node


async def test_the_api_passes_every_must_of_graphql_http_server_audit(database_url):
    # given node with graphql-http (pinned in tests/http_audit/package-lock.json), and the API served live
    node = _node_or_skip()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "YK_TOKEN_SECRET": "a" * 48,
        "YK_LOG_LEVEL": "WARNING",
        "YK_WEBHOOK_WORKER": "false",
        "YK_NOTIFICATION_WORKER": "false",
    }
    async with live_server(["-m", "api", "serve", "--no-demo", "--port", str(port)], env, port):
        # when graphql-http audits it
        audit = subprocess.run(  # noqa: ASYNC221 — a one-off child process; the server runs apart
            [node, "audit.mjs", f"http://127.0.0.1:{port}/graphql"],
            cwd=AUDIT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    results = json.loads(audit.stdout)
    # then no MUST (error) or SHOULD (warn) of the spec is broken; only MAYs are left (notice: queries over GET,
    # which the API refuses on purpose)
    broken = [
        f"{r['status']} {r['id']} {r['name']}: {r['reason']}"
        for r in results
        if r["status"] in ("error", "warn")
    ]
    assert len(results) > 20
    assert broken == []
