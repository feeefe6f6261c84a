"""Every mistake has its typed error: a code of the catalogue, the variable and path, zh/en, right status."""

from __future__ import annotations

from typing import Any

import pytest
import structlog.testing

from api.errors import TOP_LEVEL_CODES
from tests.api.projects_helpers import CREATE, draft_input
from tests.utils import error_codes, make_agencies

MODERN = "application/graphql-response+json"
PROJECTS = "query($f: Int) { projects(first: $f) { totalCount } }"


async def _post(client: Any, body: Any, *, accept: str | None = None, lang: str | None = None, token=None):
    headers = {k: v for k, v in {"Accept": accept, "Accept-Language": lang}.items() if v}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize(
    ("variables", "path", "reason"),
    [
        ({"input": 42}, ["input"], "not-an-object"),
        ({"input": {}}, ["input", "name"], "missing-field"),
        ({"input": {**draft_input(), "nope": 1}}, ["input", "nope"], "unknown-field"),
        ({"input": None}, ["input"], "null"),
        ({}, ["input"], "required"),
        ({"input": draft_input(totalInvestment="1.234")}, ["input", "totalInvestment"], "invalid-value"),
        ({"input": draft_input(kind="NOPE")}, ["input", "kind"], "unknown-enum-value"),
    ],
)
async def test_a_mutation_input_of_the_wrong_shape_is_bad_user_input_naming_path_and_reason(
    api, client, session_factory, variables, path, reason
):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when it sends a wrong `input` variable
    with structlog.testing.capture_logs() as logs:
        response = await _post(client, {"query": CREATE, "variables": variables}, token=a.token["unit"])
    # then HTTP 200 (application/json), BAD_USER_INPUT naming the variable, the path and the reason
    body = response.json()
    assert response.status_code == 200 and body["data"] is None
    error = next(e for e in body["errors"] if e["extensions"]["path"] == path)
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "variable": "input",
        "path": path,
        "reason": reason,
    }
    assert error["message"].startswith("变量 $input")
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}
    # and nothing was logged at error level (a client's mistake is not an incident)
    assert [entry for entry in logs if entry["log_level"] == "error"] == []


async def test_a_string_for_an_int_is_bad_user_input_in_english_with_graphql_cores_detail(client):
    # when an anonymous client sends "abc" for Int, asking for English
    response = await _post(client, {"query": PROJECTS, "variables": {"f": "abc"}}, lang="en")
    # then graphql-core's own message, with the variable named
    error = response.json()["errors"][0]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "variable": "f",
        "path": ["f"],
        "reason": "wrong-type",
    }
    assert (
        error["message"] == "Variable '$f' has invalid value: Int cannot represent non-integer value: 'abc'"
    )


@pytest.mark.parametrize(
    ("query", "code", "zh"),
    [
        ("{ projects(first: 1 { totalCount } }", "GRAPHQL_PARSE_FAILED", "语法错误："),
        ("{ viewr { role } }", "GRAPHQL_VALIDATION_FAILED", "类型 'Query' 上没有字段 'viewr'。"),
        ('{ projects(first: "abc") { totalCount } }', "GRAPHQL_VALIDATION_FAILED", "Int 类型不能表示该值"),
        (
            "mutation { projectCreate { userErrors { code } } }",
            "GRAPHQL_VALIDATION_FAILED",
            "'Mutation.projectCreate' 缺少必填参数 'input'",
        ),
        ("query($x: Int) { viewer { role } }", "GRAPHQL_VALIDATION_FAILED", "变量 $x 已声明但未使用。"),
    ],
)
async def test_documents_that_do_not_parse_or_validate_have_their_own_codes(client, query, code, zh):
    # when sent
    response = await _post(client, {"query": query})
    # then the stage's code, and a Chinese message keeping the detail
    body = response.json()
    assert response.status_code == 200 and error_codes(body) == [code]
    assert body["errors"][0]["message"].startswith(zh)


async def test_graphql_response_json_answers_request_errors_400_without_data(client):
    # when a client accepting application/graphql-response+json sends a broken, an invalid and a
    # badly-typed request
    answers = [
        await _post(client, body, accept=MODERN)
        for body in (
            {"query": "{ projects("},
            {"query": "{ viewr { role } }"},
            {"query": PROJECTS, "variables": {"f": "abc"}},
        )
    ]
    # then each is HTTP 400 of that media type with no `data` entry
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert {a.headers["content-type"] for a in answers} == {f"{MODERN}; charset=utf-8"}
    assert ["data" in a.json() for a in answers] == [False, False, False]
    assert [error_codes(a.json()) for a in answers] == [
        ["GRAPHQL_PARSE_FAILED"],
        ["GRAPHQL_VALIDATION_FAILED"],
        ["BAD_USER_INPUT"],
    ]


async def test_graphql_response_json_keeps_200_and_data_for_errors_on_fields(client):
    # when an anonymous client asks for the viewer (a field error: it executed)
    response = await _post(client, {"query": "{ viewer { role } }"}, accept=MODERN)
    # then HTTP 200 with data
    assert response.status_code == 200 and response.headers["content-type"].startswith(MODERN)
    assert response.json()["data"] is None and error_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_application_json_clients_keep_http_200_and_data_null(client):
    # when an older client (application/json) sends an invalid document
    response = await _post(client, {"query": "{ viewr { role } }"}, accept="application/json")
    # then as before: HTTP 200, application/json, data null
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert "data" in response.json() and response.json()["data"] is None


@pytest.mark.parametrize("accept", [None, MODERN])
async def test_refusals_before_graphql_runs_are_coded_json_not_plain_text(client, accept):
    # when the body is not JSON, a mutation comes over GET, and variables are not an object
    headers = {"Accept": accept} if accept else {}
    not_json = await client.post(
        "/graphql", content=b"{query", headers={**headers, "Content-Type": "application/json"}
    )
    over_get = await client.get(
        "/graphql",
        params={"query": 'mutation { login(input: {username: "a", password: "b"}) { token } }'},
        headers=headers,
    )
    bad_variables = await client.post(
        "/graphql", json={"query": "{ viewer { role } }", "variables": 3}, headers=headers
    )
    # then each is a JSON error body with a catalogue code, in the negotiated media type
    answers = [not_json, over_get, bad_variables]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert [error_codes(a.json()) for a in answers] == [
        ["GRAPHQL_PARSE_FAILED"],
        ["BAD_USER_INPUT"],
        ["BAD_USER_INPUT"],
    ]
    expected = f"{MODERN}; charset=utf-8" if accept else "application/json"
    assert {a.headers["content-type"] for a in answers} == {expected}


async def test_an_unknown_operation_name_is_a_validation_failure(client):
    # when the operation asked for is not in the document
    response = await client.post(
        "/graphql", json={"query": "query A { viewer { role } }", "operationName": "B"}
    )
    # then
    assert response.status_code == 400 and error_codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_a_refusal_of_the_domain_carries_a_user_error_code_of_the_enum_and_its_rule(
    api, session_factory
):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when it creates a project off the government cloud without a reason (R6)
    body = await api.data(
        CREATE, {"input": draft_input(deploysOnGovernmentCloud=False)}, token=a.token["unit"], lang="en"
    )
    # then the code is one of the enum, with rule and article
    errors = body["projectCreate"]["userErrors"]
    assert [(e["code"], e["rule"], e["article"]) for e in errors] == [
        ("PLATFORM_EXEMPTION_REASON_REQUIRED", "R6", "Art. 6")
    ]


async def test_every_code_answered_here_is_in_the_catalogue(client):
    # given a spread of mistakes
    bodies = [{"query": q} for q in ("{", "{ nope }", "{ viewer { role } }")]
    # when sent
    codes = [c for body in bodies for c in error_codes((await _post(client, body)).json())]
    # then
    assert codes and set(codes) <= set(TOP_LEVEL_CODES)
