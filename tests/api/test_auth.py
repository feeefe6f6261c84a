"""Sign-in, tokens and the viewer, over HTTP against real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import jwt
from sqlalchemy import select

from domain.actors import OrgType
from store import tables
from tests.utils import PASSWORD, error_codes, make_agencies, make_org, make_user

VIEWER = "{ viewer { role operations user { username } organization { name type } } }"
LOGIN = (
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) "
    "{ token expiresAt viewer { role } userErrors { code field message } } }"
)


async def test_login_gives_a_token_the_viewer_can_use(api, session_factory):
    # given
    org = await make_org(session_factory, OrgType.UNIT, "营口市教育局")
    await make_user(session_factory, org, "edu.chen")
    # when
    login = (await api.data(LOGIN, {"u": "edu.chen", "p": PASSWORD}))["login"]
    viewer = (await api.data(VIEWER, token=login["token"]))["viewer"]
    # then
    assert login["userErrors"] == [] and login["viewer"]["role"] == "unit"
    assert viewer["user"]["username"] == "edu.chen"
    assert viewer["organization"] == {"name": "营口市教育局", "type": "UNIT"}
    assert "PROJECT_CREATE" in viewer["operations"] and "RESERVE_REVIEW_RECORD" not in viewer["operations"]


async def test_wrong_password_is_refused_without_a_token(api, session_factory):
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "edu.chen")

    wrong = (await api.data(LOGIN, {"u": "edu.chen", "p": "not the password"}))["login"]
    unknown = (await api.data(LOGIN, {"u": "nobody", "p": PASSWORD}, lang="en"))["login"]

    assert wrong["token"] is None and wrong["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert wrong["userErrors"][0]["message"] == "用户名或密码错误。"
    assert unknown["userErrors"][0]["message"] == "Wrong username or password."


async def test_a_successful_login_is_audited(api, session_factory):
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "edu.chen")

    await api.login("edu.chen")

    async with session_factory() as session:
        rows = (
            await session.execute(select(tables.audit_log.c.operation, tables.audit_log.c.actor_username))
        ).all()
    assert [(r.operation, r.actor_username) for r in rows] == [("auth:login", "edu.chen")]


async def test_no_token_is_unauthenticated(api):
    body = await api.gql(VIEWER)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None


async def test_an_expired_token_is_unauthenticated_and_says_so(api, session_factory, clock):
    # given a token issued now with a 60-minute lifetime
    org = await make_org(session_factory, OrgType.UNIT)
    token = await api.login(await make_user(session_factory, org, "edu.chen"))
    # when the clock passes its expiry
    clock.advance(minutes=59, seconds=59)
    still_valid = await api.gql(VIEWER, token=token)
    clock.advance(seconds=1)
    expired = await api.gql(VIEWER, token=token, lang="en")
    # then
    assert "errors" not in still_valid
    assert error_codes(expired) == ["UNAUTHENTICATED"]
    assert expired["errors"][0]["extensions"]["reason"] == "expired"
    assert "expired" in expired["errors"][0]["message"]


async def test_a_forged_or_tampered_token_is_unauthenticated(api, session_factory, clock):
    org = await make_org(session_factory, OrgType.UNIT)
    user_id_token = await api.login(await make_user(session_factory, org, "edu.chen"))
    claims = jwt.decode(user_id_token, options={"verify_signature": False})
    forged = jwt.encode(claims, "someone else's secret, long enough for HS256 ok", algorithm="HS256")
    head, payload, signature = user_id_token.split(".")
    tampered = ".".join([head, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")])
    none_alg = jwt.encode(
        {**claims, "exp": int((clock() + timedelta(hours=1)).timestamp())}, None, algorithm="none"
    )

    for token in (forged, tampered, none_alg, "garbage"):
        body = await api.gql(VIEWER, token=token)
        assert error_codes(body) == ["UNAUTHENTICATED"], token
        assert body["errors"][0]["extensions"]["reason"] == "invalid"


async def test_integrator_token_is_shown_once_stored_hashed_read_only_and_revocable(api, session_factory):
    # given an administrator and an integrator organization
    agencies = await make_agencies(api, session_factory, "admin", "unit")
    integrator = await make_org(session_factory, OrgType.INTEGRATOR, "一体化政务服务平台")
    from api.graphql.common import to_global_id

    created = (
        await api.data(
            'mutation($o: ID!) { apiTokenCreate(input: {name: "数据同步", organizationId: $o}) '
            "{ token apiToken { id prefix revokedAt } userErrors { code } } }",
            {"o": to_global_id("Organization", integrator)},
            token=agencies.token["admin"],
        )
    )["apiTokenCreate"]
    token = created["token"]
    # then it is stored only as a hash
    async with session_factory() as session:
        stored = (await session.execute(select(tables.api_tokens.c.token_hash))).scalars().all()
    assert token.startswith("ykt_") and token not in stored and len(stored) == 1
    # and it reads, as the integrator
    viewer = (await api.data(VIEWER, token=token))["viewer"]
    assert viewer["role"] == "integrator" and viewer["user"] is None
    assert viewer["operations"] == [
        "PROJECT_READ",
        "WEBHOOK_SUBSCRIPTION_READ",
    ]  # its own subscriptions (13.4c)
    # but never writes
    write = await api.gql(
        'mutation { projectCreate(input: {name: "x", kind: BUILD, category: BUSINESS_SYSTEM, '
        'fundingSource: FISCAL, totalInvestment: "1.00"}) { userErrors { code } } }',
        token=token,
    )
    assert error_codes(write) == ["FORBIDDEN"]
    # when the administrator revokes it, it stops working at once
    revoked = (
        await api.data(
            "mutation($t: ID!) { apiTokenRevoke(input: {apiTokenId: $t}) { apiToken { revokedAt } userErrors { code } } }",
            {"t": created["apiToken"]["id"]},
            token=agencies.token["admin"],
        )
    )["apiTokenRevoke"]
    assert revoked["apiToken"]["revokedAt"] is not None
    assert error_codes(await api.gql(VIEWER, token=token)) == ["UNAUTHENTICATED"]


async def test_only_administrators_issue_tokens(api, session_factory):
    agencies = await make_agencies(api, session_factory, "bdb")
    integrator = await make_org(session_factory, OrgType.INTEGRATOR)
    from api.graphql.common import to_global_id

    body = await api.gql(
        'mutation($o: ID!) { apiTokenCreate(input: {name: "x", organizationId: $o}) { token } }',
        {"o": to_global_id("Organization", integrator)},
        token=agencies.token["bdb"],
    )

    assert error_codes(body) == ["FORBIDDEN"]
    async with session_factory() as session:
        assert (await session.execute(select(tables.api_tokens.c.id))).first() is None
