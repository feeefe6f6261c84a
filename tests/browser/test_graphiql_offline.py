"""GraphiQL on an intranet: headless Chromium with the internet cut loads the page and gets data."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domain.actors import OrgType
from tests.browser.live import live_server
from tests.utils import PASSWORD, make_org, make_user

CANDIDATES = ("/usr/lib/chromium/chromium", shutil.which("chromium") or "")
CHROMIUM = next((p for p in CANDIDATES if p and Path(p).exists()), None)
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install chromium and chromium-driver (.ci/run does it with apt-get)")
        pytest.skip("chromium or chromedriver is not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="yk-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        # The internet is cut: every non-loopback request goes to a closed port (loopback stays
        # direct, Chromium's default bypass), so a CDN asset would fail to load.
        "--proxy-server=http://127.0.0.1:9",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_graphiql_page_links_only_assets_served_by_the_api():
    # given the GraphiQL page as the API serves it
    from api.graphiql import page_html

    html = page_html()
    # when its script and stylesheet addresses are collected
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    # then every one is a path on this API, none on a CDN
    assert urls and all(u.startswith("/graphiql/static/") or u.startswith("data:") for u in urls), urls


async def test_graphiql_loads_offline_and_a_typed_query_returns_data(
    browser, settings, database_url, session_factory
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    # given a live API with a user, and that user's token in GraphiQL's persisted headers
    org = await make_org(session_factory, OrgType.UNIT, name="测试-浏览器单位")
    await make_user(session_factory, org, "browser.user")
    with live_server(settings, database_url) as base:
        login = httpx.post(  # noqa: ASYNC210 (a one-off sign-in before the browser starts)
            f"{base}/graphql",
            json={
                "query": "mutation($p: String!) { login(input: "
                '{username: "browser.user", password: $p}) { token } }',
                "variables": {"p": PASSWORD},
            },
        ).json()
        token = login["data"]["login"]["token"]
        browser.get(f"{base}/graphql")
        browser.execute_script(
            "localStorage.setItem('graphiql:headers', arguments[0]);",
            json.dumps({"Authorization": f"Bearer {token}"}),
        )
        browser.refresh()
        wait = WebDriverWait(browser, 20)
        editor = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror"))
        # when a query is typed into the editor and run with Ctrl-Enter
        editor.click()
        active = browser.switch_to.active_element
        active.send_keys(Keys.CONTROL, "a")
        active.send_keys(Keys.DELETE)
        active.send_keys("{ viewer { user { username } } }")
        active.send_keys(Keys.CONTROL, Keys.ENTER)
        result = wait.until(
            lambda d: d.execute_script(
                "const r = document.querySelector('.graphiql-response .CodeMirror');"
                "return r && r.CodeMirror.getValue().includes('browser.user') ? r.CodeMirror.getValue() : null;"
            )
        )
        typed = browser.execute_script(
            "return document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue();"
        )
        cdn = browser.execute_async_script(
            "const done = arguments[0]; fetch('https://unpkg.com/graphiql@3.8.3/graphiql.min.css')"
            ".then(() => done('reachable'), () => done('unreachable'));"
        )
    # then the internet was cut for real, the typed query ran and GraphiQL shows the viewer's data
    assert cdn == "unreachable"
    assert typed == "{ viewer { user { username } } }"
    assert json.loads(result)["data"]["viewer"]["user"]["username"] == "browser.user"
