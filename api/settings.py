"""Configuration from the environment (prefix YK_, plus the conventional DATABASE_URL) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105 (a development default, refused in production)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YK_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "YK_DATABASE_URL")
    )
    data_dir: Path = PROJECT_ROOT / ".pgdata"
    environment: Literal["development", "production"] = "development"
    token_secret: SecretStr = SecretStr(DEV_SECRET)
    token_ttl_minutes: int = 8 * 60
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
    max_upload_mb: int = 50

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    request_timeout_seconds: float = 30.0  # a whole GraphQL request, above the statement timeout
    rate_limit_per_minute: int = 600  # per bearer token; 0 turns rate limiting off
    rate_limit_anonymous_per_minute: int = 120  # per client address, for requests without a token
    webhook_worker: bool = True  # deliver webhooks from this process (several processes may; they share)
    webhook_poll_seconds: float = 1.0
    webhook_backoff_seconds: float = 5.0  # first retry delay; doubles per attempt
    notification_worker: bool = True  # issue 5: obligation notices (safe in several processes)
    notification_interval_seconds: float = 300.0
    # Live subscriptions wake on NOTIFY; they also look again this often, in case a notice was lost.
    live_poll_seconds: float = 5.0
    trusted_documents: Path | None = None  # production: only these operations run (api/trusted_documents.py)

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def check(self) -> None:
        """Refuse to run production on the development secret."""
        if self.production and self.token_secret.get_secret_value() == DEV_SECRET:
            raise RuntimeError("YK_TOKEN_SECRET must be set in production")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def database_url(settings: Settings, *, stop_on_exit: bool = True) -> str:
    """DATABASE_URL when set (normalised to asyncpg); otherwise the embedded server in data_dir."""
    if settings.database_url:
        url = settings.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        return url
    from store import embedded

    return embedded.start(settings.data_dir, stop_on_exit=stop_on_exit)
