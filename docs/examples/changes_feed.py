"""Follow the changes feed of the Yingkou project platform: every change to what the token may read, in
commit order, resuming from a cursor kept in a file — the loop an integrating system runs.

    pip install httpx
    YK_API=http://127.0.0.1:8000 YK_TOKEN=ykt_… python docs/examples/changes_feed.py [cursor-file]

Each change is printed as one JSON line (replace `handle` with your own work). The cursor is saved only after
a batch was handled, so a crash replays at most one batch: make `handle` idempotent (key: `cursor`). A 429
(RATE_LIMITED) or 503 (UNAVAILABLE) answer is retried after its `Retry-After` seconds; any other error stops
the loop with its code. The test suite runs this file against the API (tests/api/test_integrator_guide.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

CHANGES = """
query Changes($after: String) {
  changes(first: 100, after: $after) {
    cursor
    hasMore
    changes {
      cursor occurredAt operation targetType targetId
      node { id ... on Project { code name status version } }
    }
  }
}
"""
RETRYABLE = {"RATE_LIMITED", "UNAVAILABLE"}
IDLE_SECONDS = 5.0  # how long to wait when the feed is drained


class FeedError(Exception):
    """An answer that retrying will not fix (bad token, bad cursor, …): fix the cause, then restart."""


def load_cursor(path: Path) -> str | None:
    """The cursor saved after the last handled batch; None (start at the beginning) on the first run."""
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def save_cursor(path: Path, cursor: str) -> None:
    """Write-then-rename: a crash leaves the old cursor or the new one, never half of one."""
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(cursor, encoding="utf-8")
    os.replace(partial, path)


def retry_after(response: httpx.Response, default: float = 5.0) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", default)))
    except ValueError:
        return default


async def fetch(
    client: httpx.AsyncClient, after: str | None, sleep: Callable[[float], Awaitable[Any]]
) -> dict[str, Any]:
    """One batch after `after`, waiting out rate limits and outages."""
    while True:
        try:
            response = await client.post("/graphql", json={"query": CHANGES, "variables": {"after": after}})
        except httpx.TransportError:  # the API restarts or the network blips: nothing was changed, retry
            await sleep(IDLE_SECONDS)
            continue
        body = response.json() if response.headers.get("content-type", "").startswith("application/") else {}
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
        if response.status_code in (429, 503) or codes & RETRYABLE:
            await sleep(retry_after(response))
            continue
        if codes or response.status_code != 200 or not body.get("data"):
            raise FeedError(f"HTTP {response.status_code}: {sorted(c for c in codes if c) or body}")
        return dict(body["data"]["changes"])


def print_change(change: dict[str, Any]) -> None:
    print(json.dumps(change, ensure_ascii=False), flush=True)


async def follow(
    client: httpx.AsyncClient,
    cursor_file: Path,
    handle: Callable[[dict[str, Any]], Any] = print_change,
    *,
    until: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> str | None:
    """Handle every change from the stored cursor on, saving the cursor after each batch; returns the last
    cursor once `until()` is true (never, by default)."""
    cursor = load_cursor(cursor_file)
    while not until():
        batch = await fetch(client, cursor, sleep)
        for change in batch["changes"]:
            handle(change)
        if batch["cursor"] and batch["cursor"] != cursor:
            cursor = batch["cursor"]
            save_cursor(cursor_file, cursor)
        if not batch["hasMore"] and not until():
            await sleep(IDLE_SECONDS)  # drained: poll again later (or use the `changes` subscription)
    return cursor


async def main() -> None:
    api, token = os.environ.get("YK_API", "http://127.0.0.1:8000"), os.environ["YK_TOKEN"]
    cursor_file = Path(sys.argv[1] if len(sys.argv) > 1 else "changes.cursor")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=api, headers=headers, timeout=30) as client:
        await follow(client, cursor_file)


if __name__ == "__main__":
    asyncio.run(main())
