"""The yardstick: Starlette + asyncpg + orjson returning the project list's JSON straight from SQL.

Run by bench/list_vs_raw.py as `python -m api.serving bench.raw_app:app` (the API's serving path); no GraphQL,
no ORM, no authorization.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.common import libpq

PAGE = """
    SELECT p.id, p.code, p.name, p.status, p.total_investment::text AS total_investment, p.version,
           o.id AS org_id, o.name AS org_name
    FROM projects p JOIN organizations o ON o.id = p.lead_organization_id
    ORDER BY p.id DESC LIMIT $1
"""
COUNT = "SELECT count(*) FROM projects"


def _gid(kind: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{pk}".encode()).decode().rstrip("=")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(**libpq(os.environ["DATABASE_URL"]), min_size=10, max_size=10)
    yield
    await app.state.pool.close()


async def projects(request: Request) -> Response:
    first = int(request.query_params.get("first", "50"))
    async with request.app.state.pool.acquire() as connection:
        rows = await connection.fetch(PAGE, first)
        total = await connection.fetchval(COUNT)
    edges = [
        {
            "node": {
                "id": _gid("Project", r["id"]),
                "code": r["code"],
                "name": r["name"],
                "status": r["status"],
                "totalInvestment": r["total_investment"],
                "version": r["version"],
                "leadOrganization": {"id": _gid("Organization", r["org_id"]), "name": r["org_name"]},
            }
        }
        for r in rows
    ]
    body = {"data": {"projects": {"totalCount": total, "edges": edges}}}
    return Response(orjson.dumps(body), media_type="application/json")


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/projects", projects), Route("/healthz", healthz)], lifespan=lifespan)
