"""Operator commands (registered in api/cli/__init__.py): verify-audit, backup, restore."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.logs import configure_logging
from api.settings import database_urls, get_settings
from store import audit_chain
from store.engine import make_engine, make_session_factory
from store.roles import DatabaseUrls

console = Console()


def _urls() -> DatabaseUrls:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return database_urls(settings)


def verify_audit() -> None:
    """Walk the audit chain and name the first record altered, removed or inserted after the fact."""
    url = _urls().app  # reading is all it does

    async def work() -> audit_chain.Verdict:
        engine = make_engine(url)
        try:
            factory = make_session_factory(engine)
            total = await audit_chain.count_records(factory)
            with Progress(
                TextColumn("verifying audit chain"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task("verify", total=total)
                return await audit_chain.verify(factory, progress=lambda n: bar.advance(task, n))
        finally:
            await engine.dispose()

    verdict = asyncio.run(work())
    if verdict.broken is not None:
        console.print(
            f"[red]BROKEN[/red] at record {verdict.broken.record_id}: {verdict.broken.describe()} "
            f"({verdict.checked} records before it are intact)"
        )
        raise typer.Exit(1)
    head = verdict.head.hex() if verdict.head else "-"
    # Never wrapped at the terminal's width: the head is copied (or grepped) into a report as one line.
    console.print(
        f"audit chain intact: {verdict.checked} records; head {head} (keep it elsewhere to anchor the chain)",
        soft_wrap=True,
        highlight=False,
    )


def backup(output: Annotated[Path, typer.Option(help="File to write (pg_dump custom format).")]) -> None:
    """Dump the whole database with pg_dump of the server's major version."""
    from api.cli import backup as backups

    backups.backup(_urls().owner, output)  # the owner: pg_dump reads every object
    console.print(f"backup written to {output}")


def restore(
    input: Annotated[Path, typer.Option(help="A file written by `backup`.", exists=True, dir_okay=False)],
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the database's contents are replaced.")
    ] = False,
) -> None:
    """Replace the database's contents with a backup, in one transaction (all or nothing)."""
    from api.cli import backup as backups

    if not yes:
        console.print("[red]restore replaces every table; run again with --yes to confirm[/red]")
        raise typer.Exit(2)
    backups.restore(_urls().owner, input)  # the owner: it drops and creates the objects
    console.print(f"restored from {input}; run `verify-audit` to check the audit chain")
