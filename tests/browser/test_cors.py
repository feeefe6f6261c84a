"""CORS in a real browser (issue 14.3): a page on an allowed origin calls the API with fetch; a page on
another origin is blocked by Chromium, and cannot post an upload either."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from domain.actors import OrgType
from tests.browser.live import free_port, live_server
from tests.browser.test_graphiql_offline import browser  # noqa: F401 (the Chromium fixture)
from tests.utils import PASSWORD, make_org, make_user

PAGE = b"<!doctype html><html><head><meta charset='utf-8'><title>page</title></head><body>page</body></html>"

# Run in the page: a GraphQL request with the headers a frontend sends (they force a CORS preflight).
FETCH = """
const [api, token, done] = arguments;
fetch(api + '/graphql', {
  method: 'POST',
  headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token, 'Accept-Language': 'en'},
  body: JSON.stringify({query: '{ viewer { user { username } } }'}),
}).then(r => r.json()).then(j => done(JSON.stringify(j)), e => done('blocked: ' + e));
"""

# Run in the page: a multipart upload as a cross-site form would send it, with the preflight header.
UPLOAD = """
const [api, token, done] = arguments;
const form = new FormData();
form.append('operations', JSON.stringify({query: 'mutation { __typename }'}));
form.append('map', '{}');
fetch(api + '/graphql', {
  method: 'POST', body: form, headers: {'Authorization': 'Bearer ' + token, 'GraphQL-Preflight': '1'},
}).then(r => done('status ' + r.status), e => done('blocked: ' + e));
"""


@contextlib.contextmanager
def page_server() -> Iterator[str]:
    """A static page on its own origin (http://127.0.0.1:<port>)."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_only_a_page_on_an_allowed_origin_can_call_the_api(
    browser,  # noqa: F811
    settings,
    database_url,
    session_factory,
):
    # given a user, two pages on two origins, and the API allowing only the first
    org = await make_org(session_factory, OrgType.UNIT, name="测试-跨域单位")
    await make_user(session_factory, org, "cors.user")
    with page_server() as allowed, page_server() as other:
        configured = settings.model_copy(update={"cors_origins": [allowed]})
        with live_server(configured, database_url) as api:
            token = httpx.post(  # noqa: ASYNC210 (a one-off sign-in before the browser starts)
                f"{api}/graphql",
                json={
                    "query": "mutation($p: String!) { login(input: "
                    '{username: "cors.user", password: $p}) { token } }',
                    "variables": {"p": PASSWORD},
                },
            ).json()["data"]["login"]["token"]
            # when each page calls the API with fetch
            browser.set_script_timeout(20)
            browser.get(allowed)
            from_allowed = browser.execute_async_script(FETCH, api, token)
            browser.get(other)
            from_other = browser.execute_async_script(FETCH, api, token)
            upload_from_other = browser.execute_async_script(UPLOAD, api, token)
    # then the allowed page reads the answer; the other page's requests are blocked by the browser
    assert '"username":"cors.user"' in from_allowed, from_allowed
    assert from_other.startswith("blocked: TypeError"), from_other
    assert upload_from_other.startswith("blocked: TypeError"), upload_from_other
