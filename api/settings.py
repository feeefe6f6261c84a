"""Configuration from the environment (prefix YK_, plus the conventional DATABASE_URL) or a .env file."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from store.roles import DatabaseUrls

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_BYTES = 32
MAX_ACCESS_TOKEN_MINUTES = 15
DEV_SECRET = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105 (a development default, refused in production)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YK_", env_file=".env", extra="ignore")

    # The API's connection: with separate roles, the runtime role (store/roles.py), never a superuser.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "YK_DATABASE_URL")
    )
    # The owner role's connection, for migrations, backup and restore; DATABASE_URL when unset (one role
    # for everything). Only read together with DATABASE_URL: the embedded server makes both roles itself.
    migration_database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MIGRATION_DATABASE_URL", "YK_MIGRATION_DATABASE_URL"),
    )
    data_dir: Path = PROJECT_ROOT / ".pgdata"
    environment: Literal["development", "production"] = "development"
    token_secret: SecretStr = SecretStr(DEV_SECRET)
    # Access tokens live this long (issue 13: short, ≤ 15 in production); a refresh token gets the next one.
    token_ttl_minutes: int = 15
    session_ttl_minutes: int = (
        8 * 60
    )  # a sign-in's refresh tokens work this long after it, then sign in again
    # Sign-in throttling (OWASP): after the n-th failure the next attempt waits base × 2^(n−1) s (at most
    # the max); this many failures lock the username / the client address for the lockout's minutes.
    login_max_failures_per_username: int = 5
    login_max_failures_per_address: int = 20
    login_address_free_failures: int = 5  # an address's first failures cost no delay (offices share one)
    login_lockout_minutes: int = 15
    login_delay_base_seconds: float = 1.0
    login_delay_max_seconds: float = 30.0
    # Issue 13.4a: a new user's (or a reset password's) one-time activation token works this long.
    activation_ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    # Comma-separated addresses (IPs or CIDR networks) of the reverse proxies whose X-Forwarded-For is
    # believed; none by default, so a client cannot pick its own address (rate limits and login
    # throttling count per address). `serve` hands them to uvicorn (forwarded_allow_ips).
    trusted_proxies: str = ""

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1  # API processes behind one port (`serve --workers`); several may run anywhere
    log_level: str = "INFO"
    log_json: bool = False
    # Connections each API process keeps. Size it to the requests a process serves at once (each holds one
    # or two for a moment): a connection beyond it is opened and closed per use, ~1–2 ms of CPU on both sides
    # (measured: with 10 at 16 requests per process, ~90 new connections a second and 35 % less throughput).
    # PostgreSQL's max_connections must cover processes × (pool + overflow).
    db_pool_size: int = 30
    db_max_overflow: int = 10
    db_pre_ping: bool = False  # store/engine.py: a restart costs one failed request instead of a ping each
    statement_timeout_ms: int = 15_000
    # Issue 17: streaming read replicas (the runtime role's URLs, comma-separated); none: all on the primary.
    # GraphQL queries and /export/* read from one in rotation (api/read_replicas.py); mutations, the
    # credential check and subscriptions stay on the primary. Each replica gets a pool like the primary's.
    replica_urls: Annotated[list[str], NoDecode] = []  # YK_REPLICA_URLS=postgresql://app@r1/yk,postgresql://…
    replica_max_lag_seconds: float = 5.0  # further behind: out of rotation until it catches up
    replica_max_lag_bytes: int = 64 * 1024 * 1024
    # A client's read after its own write waits this long for a replica to replay it, then reads the primary.
    replica_wait_ms: int = 200
    replica_check_seconds: float = 1.0  # how often each process looks at every replica's lag
    max_upload_mb: int = 50
    # Issue 17: a project list made of plain columns is answered from one statement whose JSON PostgreSQL
    # writes (api/graphql/projects/compiled.py); off, the generic strawberry path answers every request.
    compiled_list: bool = True

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    request_timeout_seconds: float = 30.0  # a whole GraphQL request, above the statement timeout
    rate_limit_per_minute: int = 600  # per signed-in user or API token; 0 turns rate limiting off
    rate_limit_anonymous_per_minute: int = 120  # per client address: no credential, or one that fails
    # Issue 17: each process counts in memory and merges its counts into PostgreSQL this often (one
    # statement); processes may together admit up to processes × interval × rate beyond a limit.
    rate_limit_merge_ms: int = 250
    # Issue 17: live sessions and API tokens are cached per process, dropped in every process by NOTIFY;
    # an entry lives at most this long in case a notice is lost (0 turns the cache off).
    credential_cache_seconds: float = 30.0
    credential_cache_entries: int = 10_000  # per kind (sessions, API tokens), per process
    webhook_worker: bool = True  # deliver webhooks from this process (several processes may; they share)
    webhook_poll_seconds: float = 1.0
    webhook_backoff_seconds: float = 5.0  # first retry delay; doubles per attempt
    # Webhook targets never resolve to loopback, link-local or private addresses (SSRF) unless listed here,
    # e.g. '["10.20.0.0/16"]' for receivers on the government intranet (api/webhooks.py, TargetPolicy).
    webhook_allowed_networks: list[str] = []

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        """A mistyped network stops the start-up, not a later webhook creation."""
        return [str(ipaddress.ip_network(n.strip(), strict=False)) for n in value]

    notification_worker: bool = True  # issue 5: obligation notices (safe in several processes)
    notification_interval_seconds: float = 300.0
    # Live subscriptions wake on NOTIFY; they also look again this often, in case a notice was lost.
    live_poll_seconds: float = 5.0
    trusted_documents: Path | None = None  # production: only these operations run (api/trusted_documents.py)
    # Issue 13.1: a request body that is not multipart (the GraphQL document and its variables) is refused
    # with 413 while it is read, before any parsing. A multipart request may carry up to max_upload_mb.
    max_body_kb: int = 100
    max_variables_depth: int = 20  # nesting of lists/objects in `variables`; deeper is BAD_USER_INPUT
    # Issue 14.3: origins whose pages may call the API from a browser (CORS); none by default, never "*".
    cors_origins: Annotated[list[str], NoDecode] = []  # YK_CORS_ORIGINS=https://a.example,https://b.example
    # Issue 13.10: /metrics needs `Authorization: Bearer <token>`; without one configured it answers only
    # loopback clients in development and 404 in production.
    metrics_token: SecretStr | None = None
    metrics_max_operations: int = 100  # distinct operation-name labels; later names are counted as "other"

    @field_validator("cors_origins", "replica_urls", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard_origin(cls, origins: list[str]) -> list[str]:
        """A wildcard would let any site's page call the API with a user's token: name every origin."""
        for origin in origins:
            if origin.strip() in ("*", "null") or "*" in origin:
                raise ValueError("YK_CORS_ORIGINS must list origins (https://host[:port]); '*' is refused")
            if not origin.startswith(("http://", "https://")) or origin.rstrip("/") != origin:
                raise ValueError(f"YK_CORS_ORIGINS: {origin!r} is not an origin like https://host[:port]")
        return origins

    @property
    def max_body_bytes(self) -> int:
        return self.max_body_kb * 1024

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def check(self) -> None:
        """Refuse a wildcard CORS origin; in production the development secret, a short secret or long-lived tokens."""
        self._no_wildcard_origin(list(self.cors_origins))  # also for settings built without validation
        if not self.production:
            return
        secret = self.token_secret.get_secret_value()
        if secret == DEV_SECRET:
            raise RuntimeError("YK_TOKEN_SECRET must be set in production")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            # HS256 keys shorter than the hash (RFC 7518 §3.2) can be brute-forced from one token.
            raise RuntimeError(f"YK_TOKEN_SECRET must be at least {MIN_SECRET_BYTES} bytes in production")
        if self.token_ttl_minutes > MAX_ACCESS_TOKEN_MINUTES:
            raise RuntimeError(
                f"YK_TOKEN_TTL_MINUTES may be at most {MAX_ACCESS_TOKEN_MINUTES} in production (refresh instead)"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()


def _asyncpg(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def database_urls(settings: Settings, *, stop_on_exit: bool = True) -> DatabaseUrls:
    """The API's URL (runtime role) and the migrations' (owner role), normalised to asyncpg.

    DATABASE_URL and MIGRATION_DATABASE_URL when set (the latter defaulting to the former); otherwise the
    embedded server in data_dir, which creates both roles and a database the owner owns."""
    if settings.database_url:
        app = _asyncpg(settings.database_url)
        owner = _asyncpg(settings.migration_database_url) if settings.migration_database_url else app
        return DatabaseUrls(app=app, owner=owner)
    if settings.migration_database_url:
        raise RuntimeError("MIGRATION_DATABASE_URL needs DATABASE_URL (the API's own connection) as well")
    from store import embedded

    return embedded.start_with_roles(settings.data_dir, stop_on_exit=stop_on_exit)


def database_url(settings: Settings, *, stop_on_exit: bool = True) -> str:
    """Where the API connects: DATABASE_URL, or the embedded server's runtime role."""
    return database_urls(settings, stop_on_exit=stop_on_exit).app
