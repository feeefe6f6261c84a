"""GraphiQL served entirely by the API: the page and its vendored JavaScript/CSS (see static/LICENSES.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_PATH = "/graphiql/static"


@cache
def page_html() -> str:
    """The GraphiQL page; it posts to the URL it was loaded from (GET /graphql → POST /graphql)."""
    return (HERE / "page.html").read_text(encoding="utf-8")


def static_mount() -> Mount:
    return Mount(STATIC_PATH, app=StaticFiles(directory=STATIC_DIR), name="graphiql-static")
