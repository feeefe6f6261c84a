"""Operations: Prometheus metrics at /metrics, and trusted documents (an allow-list) in production."""

from __future__ import annotations

import json

import httpx

from api.app import create_app
from api.trusted_documents import document_hash
from tests.utils import Api, error_codes, make_agencies

NAMED = "query ViewerRole { viewer { role } }"


async def test_metrics_count_requests_latency_by_operation_name_errors_and_pool_use(
    api, client, session_factory
):
    # given a signed-in unit, a named query, and a query without a token
    a = await make_agencies(api, session_factory, "unit")
    await api.data(NAMED, token=a.token["unit"])
    await api.gql(NAMED)
    # when Prometheus scrapes
    response = await client.get("/metrics")
    text = response.text
    # then requests, per-operation latency, errors by code and the pool are exposed
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert (
        'yk_graphql_operation_duration_seconds_count{operation_name="ViewerRole",operation_type="query"} 2.0'
        in text
    )
    assert 'yk_graphql_errors_total{code="UNAUTHENTICATED",operation_name="ViewerRole"} 1.0' in text
    assert 'yk_http_requests_total{method="POST",path="/graphql",status="200"}' in text
    assert "yk_db_pool_size " in text and "yk_db_pool_checked_out " in text


async def test_production_runs_only_trusted_documents_while_development_runs_anything(
    api, settings, engine, clock, session_factory, tmp_path
):
    # given an allow-list holding one document, and a production app using it
    a = await make_agencies(api, session_factory, "unit")
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({document_hash(NAMED): NAMED}), encoding="utf-8")
    production = settings.model_copy(
        update={"environment": "production", "trusted_documents": manifest, "token_ttl_minutes": 15}
    )
    app = create_app(production, engine=engine, clock=clock, policy_from_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://prod") as http:
        prod = Api(http)
        # when the listed document and an unlisted one are sent, in production and in development
        listed = await prod.gql(NAMED, token=a.token["unit"])
        unlisted = await prod.gql("query { viewer { role organization { name } } }", token=a.token["unit"])
    anything = await api.gql("query { viewer { role organization { name } } }", token=a.token["unit"])
    # then production runs only the listed one; development runs both
    assert listed["data"]["viewer"]["role"] == "unit"
    assert error_codes(unlisted) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "errors" not in anything
