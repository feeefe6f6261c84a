"""Production does not teach its schema (issue 13.8), /metrics is not public and its labels are bounded
(issue 13.10), and only configured origins may call the API from a browser (issue 14.3)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from api.app import create_app
from api.settings import Settings
from api.trusted_documents import document_hash
from tests.utils import Api, make_agencies

NAMED = "query ViewerRole { viewer { role } }"
ORIGIN = "https://portal.yingkou.gov.cn"


@pytest.fixture
def production(settings, tmp_path) -> Settings:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({document_hash(NAMED): NAMED}), encoding="utf-8")
    return settings.model_copy(
        update={"token_ttl_minutes": 15, "environment": "production", "trusted_documents": manifest}
    )


async def _client(settings, engine, clock, **transport) -> httpx.AsyncClient:
    app = create_app(settings, engine=engine, clock=clock, policy_from_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, **transport), base_url="http://prod")


@pytest.fixture
async def prod(production, engine, clock) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(production, engine, clock) as http:
        yield http


async def test_every_untrusted_document_gets_one_identical_answer_in_production(prod, api, session_factory):
    # given a signed-in unit, and untrusted documents: a syntax error, an unknown field, a misspelt
    # argument, a known field, and the trusted document changed by one space
    a = await make_agencies(api, session_factory, "unit")
    documents = [
        "{ viewer { role ",
        "{ viewr { role } }",
        "{ projects(frist: 1) { totalCount } }",
        "{ projects(first: 1) { totalCount } }",
        NAMED + " ",
    ]
    # when each is sent
    answers = [(await Api(prod).post(d, token=a.token["unit"])).content for d in documents]
    trusted = await Api(prod).gql(NAMED, token=a.token["unit"])
    # then all answers are byte for byte the same refusal; the trusted document runs
    assert len(set(answers)) == 1
    assert json.loads(answers[0])["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}
    assert trusted["data"]["viewer"]["role"] == "unit"


async def test_a_trusted_document_may_be_sent_by_its_hash_alone(prod, api, session_factory):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    headers = {"Authorization": f"Bearer {a.token['unit']}"}
    # when only the hash of the trusted document is sent, and then an unknown hash
    known, unknown = [
        await prod.post(
            "/graphql",
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}},
            headers=headers,
        )
        for sha in (document_hash(NAMED), "0" * 64)
    ]
    # then the first runs the trusted document, the second is the usual refusal
    assert known.json()["data"]["viewer"]["role"] == "unit"
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "document",
    [
        "{ projects(frist: 1) { totalCount } }",  # an argument
        "{ projects(first: 1, filter: {yeer: 2026}) { totalCount } }",  # an input field
        "{ projects(first: 1, filter: {status: [PLANED]}) { totalCount } }",  # an enum value
        "{ viewr { role } }",  # a field
        "query($f: ProjectFiltr) { __typename }",  # a type
    ],
)
async def test_production_never_suggests_names(settings, engine, clock, document):
    # given production without trusted documents (every document runs)
    quiet = settings.model_copy(update={"token_ttl_minutes": 15, "environment": "production"})
    async with await _client(quiet, engine, clock) as http:
        # when a misspelt name is sent
        body = (await Api(http).post(document)).json()
    # then the error names the mistake but no schema name it might have meant
    messages = " ".join(e["message"] for e in body["errors"])
    assert body["errors"] and "Did you mean" not in messages


@pytest.fixture
async def quiet(settings, engine, clock) -> AsyncIterator[httpx.AsyncClient]:
    """Production without trusted documents: every document that validates runs."""
    configured = settings.model_copy(update={"token_ttl_minutes": 15, "environment": "production"})
    async with await _client(configured, engine, clock) as http:
        yield http


INVALID_DOCUMENTS = [
    "{ viewr { role } }",  # an unknown field
    "{ viewer { role(x: 1) } }",  # a known field with an unknown argument
    "{ viewer { organization } }",  # a known object field without a selection
    "{ viewer { role { name } } }",  # a known scalar field with one
    "{ projects(frist: 1) { totalCount } }",  # a misspelt argument
    "{ projects(first: 1, filter: {yeer: 2026}) { totalCount } }",  # an unknown input field
    "{ projects(first: 1, filter: {status: [PLANED]}) { totalCount } }",  # an unknown enum value
    "query($f: ProjectFiltr) { __typename }",  # an unknown type
    "query($f: ProjectFilter) { __typename }",  # a known type, unused variable
    "{ viewer { rolee } viewr }",  # two mistakes at once
]


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_production_answers_every_invalid_document_alike_naming_nothing(
    quiet, api, session_factory, lang
):
    # given a signed-in unit, in production without trusted documents
    a = await make_agencies(api, session_factory, "unit")
    # when documents that misuse known names and use unknown ones are sent
    answers = [
        (await Api(quiet).post(d, token=a.token["unit"], lang=lang)).content for d in INVALID_DOCUMENTS
    ]
    # then every answer is byte for byte the same: one GRAPHQL_VALIDATION_FAILED error with no name in it
    assert len(set(answers)) == 1
    body = json.loads(answers[0])
    assert body["data"] is None and len(body["errors"]) == 1
    assert body["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert "locations" not in body["errors"][0]
    for name in ("viewr", "viewer", "role", "projects", "frist", "first", "ProjectFilt", "status", "Query"):
        assert name not in body["errors"][0]["message"]
    # and a valid document still runs
    assert (await Api(quiet).gql(NAMED, token=a.token["unit"]))["data"]["viewer"]["role"] == "unit"


async def test_production_limits_still_explain_themselves(quiet, api, session_factory):
    # given production without trusted documents
    a = await make_agencies(api, session_factory, "unit")
    aliases = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(25)) + " }"
    # when a document asks for too many aliases
    body = (await Api(quiet).post(aliases, token=a.token["unit"])).json()
    # then the refusal keeps its own code: a limit teaches nothing about the schema
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_COMPLEX"]


async def test_development_still_suggests_names(api):
    # given development
    # when a misspelt argument is sent
    body = await api.gql("{ projects(frist: 1) { totalCount } }")
    # then the suggestion helps the developer (in Chinese by default: "是否要使用 'first'")
    assert "是否要使用 'first'" in body["errors"][0]["message"]


# /metrics (issue 13.10)


async def test_metrics_need_the_configured_token(settings, engine, clock):
    # given a metrics token
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-secret-0123456789")})
    async with await _client(guarded, engine, clock) as http:
        # when Prometheus scrapes without it, with a wrong one and with it
        missing = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer scrape-secret-x"})
        right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"})
    # then only the right token is answered
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert "yk_http_requests_total" in right.text and "yk_" not in wrong.text


@pytest.mark.parametrize(
    ("environment", "client", "status"),
    [
        ("development", ("127.0.0.1", 50000), 200),
        ("development", ("10.1.2.3", 50000), 404),
        ("production", ("127.0.0.1", 50000), 404),
    ],
)
async def test_metrics_without_a_token_answer_only_loopback_in_development(
    settings, engine, clock, environment, client, status
):
    # given no metrics token
    configured = settings.model_copy(update={"token_ttl_minutes": 15, "environment": environment})
    async with await _client(configured, engine, clock, client=client) as http:
        # when a client at `client` scrapes
        response = await http.get("/metrics")
    # then development answers loopback only; production nobody
    assert response.status_code == status


async def test_metrics_labels_only_known_operation_names(production, engine, clock):
    # given trusted documents naming ViewerRole, room for 3 other names (development runs any document)
    configured = production.model_copy(
        update={
            "environment": "development",
            "metrics_max_operations": 3,
            "rate_limit_anonymous_per_minute": 0,
        }
    )
    async with await _client(configured, engine, clock) as http:
        # when 150 distinct operation names are sent, then the trusted one
        for i in range(150):
            await http.post("/graphql", json={"query": f"query Op{i} {{ __typename }}"})
        await http.post("/graphql", json={"query": NAMED})
        text = (await http.get("/metrics")).text
    # then the first three names and the trusted one have labels, every other is "other"
    names = {
        line.split('operation_name="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("yk_graphql_operation_duration_seconds_count")
    }
    assert names == {"Op0", "Op1", "Op2", "ViewerRole", "other"}
    assert (
        'yk_graphql_operation_duration_seconds_count{operation_name="other",operation_type="query"} 147.0'
        in text
    )


# CORS (issue 14.3)


@pytest.fixture
async def cors(settings, engine, clock) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(update={"cors_origins": [ORIGIN]})
    async with await _client(configured, engine, clock) as http:
        yield http


def _preflight(origin: str, headers: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


async def test_a_preflight_from_an_allowed_origin_admits_the_headers_the_api_needs(cors):
    # given the headers a frontend sends, the upload's preflight header included
    needed = "authorization,content-type,accept-language,x-request-id,graphql-preflight"
    # when the browser asks before a POST
    response = await cors.options("/graphql", headers=_preflight(ORIGIN, needed))
    # then it may send them, from that origin only
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert set(needed.split(",")) <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_a_preflight_from_another_origin_is_refused(cors):
    # given a page on another site
    # when its browser asks before a POST
    response = await cors.options("/graphql", headers=_preflight("https://evil.example", "authorization"))
    # then it is refused and the browser will not send the request
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_answers_to_an_allowed_origin_expose_the_request_id_and_rate_limit(cors):
    # given a request from the allowed origin
    # when it is answered
    response = await cors.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": ORIGIN})
    # then the page may read the answer and the request id
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_without_configured_origins_there_are_no_cors_headers(client):
    # given the default settings (no origins)
    # when a browser asks
    response = await client.options("/graphql", headers=_preflight(ORIGIN, "authorization"))
    # then nothing is allowed
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("origins", ["*", "https://*.gov.cn", "null", "portal.yingkou.gov.cn"])
def test_settings_refuse_a_wildcard_or_malformed_origin(origins):
    # given a configured origin list that is not a list of origins
    # when the settings are read
    # then they are refused
    with pytest.raises(ValidationError):
        Settings(cors_origins=origins)


def test_settings_read_a_comma_separated_origin_list(monkeypatch):
    # given YK_CORS_ORIGINS as an operator writes it
    monkeypatch.setenv("YK_CORS_ORIGINS", f"{ORIGIN}, http://127.0.0.1:5173")
    # when the settings are read
    # then each origin is one entry
    assert Settings().cors_origins == [ORIGIN, "http://127.0.0.1:5173"]


def test_the_app_refuses_to_start_with_a_wildcard_origin_however_the_settings_were_built(settings, engine):
    # given settings copied with a wildcard origin (a copy skips validation)
    wildcard = settings.model_copy(update={"cors_origins": ["*"]})
    # when the app is built
    # then it refuses to start
    with pytest.raises(ValueError, match="refused"):
        create_app(wildcard, engine=engine, policy_from_database=False)
