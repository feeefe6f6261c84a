"""An app factory for tests that run real uvicorn processes: `uvicorn tests.authz.live_app:app --factory`."""

from __future__ import annotations

import os

from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings

DATABASE_ENV = "YK_LIVE_DATABASE_URL"
TOKEN_SECRET = "live-process-test-secret-" + "y" * 40


def app() -> Starlette:
    settings = Settings(token_secret=TOKEN_SECRET, environment="development", token_ttl_minutes=60)
    return create_app(settings, database_url=os.environ[DATABASE_ENV])
