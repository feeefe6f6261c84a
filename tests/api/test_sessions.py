"""Sessions that end (issue 13.3): refresh rotation, sign-out, password change, disabled users, revocation,
and the security events each leaves (13.13). Real HTTP against a fresh migrated PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from api.graphql.common import to_global_id
from domain.actors import OrgType
from store import tables
from store.session_tables import refresh_tokens, security_events
from tests.utils import PASSWORD, error_codes, make_agencies, make_org, make_user

LOGIN = (
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) "
    "{ token expiresAt refreshToken refreshExpiresAt userErrors { code field message } } }"
)
REFRESH = (
    "mutation($r: String!) { tokenRefresh(input: {refreshToken: $r}) "
    "{ token refreshToken userErrors { code field } } }"
)
VIEWER = "{ viewer { user { username } } }"
LOGOUT = "mutation { logout { sessionsEnded userErrors { code } } }"
LOGOUT_EVERYWHERE = "mutation { logoutEverywhere { sessionsEnded userErrors { code } } }"
PASSWORD_CHANGE = (
    "mutation($c: String!, $n: String!) { passwordChange(input: {currentPassword: $c, newPassword: $n}) "
    "{ sessionsEnded userErrors { code field } } }"
)
DISABLE = "mutation($u: ID!) { userDisable(input: {userId: $u}) { username active userErrors { code } } }"
ENABLE = "mutation($u: ID!) { userEnable(input: {userId: $u}) { username active userErrors { code } } }"
SESSIONS = (
    "query($u: ID!) { sessions(userId: $u, first: 10) { edges { node { id revokedAt revokedReason } } } }"
)
REVOKE = "mutation($s: ID!) { sessionRevoke(input: {sessionId: $s}) { session { revokedReason } userErrors { code } } }"
EVENTS = (
    "query($f: SecurityEventFilter) { securityEvents(first: 50, filter: $f) "
    "{ edges { node { kind username detail } } } }"
)
NEW_PASSWORD = "Lantern-Harbour-2026"


async def _user(session_factory, username: str = "edu.chen") -> int:
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, username)
    async with session_factory() as session:
        return int(
            (
                await session.execute(select(tables.users.c.id).where(tables.users.c.username == username))
            ).scalar_one()
        )


async def _login(api, username: str = "edu.chen", password: str = PASSWORD) -> dict:
    body = (await api.data(LOGIN, {"u": username, "p": password}))["login"]
    assert body["userErrors"] == [], body
    return body


async def _kinds(session_factory) -> list[str]:
    async with session_factory() as session:
        return list(
            (await session.execute(select(security_events.c.kind).order_by(security_events.c.id))).scalars()
        )


async def test_a_refresh_token_works_once_and_is_stored_only_hashed(api, session_factory):
    # given a signed-in user
    await _user(session_factory)
    login = await _login(api)
    # when the refresh token is traded
    renewed = (await api.data(REFRESH, {"r": login["refreshToken"]}))["tokenRefresh"]
    # then a new pair comes back and the new access token works
    assert renewed["userErrors"] == [] and renewed["refreshToken"] != login["refreshToken"]
    assert (await api.data(VIEWER, token=renewed["token"]))["viewer"]["user"]["username"] == "edu.chen"
    async with session_factory() as session:
        stored = list((await session.execute(select(refresh_tokens.c.token_hash))).scalars())
    assert len(stored) == 2 and login["refreshToken"] not in stored and renewed["refreshToken"] not in stored


async def test_a_refresh_token_used_twice_revokes_the_whole_session(api, session_factory):
    # given a refresh token already traded once (a thief and the user both hold it)
    await _user(session_factory)
    login = await _login(api)
    first = (await api.data(REFRESH, {"r": login["refreshToken"]}))["tokenRefresh"]
    # when it is presented again
    again = (await api.data(REFRESH, {"r": login["refreshToken"]}, lang="en"))["tokenRefresh"]
    # then it is refused, and every token of the session stops: the new access and refresh tokens too
    assert [e["code"] for e in again["userErrors"]] == ["REFRESH_TOKEN_INVALID"] and again["token"] is None
    refused = await api.gql(VIEWER, token=first["token"])
    assert (
        error_codes(refused) == ["UNAUTHENTICATED"]
        and refused["errors"][0]["extensions"]["reason"] == "revoked"
    )
    later = (await api.data(REFRESH, {"r": first["refreshToken"]}))["tokenRefresh"]
    assert [e["code"] for e in later["userErrors"]] == ["REFRESH_TOKEN_INVALID"]
    assert "REFRESH_TOKEN_REUSED" in await _kinds(session_factory)


async def test_logout_ends_the_session_at_once_and_only_that_one(api, session_factory):
    # given the same user signed in twice
    await _user(session_factory)
    here, elsewhere = await _login(api), await _login(api)
    # when one session signs out
    out = (await api.data(LOGOUT, token=here["token"]))["logout"]
    # then its access and refresh tokens stop, the other session goes on
    assert out == {"sessionsEnded": 1, "userErrors": []}
    refused = await api.gql(VIEWER, token=here["token"], lang="en")
    assert refused["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "revoked"}
    assert "ended" in refused["errors"][0]["message"]
    assert (await api.data(REFRESH, {"r": here["refreshToken"]}))["tokenRefresh"]["token"] is None
    assert "errors" not in await api.gql(VIEWER, token=elsewhere["token"])
    assert (await _kinds(session_factory))[-2:] == ["LOGOUT", "TOKEN_REFUSED"]


async def test_logout_everywhere_ends_every_session_of_the_user(api, session_factory):
    # given the same user signed in twice
    await _user(session_factory)
    here, elsewhere = await _login(api), await _login(api)
    # when one signs out everywhere
    out = (await api.data(LOGOUT_EVERYWHERE, token=here["token"]))["logoutEverywhere"]
    # then both sessions end
    assert out == {"sessionsEnded": 2, "userErrors": []}
    for token in (here["token"], elsewhere["token"]):
        assert error_codes(await api.gql(VIEWER, token=token)) == ["UNAUTHENTICATED"]


async def test_password_change_needs_the_current_password_and_ends_every_other_session(
    api, session_factory, clock
):
    # given the same user signed in twice
    await _user(session_factory)
    here, elsewhere = await _login(api), await _login(api)
    # when the password is changed with a wrong current password, then with the right one
    wrong = (
        await api.data(PASSWORD_CHANGE, {"c": "not the password", "n": NEW_PASSWORD}, token=here["token"])
    )["passwordChange"]
    clock.advance(seconds=1)  # a wrong password delays the next try by a second (throttling)
    changed = (await api.data(PASSWORD_CHANGE, {"c": PASSWORD, "n": NEW_PASSWORD}, token=here["token"]))[
        "passwordChange"
    ]
    # then the wrong one changed nothing; the right one ended the other session and kept this one
    assert [(e["code"], e["field"]) for e in wrong["userErrors"]] == [
        ("WRONG_PASSWORD", ["input", "currentPassword"])
    ]
    assert changed == {"sessionsEnded": 1, "userErrors": []}
    assert error_codes(await api.gql(VIEWER, token=elsewhere["token"])) == ["UNAUTHENTICATED"]
    assert "errors" not in await api.gql(VIEWER, token=here["token"])
    # and only the new password signs in
    assert (await api.data(LOGIN, {"u": "edu.chen", "p": PASSWORD}))["login"]["token"] is None
    clock.advance(seconds=1)
    assert (await _login(api, password=NEW_PASSWORD))["token"]
    kinds = await _kinds(session_factory)
    assert "PASSWORD_CHANGE_FAILED" in kinds and "PASSWORD_CHANGED" in kinds


async def test_a_new_password_must_follow_the_password_rules(api, session_factory):
    # given a signed-in user
    await _user(session_factory)
    token = (await _login(api))["token"]
    # when the new password is short, common, or the username
    answers = {
        new: (await api.data(PASSWORD_CHANGE, {"c": PASSWORD, "n": new}, token=token))["passwordChange"]
        for new in ("aaaaaaaaaa", "1234567890ab", "edu.chen.2026!")
    }
    # then each is refused for its reason, and the old password still works
    codes = {new: [e["code"] for e in a["userErrors"]] for new, a in answers.items()}
    assert codes["aaaaaaaaaa"] == ["PASSWORD_TOO_SHORT"]
    assert "PASSWORD_TOO_COMMON" in codes["1234567890ab"]
    assert "PASSWORD_CONTAINS_USERNAME" in codes["edu.chen.2026!"]
    assert (await _login(api))["token"]


async def test_a_disabled_user_is_refused_at_once_and_cannot_sign_in_until_enabled(
    api, session_factory, clock
):
    # given an administrator and a signed-in unit user
    agencies = await make_agencies(api, session_factory, "admin", "unit")
    async with session_factory() as session:
        unit_id = (
            await session.execute(select(tables.users.c.id).where(tables.users.c.username == "user.unit"))
        ).scalar_one()
    user = to_global_id("User", unit_id)
    # when the administrator disables the user
    disabled = (await api.data(DISABLE, {"u": user}, token=agencies.token["admin"]))["userDisable"]
    # then the user's token is refused and signing in fails
    assert disabled == {"username": "user.unit", "active": False, "userErrors": []}
    refused = await api.gql(VIEWER, token=agencies.token["unit"])
    assert refused["errors"][0]["extensions"]["reason"] == "revoked"
    assert (await api.data(LOGIN, {"u": "user.unit", "p": PASSWORD}))["login"]["token"] is None
    # and once enabled again, signing in works (the old session stays ended)
    enabled = (await api.data(ENABLE, {"u": user}, token=agencies.token["admin"]))["userEnable"]
    assert enabled["active"] is True
    clock.advance(seconds=1)  # past the delay the refused sign-in started
    assert (await _login(api, "user.unit"))["token"]
    assert error_codes(await api.gql(VIEWER, token=agencies.token["unit"])) == ["UNAUTHENTICATED"]


async def test_an_administrator_ends_one_session(api, session_factory):
    # given an administrator and a unit user signed in twice
    agencies = await make_agencies(api, session_factory, "admin")
    unit_id = await _user(session_factory)
    first, second = await _login(api), await _login(api)
    listed = (await api.data(SESSIONS, {"u": to_global_id("User", unit_id)}, token=agencies.token["admin"]))[
        "sessions"
    ]["edges"]
    # when the administrator revokes the newest session
    revoked = (await api.data(REVOKE, {"s": listed[0]["node"]["id"]}, token=agencies.token["admin"]))[
        "sessionRevoke"
    ]
    # then that session's token stops and the other works
    assert revoked == {"session": {"revokedReason": "administrator"}, "userErrors": []}
    assert error_codes(await api.gql(VIEWER, token=second["token"])) == ["UNAUTHENTICATED"]
    assert "errors" not in await api.gql(VIEWER, token=first["token"])


async def test_only_administrators_disable_users_and_the_refusal_is_a_security_event(api, session_factory):
    # given a unit user
    agencies = await make_agencies(api, session_factory, "unit", "audit")
    # when the unit tries to disable someone
    refused = await api.gql(DISABLE, {"u": to_global_id("User", 1)}, token=agencies.token["unit"])
    # then FORBIDDEN, and the audit role reads the event
    assert error_codes(refused) == ["FORBIDDEN"]
    events = (await api.data(EVENTS, {"f": {"kinds": ["FORBIDDEN"]}}, token=agencies.token["audit"]))[
        "securityEvents"
    ]["edges"]
    assert [(e["node"]["username"], e["node"]["detail"]["operations"]) for e in events] == [
        ("user.unit", ["user:disable"])
    ]


async def test_security_events_are_read_by_bdb_and_audit_only(api, session_factory):
    # given the roles
    agencies = await make_agencies(api, session_factory, "bdb", "audit", "unit", "admin")
    # when each asks for the security events
    answers = {role: await api.gql(EVENTS, token=agencies.token[role]) for role in agencies.token}
    # then bdb and audit read them (the sign-ins among them), the others are refused
    assert "errors" not in answers["bdb"] and "errors" not in answers["audit"]
    kinds = {e["node"]["kind"] for e in answers["audit"]["data"]["securityEvents"]["edges"]}
    assert "LOGIN_SUCCEEDED" in kinds
    assert error_codes(answers["unit"]) == ["FORBIDDEN"] and error_codes(answers["admin"]) == ["FORBIDDEN"]


async def test_an_api_token_cannot_log_out(api, session_factory):
    # given an integrator token
    agencies = await make_agencies(api, session_factory, "admin")
    integrator = await make_org(session_factory, OrgType.INTEGRATOR)
    token = (
        await api.data(
            'mutation($o: ID!) { apiTokenCreate(input: {name: "同步", organizationId: $o}) { token } }',
            {"o": to_global_id("Organization", integrator)},
            token=agencies.token["admin"],
        )
    )["apiTokenCreate"]["token"]
    # when it tries to sign out
    out = (await api.data(LOGOUT, token=token))["logout"]
    # then it is told to have the token revoked instead
    assert [e["code"] for e in out["userErrors"]] == ["NOT_A_SESSION"]


async def test_account_activation_refuses_passwords_outside_the_rules(api, session_factory):
    # given an administrator and a user it created (with an activation token, no password)
    agencies = await make_agencies(api, session_factory, "admin")
    org = to_global_id("Organization", await make_org(session_factory, OrgType.UNIT))
    create = (
        "mutation($u: String!, $o: ID!) { userCreate(input: {username: $u, displayName: $u, "
        "organizationId: $o}) { user { username } activationToken userErrors { code field } } }"
    )
    token = (await api.data(create, {"u": "li.si", "o": org}, token=agencies.token["admin"]))["userCreate"][
        "activationToken"
    ]
    activate = (
        "mutation($t: String!, $p: String!) { accountActivate(input: {token: $t, password: $p}) "
        "{ username userErrors { code field } } }"
    )
    # when the person sets a 10-character, a 129-character (the body limit keeps a 1 MB one out before
    # any parsing: tests/api/test_request_bounds.py), a username-like and the demo-like password
    answers = {
        label: (await api.data(activate, {"t": token, "p": password}))["accountActivate"]
        for label, password in (
            ("short", "aaaaaaaaaa"),
            ("huge", "Yk-" + "x7" * 63),
            ("username", "li.si.li.si.li.si"),
            ("good", "Yingkou@2026"),
        )
    }
    # then only the good one is set
    assert [e["code"] for e in answers["short"]["userErrors"]] == ["PASSWORD_TOO_SHORT"]
    assert [e["code"] for e in answers["huge"]["userErrors"]] == ["PASSWORD_TOO_LONG"]
    assert "PASSWORD_CONTAINS_USERNAME" in [e["code"] for e in answers["username"]["userErrors"]]
    assert answers["good"] == {"username": "li.si", "userErrors": []}


async def test_sessions_ended_over_30_days_ago_are_forgotten_at_the_next_sign_in(api, session_factory, clock):
    # given a session that ended by logout, and one that is still open
    await _user(session_factory)
    old = await _login(api)
    await api.data(LOGOUT, token=old["token"])
    await _login(api)
    # when the user signs in again 30 days after the open one expired (8 hours after it began)
    clock.advance(days=30, hours=8, seconds=1)
    await _login(api)
    # then both old sessions and their refresh tokens are gone; only the new one is left
    async with session_factory() as session:
        from store.session_tables import user_sessions

        remaining = (await session.execute(select(user_sessions.c.id))).scalars().all()
        tokens = (await session.execute(select(refresh_tokens.c.session_id))).scalars().all()
    assert len(remaining) == 1 and set(tokens) == set(remaining)
