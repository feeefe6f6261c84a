"""Command line: serve, migrate, create-user, create-token, seed-demo."""

from __future__ import annotations

import asyncio
import getpass
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from sqlalchemy import select

from api.logs import configure_logging
from api.settings import Settings, database_url, get_settings
from domain.actors import ADMIN_ROLE, Actor
from domain.clock import system_clock
from domain.errors import DomainError
from store import migrate as migrations
from store import tables
from store.engine import make_engine, make_session_factory
from store.uow import SqlUnitOfWork

app = typer.Typer(
    help="营口市政务信息化项目管理平台 — the Yingkou government IT project API.", no_args_is_help=True
)
console = Console()
T = TypeVar("T")


def _cli_actor() -> Actor:
    return Actor(user_id=None, organization_id=0, role=ADMIN_ROLE, username=f"cli:{getpass.getuser()}")


def _prepare(settings: Settings) -> str:
    configure_logging(settings.log_level, json=settings.log_json)
    url = database_url(settings)
    migrations.upgrade(url)
    return url


def _run(url: str, work: Callable[..., Awaitable[T]]) -> T:
    async def main() -> T:
        engine = make_engine(url)
        try:
            return await work(make_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default from YK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from YK_PORT).")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo data once (development only).")] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            help="API processes, each on its own SO_REUSEPORT socket (default from YK_WORKERS; one per core)."
        ),
    ] = None,
) -> None:
    """Migrate, load demo data once (development), and serve GraphQL at /graphql."""
    import os

    import uvicorn

    from api import serving
    from api.app import create_app
    from api.demo import seed_demo

    settings = get_settings()
    url = _prepare(settings)
    if demo and not settings.production:
        _run(url, lambda factory: seed_demo(factory, system_clock))
    bind_host, bind_port = host or settings.host, port or settings.port
    processes = workers or settings.workers
    console.print(
        f"[bold]GraphiQL[/bold]: http://{bind_host}:{bind_port}/graphql  (demo password: see README)"
    )
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting through SystemExit lets the embedded
    # server's atexit hook stop PostgreSQL instead of leaving it running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if processes > 1:
        # Each worker builds its own app on the server this process prepared (nothing is shared in memory:
        # policy changes, rate limits and background jobs already go through PostgreSQL).
        # Each worker accepts on its own SO_REUSEPORT socket (api/serving.py): with uvicorn's one shared
        # socket the first worker to wake took a whole burst of kept-alive connections.
        os.environ["DATABASE_URL"] = url
        serving.run(
            "api.app:app_from_environment",
            factory=True,
            workers=processes,
            host=bind_host,
            port=bind_port,
            log_config=None,
            access_log=False,
        )
        return
    uvicorn.run(
        create_app(settings, database_url=url),
        host=bind_host,
        port=bind_port,
        log_config=None,
        access_log=False,
    )


@app.command()
def migrate() -> None:
    """alembic upgrade head on the configured database."""
    _prepare(get_settings())
    console.print("database at head")


@app.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo organizations, users and projects (once; later runs do nothing)."""
    from api.demo import seed_demo

    url = _prepare(get_settings())
    loaded = _run(url, lambda factory: seed_demo(factory, system_clock))
    console.print("demo data loaded" if loaded else "demo data already present")


async def _organization_id(factory, name: str) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        pk = (
            await session.execute(
                select(tables.organizations.c.id).where(tables.organizations.c.name == name)
            )
        ).scalar()
    if pk is None:
        console.print(f"[red]no organization named {name!r}[/red]")
        raise typer.Exit(2)
    return int(pk)


def _report(error: DomainError) -> None:
    for violation in error.violations:
        console.print(f"[red]{violation.code}[/red] {violation.zh} / {violation.en}")
    raise typer.Exit(2)


@app.command("schema-export")
def schema_export(
    force: Annotated[
        bool, typer.Option(help="Write even with breaking changes missing from CHANGELOG.md.")
    ] = False,
) -> None:
    """Write schema.graphql from the code (run it after every schema change and commit the file)."""
    from api.graphql import contract

    committed = contract.SCHEMA_FILE.read_text(encoding="utf-8") if contract.SCHEMA_FILE.exists() else None
    changelog = (
        contract.CHANGELOG_FILE.read_text(encoding="utf-8") if contract.CHANGELOG_FILE.exists() else ""
    )
    pending = (
        contract.unacknowledged_breaking_changes(committed, contract.current_sdl(), changelog)
        if committed
        else []
    )
    if pending and not force:
        console.print(
            "[red]Breaking changes: quote each line under '## Unreleased' in CHANGELOG.md "
            "(or deprecate first):[/red]"
        )
        for line in pending:
            print(f"- {line}")
        raise typer.Exit(2)
    console.print(f"wrote {contract.write_schema_file()}")


@app.command("permissions-doc")
def permissions_doc() -> None:
    """Rebuild docs/permissions.md (roles × operations, scopes, articles) from authz/policy.csv."""
    from authz import matrix

    console.print(f"wrote {matrix.write()}")


@app.command("create-user")
def create_user(
    username: Annotated[str, typer.Option(help="Login name.")],
    organization: Annotated[str, typer.Option(help="The organization's exact name, e.g. 营口市教育局.")],
    display_name: Annotated[str, typer.Option(help="Display name.")] = "",
    admin: Annotated[bool, typer.Option(help="Administrator (Big Data Bureau staff only).")] = False,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a user in an existing organization."""
    from api import admin as admin_cases

    url = _prepare(get_settings())

    async def work(factory) -> int:  # type: ignore[no-untyped-def]
        org = await _organization_id(factory, organization)
        uow = SqlUnitOfWork(factory, actor=_cli_actor(), clock=system_clock, request_id="cli")
        return await admin_cases.create_user(
            uow,
            username=username,
            display_name=display_name or username,
            password=password,
            organization_id=org,
            is_admin=admin,
            operation="user:create",
        )

    try:
        pk = _run(url, work)
    except DomainError as error:
        _report(error)
    console.print(f"user {username} created (id {pk})")


@app.command("create-token")
def create_token(
    name: Annotated[str, typer.Option(help="What the token is for.")],
    organization: Annotated[str, typer.Option(help="The integrator organization's exact name.")],
    expires: Annotated[datetime | None, typer.Option(help="Optional expiry (ISO 8601, UTC).")] = None,
) -> None:
    """Issue a read-only integrator API token; it is printed once and stored only as a hash."""
    from api import admin as admin_cases

    url = _prepare(get_settings())

    async def work(factory):  # type: ignore[no-untyped-def]
        org = await _organization_id(factory, organization)
        uow = SqlUnitOfWork(factory, actor=_cli_actor(), clock=system_clock, request_id="cli")
        from datetime import UTC

        return await admin_cases.create_api_token(
            uow,
            name=name,
            organization_id=org,
            expires_at=expires.replace(tzinfo=UTC) if expires else None,
            operation="api-token:create",
        )

    try:
        created = _run(url, work)
    except DomainError as error:
        _report(error)
    console.print("Store this token now; it will not be shown again:")
    print(created.token)


# Operator commands (issue 8): audit-chain verification, backup and restore.
from api import ops_commands  # noqa: E402 — registered after the app exists

app.command("verify-audit")(ops_commands.verify_audit)
app.command("backup")(ops_commands.backup)
app.command("restore")(ops_commands.restore)
