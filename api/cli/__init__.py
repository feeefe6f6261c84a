"""Command line: serve, migrate, create-user, create-token, disable-user, enable-user, reset-password,
seed-demo."""

from __future__ import annotations

import asyncio
import getpass
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.logs import configure_logging
from api.settings import Settings, database_urls, get_settings
from domain.activation import IssuedActivation
from domain.actors import ADMIN_ROLE, Actor
from domain.clock import system_clock
from domain.errors import DomainError, NotFound
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


def _cli_uow(factory: async_sessionmaker[AsyncSession]) -> SqlUnitOfWork:
    """A use case's unit of work run by the operator: audited as `cli:<login>`, request id `cli`."""
    return SqlUnitOfWork(factory, actor=_cli_actor(), clock=system_clock, request_id="cli")


def _prepare(settings: Settings) -> str:
    """Migrate as the owner role, grant the runtime role; return the URL the API uses (the runtime role)."""
    configure_logging(settings.log_level, json=settings.log_json)
    urls = database_urls(settings)
    migrations.upgrade(urls.owner, runtime_role=urls.runtime_role)
    return urls.app


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

    settings = get_settings()
    url = _prepare(settings)
    if demo and not settings.production:
        _seed_demo_and_report(url, quiet_if_present=True)
    bind_host, bind_port = host or settings.host, port or settings.port
    processes = workers or settings.workers
    proxy = proxy_options(settings)
    console.print(
        f"[bold]GraphiQL[/bold]: http://{bind_host}:{bind_port}/graphql  (demo password: see README)"
    )
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting through SystemExit lets the embedded
    # server's atexit hook stop PostgreSQL instead of leaving it running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if processes > 1:
        # Each worker builds its own app on the server this process prepared (nothing is shared in memory:
        # policy changes, rate limits and background jobs already go through PostgreSQL). The workers
        # connect as the runtime role: the migration URL is not theirs. Each worker accepts on its own
        # SO_REUSEPORT socket (api/serving.py): with uvicorn's one shared socket the first worker to wake
        # took a whole burst of kept-alive connections.
        os.environ["DATABASE_URL"] = url
        os.environ.pop("MIGRATION_DATABASE_URL", None)
        os.environ.pop("YK_MIGRATION_DATABASE_URL", None)
        serving.run(
            "api.app:app_from_environment",
            factory=True,
            workers=processes,
            host=bind_host,
            port=bind_port,
            log_config=None,
            access_log=False,
            **proxy,
        )
        return
    uvicorn.run(
        create_app(settings, database_url=url),
        host=bind_host,
        port=bind_port,
        log_config=None,
        access_log=False,
        **proxy,
    )


def proxy_options(settings: Settings) -> dict[str, object]:
    """uvicorn believes X-Forwarded-For only from YK_TRUSTED_PROXIES; by default from nobody (uvicorn's own
    default trusts 127.0.0.1, so a local client could choose the address its limits are counted on)."""
    trusted = settings.trusted_proxy_list
    if not trusted:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted)}


@app.command()
def migrate() -> None:
    """alembic upgrade head on the configured database."""
    _prepare(get_settings())
    console.print("database at head")


@app.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo organizations, users and projects (once; later runs do nothing)."""
    _seed_demo_and_report(_prepare(get_settings()), quiet_if_present=False)


def _seed_demo_and_report(url: str, *, quiet_if_present: bool) -> None:
    """Load the demo once and say so in one line, with what was loaded and how to sign in."""
    from api.cli.demo import DEMO_PASSWORD, seed_demo

    async def work(factory) -> tuple[bool, int, int]:  # type: ignore[no-untyped-def]
        loaded = await seed_demo(factory, system_clock)
        async with factory() as session:
            users = (await session.execute(select(func.count()).select_from(tables.users))).scalar_one()
            projects = (await session.execute(select(func.count()).select_from(tables.projects))).scalar_one()
        return loaded, int(users), int(projects)

    loaded, users, projects = _run(url, work)
    if loaded:
        console.print(
            f"demo data loaded: {users} users, {projects} projects "
            f"(password for all: {DEMO_PASSWORD}; accounts in README.md)",
            soft_wrap=True,
        )
    elif not quiet_if_present:
        console.print(f"demo data already present: {users} users, {projects} projects", soft_wrap=True)


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


def _read_password() -> str:
    """Asked twice, hidden, at a terminal; one line of standard input otherwise (a pipe or a script), where
    getpass could not hide anything and would warn (GetPassWarning)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        typer.prompt(
            "密码 / Password",
            hide_input=True,
            confirmation_prompt="再次输入 / Repeat the password",
        )
    )


def _password_unless_activation(password: str | None, activation: bool) -> str | None:
    """None with --activation (a typed password as well is refused: it would not be set); else the password."""
    if activation and password is not None:
        console.print("[red]--password and --activation exclude each other[/red]")
        raise typer.Exit(2)
    if activation:
        return None
    return password if password is not None else _read_password()


def _print_activation(username: str, issued: IssuedActivation) -> None:
    """The token alone on the last line (scripts read it there), shown this once."""
    console.print(
        f"Hand this one-time activation token to {username} (valid until "
        f"{issued.expires_at.isoformat()}); it will not be shown again:"
    )
    print(issued.token)


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
    from api import schema_contract

    committed = (
        schema_contract.SCHEMA_FILE.read_text(encoding="utf-8")
        if schema_contract.SCHEMA_FILE.exists()
        else None
    )
    changelog = (
        schema_contract.CHANGELOG_FILE.read_text(encoding="utf-8")
        if schema_contract.CHANGELOG_FILE.exists()
        else ""
    )
    pending = (
        schema_contract.unacknowledged_breaking_changes(committed, schema_contract.current_sdl(), changelog)
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
    console.print(f"wrote {schema_contract.write_schema_file()}")


@app.command("permissions-doc")
def permissions_doc() -> None:
    """Rebuild docs/permissions.md (roles × operations, scopes, articles) from authz/policy.csv."""
    from authz import matrix

    console.print(f"wrote {matrix.write()}")


@app.command("rules-doc")
def rules_doc() -> None:
    """Rebuild docs/rules.md (rule id, article, summary, enforcing modules, tests) from domain/rules.py."""
    from api import rules_doc as catalogue

    console.print(f"wrote {catalogue.write()}")


@app.command("errors-doc")
def errors_doc() -> None:
    """Rebuild docs/errors.md (top-level codes and user error codes) from the error catalogues."""
    from api import error_docs

    console.print(f"wrote {error_docs.write()}")


@app.command("webhooks-doc")
def webhooks_doc() -> None:
    """Rebuild docs/webhooks.md and docs/webhooks.schema.json (event types, payload schema, retries)."""
    from api import webhooks_doc as guide

    doc, schema = guide.write()
    console.print(f"wrote {doc} and {schema}")


@app.command("create-user")
def create_user(
    username: Annotated[str, typer.Option(help="Login name.")],
    organization: Annotated[str, typer.Option(help="The organization's exact name, e.g. 营口市教育局.")],
    display_name: Annotated[str, typer.Option(help="Display name.")] = "",
    admin: Annotated[bool, typer.Option(help="Administrator (Big Data Bureau staff only).")] = False,
    password: Annotated[
        str | None,
        typer.Option(
            help="The password (12–128 characters). Leave it out to be asked twice with the input "
            "hidden, or pipe it on standard input: a password on the command line stays in the shell's "
            "history and shows in `ps`."
        ),
    ] = None,
    activation: Annotated[
        bool,
        typer.Option(
            "--activation",
            help="Set no password: print a one-time activation token for the person to set their own "
            "(accountActivate), as userCreate does over the API.",
        ),
    ] = False,
) -> None:
    """Create a user in an existing organization.

    Meant for the operator on the server bootstrapping the first administrator, who types their own
    password. Everyone else is created by an administrator with userCreate (or with --activation here) and
    sets their own password with a one-time activation token: no administrator knows it."""
    from api.credentials import CREDENTIALS
    from domain.services import admin as admin_cases

    password = _password_unless_activation(password, activation)
    settings = get_settings()
    url = _prepare(settings)

    async def work(factory):  # type: ignore[no-untyped-def]
        org = await _organization_id(factory, organization)
        return await admin_cases.create_user(
            _cli_uow(factory),
            CREDENTIALS,
            username=username,
            display_name=display_name or username,
            password=password,
            organization_id=org,
            is_admin=admin,
            operation="user:create",
            activation_ttl=timedelta(hours=settings.activation_ttl_hours),
        )

    try:
        created = _run(url, work)
    except DomainError as error:
        _report(error)
    console.print(f"user {username} created (id {created.id})")
    if created.activation is not None:
        _print_activation(username, created.activation)


@app.command("create-token")
def create_token(
    name: Annotated[str, typer.Option(help="What the token is for.")],
    organization: Annotated[str, typer.Option(help="The integrator organization's exact name.")],
    expires: Annotated[datetime | None, typer.Option(help="Optional expiry (ISO 8601, UTC).")] = None,
) -> None:
    """Issue a read-only integrator API token; it is printed once and stored only as a hash."""
    from api.credentials import CREDENTIALS
    from domain.services import admin as admin_cases

    url = _prepare(get_settings())

    async def work(factory):  # type: ignore[no-untyped-def]
        org = await _organization_id(factory, organization)
        from datetime import UTC

        return await admin_cases.create_api_token(
            _cli_uow(factory),
            CREDENTIALS,
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


@dataclass
class _Deps:
    """What api/sessions.py's use cases need, outside a request."""

    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: object


def _deps(factory: async_sessionmaker[AsyncSession]) -> _Deps:
    return _Deps(factory.kw["bind"], factory, get_settings(), system_clock)


async def _user_id(factory, username: str) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        pk = (
            await session.execute(select(tables.users.c.id).where(tables.users.c.username == username))
        ).scalar()
    if pk is None:
        console.print(f"[red]no user named {username!r}[/red]")
        raise typer.Exit(2)
    return int(pk)


async def _set_active(factory, username: str, *, active: bool) -> None:  # type: ignore[no-untyped-def]
    from api import sessions

    await sessions.set_user_active(
        _deps(factory),  # type: ignore[arg-type]
        actor=_cli_actor(),
        user_id=await _user_id(factory, username),
        active=active,
        client=sessions.Client(request_id="cli"),
        operation="user:enable" if active else "user:disable",
    )


@app.command("disable-user")
def disable_user(username: Annotated[str, typer.Option(help="Login name.")]) -> None:
    """Disable a user: every session ends at once, in every API process; sign-in is refused."""
    url = _prepare(get_settings())
    _run(url, lambda factory: _set_active(factory, username, active=False))
    console.print(f"user {username} disabled")


@app.command("enable-user")
def enable_user(username: Annotated[str, typer.Option(help="Login name.")]) -> None:
    """Enable a disabled user again (the old sessions stay ended)."""
    url = _prepare(get_settings())
    _run(url, lambda factory: _set_active(factory, username, active=True))
    console.print(f"user {username} enabled")


@app.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Option(help="Login name.")],
    password: Annotated[
        str | None,
        typer.Option(
            help="The new password (12–128 characters), for an operator bootstrapping an administrator's "
            "account. Leave it out to be asked twice with the input hidden, or pipe it on standard input: a "
            "password on the command line stays in the shell's history and shows in `ps`."
        ),
    ] = None,
    activation: Annotated[
        bool,
        typer.Option(
            "--activation",
            help="Set no password: void the old one and print a one-time activation token for the person to "
            "set their own (accountActivate), as passwordReset does over the API.",
        ),
    ] = False,
) -> None:
    """Reset a user's password: every session ends, the reset is audited and recorded as a security event.

    With --activation (the way for everyone but the operator themself) the old password stops working and
    a one-time activation token is printed: no operator knows the new password. Without it the operator
    types the new password (12–128 characters, not the username, not a common one), as create-user."""
    from api import activation as activations
    from api import sessions
    from api.credentials import CREDENTIALS
    from domain.services import admin as admin_cases

    password = _password_unless_activation(password, activation)
    settings = get_settings()
    url = _prepare(settings)

    async def work(factory):  # type: ignore[no-untyped-def]
        user_id = await _user_id(factory, username)
        return await admin_cases.reset_password(
            _cli_uow(factory),
            CREDENTIALS,
            activations.security_log(_deps(factory), sessions.Client(request_id="cli")),  # type: ignore[arg-type]
            user_id=user_id,
            operation="user:password-reset",
            activation_ttl=timedelta(hours=settings.activation_ttl_hours),
            password=password,
        )

    try:
        reset = _run(url, work)
    except DomainError as error:
        _report(error)
    except NotFound:  # gone between the look-up and the reset
        console.print(f"[red]no user named {username!r}[/red]")
        raise typer.Exit(2) from None
    ended = len(reset.sessions_ended)
    if reset.activation is None:
        console.print(f"password of {username} reset; {ended} session(s) ended")
        return
    console.print(f"password of {username} voided; {ended} session(s) ended")
    _print_activation(username, reset.activation)


# Operator commands (issue 8): audit-chain verification, backup and restore.
from api.cli import ops as ops_commands  # noqa: E402 — registered after the app exists

app.command("verify-audit")(ops_commands.verify_audit)
app.command("backup")(ops_commands.backup)
app.command("restore")(ops_commands.restore)
