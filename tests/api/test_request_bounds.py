"""Bounded requests (issue 13.1): body limits enforced while reading, uploads only authenticated and with the
preflight header, variables depth, caches bounded in bytes — each just under and just over its limit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from api import limits
from api.app import create_app
from api.bounds import MULTIPART_OVERHEAD_BYTES
from tests.utils import make_agencies

KB = 1024
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UPLOAD = (
    "mutation($i: ApprovalDocumentSubmitInput!) { approvalDocumentSubmit(input: $i) "
    "{ document { id } userErrors { code } } }"
)


def _padded(total: int) -> bytes:
    """A valid JSON GraphQL request of exactly `total` bytes (the padding is an unused variable)."""
    empty = json.dumps({"query": "{ __typename }", "variables": {"pad": ""}})
    return json.dumps({"query": "{ __typename }", "variables": {"pad": "x" * (total - len(empty))}}).encode()


class Counted:
    """A request body sent in chunks (no Content-Length: chunked), remembering how much was taken."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks, self.taken = chunks, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.taken += len(chunk)
            yield chunk


@pytest.fixture
async def small_uploads(settings, engine, clock) -> AsyncIterator[httpx.AsyncClient]:
    """The API with a 1 MB upload limit."""
    app = create_app(
        settings.model_copy(update={"max_upload_mb": 1}),
        engine=engine,
        clock=clock,
        policy_from_database=False,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bounds") as http:
        yield http


def _multipart_body(file: bytes, boundary: str = "yk-boundary", summary: str = "") -> bytes:
    operations = json.dumps(
        {
            "query": UPLOAD,
            "variables": {
                "i": {
                    "projectId": "UHJvamVjdDox",
                    "type": "PROPOSAL",
                    "requestedInvestment": "1.00",
                    "summary": summary,
                    "attachments": [{"file": None}],
                }
            },
        }
    )
    parts = [
        (b'Content-Disposition: form-data; name="operations"\r\n\r\n', operations.encode()),
        (b'Content-Disposition: form-data; name="map"\r\n\r\n', b'{"0": ["variables.i.attachments.0.file"]}'),
        (
            b'Content-Disposition: form-data; name="0"; filename="a.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n",
            file,
        ),
    ]
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + head + data + b"\r\n" for head, data in parts)
    return body + b"--" + boundary.encode() + b"--\r\n"


MULTIPART = {"Content-Type": "multipart/form-data; boundary=yk-boundary"}


@pytest.mark.parametrize(("size", "status"), [(100 * KB, 200), (100 * KB + 1, 413)])
async def test_a_json_request_is_at_most_100_kb(client, size, status):
    # given a request of exactly `size` bytes
    body = _padded(size)
    assert len(body) == size
    # when it is posted (with Content-Length)
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    # then up to the limit it runs; past it, 413 with a coded JSON error
    assert response.status_code == status
    if status == 200:
        assert response.json()["data"] == {"__typename": "Query"}, response.text
    else:
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "max": 100 * KB}
        assert "请求体过大" in error["message"]


async def test_a_chunked_body_is_refused_while_it_is_read_and_the_rest_is_never_read(client):
    # given a 64 MB body sent in 64 KB chunks, without Content-Length
    body = Counted([b"#" * (64 * KB)] * 1024)
    # when it is posted
    response = await client.post(
        "/graphql",
        content=body,
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    # then it is refused as soon as it passed 100 KB: 413, in English, having read two chunks more at most
    assert response.status_code == 413
    assert response.json()["errors"][0] == {
        "message": f"The request body is too large: at most {100 * KB} bytes.",
        "extensions": {"code": "PAYLOAD_TOO_LARGE", "max": 100 * KB},
    }
    assert body.taken <= 100 * KB + 2 * 64 * KB


async def test_a_chunked_body_just_under_the_limit_runs(client):
    # given a valid request of 100 KB sent in 10 KB chunks, without Content-Length
    raw = _padded(100 * KB)
    body = Counted([raw[i : i + 10 * KB] for i in range(0, len(raw), 10 * KB)])
    # when it is posted
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    # then it runs
    assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}


async def test_an_upload_without_the_preflight_header_is_refused_so_no_other_site_can_post_one(
    small_uploads, api, session_factory
):
    # given a signed-in unit and a multipart upload without GraphQL-Preflight (what a cross-site form sends)
    a = await make_agencies(api, session_factory, "unit")
    # when it is posted
    response = await small_uploads.post(
        "/graphql",
        content=_multipart_body(PDF),
        headers={**MULTIPART, "Authorization": f"Bearer {a.token['unit']}"},
    )
    # then it is refused before anything runs
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "PREFLIGHT_REQUIRED"}


@pytest.mark.parametrize(("authorization", "reason"), [(None, "missing"), ("Bearer not-a-token", "invalid")])
async def test_an_upload_without_a_valid_credential_is_refused_before_its_body_is_read(
    small_uploads, authorization, reason
):
    # given a 60 MB multipart body, sent in chunks, with no or a bad credential
    body = Counted([_multipart_body(PDF)[:1000]] + [b"0" * (64 * KB)] * 960)
    headers = {**MULTIPART, "GraphQL-Preflight": "1"}
    if authorization:
        headers["Authorization"] = authorization
    # when it is posted
    response = await small_uploads.post("/graphql", content=body, headers=headers)
    # then 401 UNAUTHENTICATED, and not one byte of the body was taken
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": reason}
    assert body.taken == 0


@pytest.mark.parametrize(("over", "status"), [(0, 200), (1, 413)])
async def test_a_multipart_request_is_at_most_the_upload_limit_and_its_parts(
    small_uploads, api, session_factory, over, status
):
    # given a signed-in unit and a multipart body exactly at (or one byte over) 1 MB + 100 KB + overhead
    a = await make_agencies(api, session_factory, "unit")
    limit = 1024 * KB + 100 * KB + MULTIPART_OVERHEAD_BYTES
    filler = limit + over - len(_multipart_body(b""))
    body = _multipart_body(PDF + b"0" * (filler - len(PDF)))
    assert len(body) == limit + over
    # when it is posted with the preflight header
    response = await small_uploads.post(
        "/graphql",
        content=body,
        headers={**MULTIPART, "GraphQL-Preflight": "1", "Authorization": f"Bearer {a.token['unit']}"},
    )
    # then under the limit it reaches the mutation (which refuses the 1.16 MB file by the per-file limit);
    # over it, 413 before the mutation runs
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["data"]["approvalDocumentSubmit"]["userErrors"] == [{"code": "FILE_TOO_LARGE"}]
    else:
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(("over", "refused"), [(0, False), (1, True)])
async def test_a_spooled_file_at_the_upload_limit_passes_the_checks_and_one_byte_over_is_too_large(
    small_uploads, api, session_factory, over, refused
):
    # given a signed-in unit and a PDF of exactly 1 MB (or one byte more), spooled to disk by the parser
    a = await make_agencies(api, session_factory, "unit")
    file = PDF + b"0" * (1024 * KB + over - len(PDF))
    # when it is posted for a project that does not exist
    response = await small_uploads.post(
        "/graphql",
        content=_multipart_body(file),
        headers={**MULTIPART, "GraphQL-Preflight": "1", "Authorization": f"Bearer {a.token['unit']}"},
    )
    # then at the limit the file passes its checks (read in chunks) and the project is looked up: NOT_FOUND;
    # one byte over, FILE_TOO_LARGE before anything else
    body = response.json()
    if refused:
        assert body["data"]["approvalDocumentSubmit"]["userErrors"] == [{"code": "FILE_TOO_LARGE"}]
    else:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"], body


async def test_the_document_part_of_a_multipart_request_is_at_most_100_kb(
    small_uploads, api, session_factory
):
    # given a signed-in unit and an upload whose operations part is 110 KB
    a = await make_agencies(api, session_factory, "unit")
    body = _multipart_body(PDF, summary="x" * (110 * KB))
    # when it is posted with the preflight header
    response = await small_uploads.post(
        "/graphql",
        content=body,
        headers={**MULTIPART, "GraphQL-Preflight": "1", "Authorization": f"Bearer {a.token['unit']}"},
    )
    # then 413 naming the document limit
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "max": 100 * KB}


@pytest.mark.parametrize(("depth", "refused"), [(20, False), (21, True), (1000, True)])
async def test_variables_nest_at_most_20_deep(client, depth, refused):
    # given a variable nesting `depth` lists (written by hand: json.dumps would recurse too deeply)
    body = '{"query": "{ __typename }", "variables": {"deep": ' + "[" * depth + "1" + "]" * depth + "}}"
    # when it is sent
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json", "Accept-Language": "en"}
    )
    # then up to 20 the query runs; beyond, a coded refusal (never an HTTP 500)
    assert response.status_code == 200
    if refused:
        assert response.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "limit": "variablesDepth",
            "max": 20,
            "actual": 21,
        }
        assert response.json()["errors"][0]["message"] == "The variables nest too deeply: at most 20 levels."
    else:
        assert response.json() == {"data": {"__typename": "Query"}}


async def test_json_nested_beyond_what_the_parser_takes_is_a_400_not_a_500(client):
    # given a body nesting 5,000 arrays
    body = '{"query": "{ __typename }", "variables": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"
    # when it is posted
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    # then a 400, not a 500
    assert response.status_code == 400


async def test_the_parse_and_validation_caches_are_bounded_in_bytes_of_document_text(api):
    # given 30 distinct documents of ~90 KB each (2.7 MB, above the caches' 512 KB budget)
    documents = [f"# {i}\n# " + "x" * (90 * KB) + "\n{ __typename }" for i in range(30)]
    # when each is sent
    for document in documents:
        assert (await api.gql(document)) == {"data": {"__typename": "Query"}}
    # then each cache holds at most its budget of document text
    assert 0 < limits._parsed.weight <= limits.CACHE_DOCUMENT_BYTES
    assert 0 < limits._validated.weight <= limits.CACHE_DOCUMENT_BYTES
