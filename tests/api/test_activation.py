"""One-time activation tokens (issue 13.4a): the administrator never knows a password someone else signs in
with. Real HTTP against a fresh migrated PostgreSQL, the real policy, the fake clock."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from api.graphql.common import to_global_id
from domain.actors import OrgType
from store import tables
from store.session_tables import activation_tokens, security_events
from tests.utils import error_codes, make_agencies, make_org

CREATE = (
    "mutation($u: String!, $o: ID!) { userCreate(input: {username: $u, displayName: $u, organizationId: $o}) "
    "{ user { id username } activationToken activationExpiresAt userErrors { code field } } }"
)
ACTIVATE = (
    "mutation($t: String!, $p: String!) { accountActivate(input: {token: $t, password: $p}) "
    "{ username userErrors { code field message } } }"
)
RESET = (
    "mutation($u: ID!) { passwordReset(input: {userId: $u}) "
    "{ username activationToken activationExpiresAt sessionsEnded userErrors { code } } }"
)
LOGIN = (
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) "
    "{ token userErrors { code } } }"
)
VIEWER = "{ viewer { user { username } } }"
CHOSEN = "Lantern-Harbour-2026"


async def _create(api, admin_token: str, org_gid: str, username: str = "li.si") -> dict:
    body = (await api.data(CREATE, {"u": username, "o": org_gid}, token=admin_token))["userCreate"]
    assert body["userErrors"] == [], body
    return body


async def _setup(api, session_factory):
    agencies = await make_agencies(api, session_factory, "admin", "bdb")
    org = to_global_id("Organization", await make_org(session_factory, OrgType.UNIT))
    return agencies, org


async def _activate(api, token: str, password: str = CHOSEN) -> dict:
    return (await api.data(ACTIVATE, {"t": token, "p": password}))["accountActivate"]


async def _login(api, username: str, password: str) -> dict:
    return (await api.data(LOGIN, {"u": username, "p": password}))["login"]


async def _events(session_factory) -> list[tuple[str, str | None, dict | None]]:
    async with session_factory() as session:
        rows = await session.execute(
            select(security_events.c.kind, security_events.c.username, security_events.c.detail).order_by(
                security_events.c.id
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_user_create_sets_no_password_and_returns_a_token_stored_only_as_its_sha256(
    api, session_factory
):
    # given an administrator and a unit
    agencies, org = await _setup(api, session_factory)
    # when the administrator creates a user
    created = await _create(api, agencies.token["admin"], org)
    # then the payload carries a random token (≥ 128 bits) the database holds only as its SHA-256
    token = created["activationToken"]
    assert token.startswith("yka_") and len(token) >= 4 + 22
    async with session_factory() as session:
        stored = (await session.execute(select(activation_tokens))).one()
        audit = (await session.execute(select(tables.audit_log))).all()
        password_hash = (
            await session.execute(
                select(tables.users.c.password_hash).where(tables.users.c.username == "li.si")
            )
        ).scalar_one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and stored.purpose == "create"
    assert password_hash is None
    # and neither the audit log nor a security event contains it
    assert token not in repr(audit) and stored.token_hash not in repr(audit)
    assert token not in repr(await _events(session_factory))
    # and nobody signs in as the user before the person sets a password (not even with an empty one)
    assert error_codes_of(await _login(api, "li.si", "")) == ["INVALID_CREDENTIALS"]


def error_codes_of(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_the_person_sets_the_password_with_the_token_which_then_works_no_more(api, session_factory):
    # given a new user's activation token
    agencies, org = await _setup(api, session_factory)
    token = (await _create(api, agencies.token["admin"], org))["activationToken"]
    # when the person activates the account with a password of their own
    first = await _activate(api, token)
    # then they sign in with it
    assert first == {"username": "li.si", "userErrors": []}
    signed_in = await _login(api, "li.si", CHOSEN)
    assert signed_in["userErrors"] == []
    assert (await api.data(VIEWER, token=signed_in["token"]))["viewer"]["user"]["username"] == "li.si"
    # and the same token cannot set another password
    again = await _activate(api, token, "Another-Quiet-Harbour-9")
    assert error_codes_of(again) == ["ACTIVATION_TOKEN_INVALID"] and again["userErrors"][0]["field"] == [
        "input",
        "token",
    ]
    assert error_codes_of(await _login(api, "li.si", "Another-Quiet-Harbour-9")) == ["INVALID_CREDENTIALS"]
    # and both attempts are security events, the refusal with its reason
    events = [(k, u, d) for k, u, d in await _events(session_factory) if k.startswith("ACTIVATION")]
    assert events == [
        ("ACTIVATION_SUCCEEDED", "li.si", {"purpose": "create"}),
        ("ACTIVATION_FAILED", "li.si", {"reason": "used"}),
    ]


async def test_the_nist_password_rules_apply_and_a_refused_password_does_not_spend_the_token(
    api, session_factory
):
    # given a new user's activation token
    agencies, org = await _setup(api, session_factory)
    token = (await _create(api, agencies.token["admin"], org))["activationToken"]
    # when the person tries a short, a username-like and a common password, then a good one
    short = await _activate(api, token, "aaaaaaaaaa")
    named = await _activate(api, token, "li.si.li.si.li.si")
    common = await _activate(api, token, "password1234")
    good = await _activate(api, token)
    # then each bad one is refused by the password rules, and the token still sets the good one
    assert error_codes_of(short) == ["PASSWORD_TOO_SHORT"]
    assert "PASSWORD_CONTAINS_USERNAME" in error_codes_of(named)
    assert error_codes_of(common) == ["PASSWORD_TOO_COMMON"]
    assert good["userErrors"] == []


async def test_a_token_works_until_just_before_its_72_hours_and_not_at_them(api, session_factory, clock):
    # given two users created at the same moment
    agencies, org = await _setup(api, session_factory)
    early = (await _create(api, agencies.token["admin"], org, "li.si"))["activationToken"]
    late = await _create(api, agencies.token["admin"], org, "wang.wu")
    # when one activates a second before 72 hours and the other at 72 hours
    clock.advance(hours=72, seconds=-1)
    before = await _activate(api, early)
    clock.advance(seconds=1)
    at = await _activate(api, late["activationToken"])
    # then the first is in time and the second has expired
    assert before["userErrors"] == []
    assert error_codes_of(at) == ["ACTIVATION_TOKEN_INVALID"]
    assert ("ACTIVATION_FAILED", "wang.wu", {"reason": "expired"}) in await _events(session_factory)


async def test_a_password_reset_ends_every_session_voids_the_old_password_and_older_tokens(
    api, session_factory, clock
):
    # given an activated user with a session, and the token they used
    agencies, org = await _setup(api, session_factory)
    created = await _create(api, agencies.token["admin"], org)
    await _activate(api, created["activationToken"])
    session = (await _login(api, "li.si", CHOSEN))["token"]
    # when the administrator resets the password twice (the first token got lost)
    first = (await api.data(RESET, {"u": created["user"]["id"]}, token=agencies.token["admin"]))[
        "passwordReset"
    ]
    second = (await api.data(RESET, {"u": created["user"]["id"]}, token=agencies.token["admin"]))[
        "passwordReset"
    ]
    # then the first reset ended the session and the old password no longer signs in
    assert first["userErrors"] == [] and first["sessionsEnded"] == 1 and first["username"] == "li.si"
    assert error_codes(await api.gql(VIEWER, token=session)) == ["UNAUTHENTICATED"]
    assert error_codes_of(await _login(api, "li.si", CHOSEN)) == ["INVALID_CREDENTIALS"]
    # and the first reset's token was replaced by the second's
    assert first["activationToken"] != second["activationToken"]
    assert error_codes_of(await _activate(api, first["activationToken"], "Fresh-Lantern-Tide-31")) == [
        "ACTIVATION_TOKEN_INVALID"
    ]
    assert ("ACTIVATION_FAILED", "li.si", {"reason": "superseded"}) in await _events(session_factory)
    # and the second sets the new password
    assert (await _activate(api, second["activationToken"], "Fresh-Lantern-Tide-31"))["userErrors"] == []
    clock.advance(seconds=2)  # the refused old password delays the username's next sign-in by a second
    assert (await _login(api, "li.si", "Fresh-Lantern-Tide-31"))["userErrors"] == []
    # and the audit record of the reset names no token
    async with session_factory() as s:
        audit = repr((await s.execute(select(tables.audit_log))).all())
    assert first["activationToken"] not in audit and second["activationToken"] not in audit


async def test_only_an_administrator_resets_passwords(api, session_factory):
    # given bdb and a user
    agencies, org = await _setup(api, session_factory)
    created = await _create(api, agencies.token["admin"], org)
    # when bdb resets the user's password
    answer = await api.gql(RESET, {"u": created["user"]["id"]}, token=agencies.token["bdb"])
    # then it is FORBIDDEN and no second token was issued
    assert error_codes(answer) == ["FORBIDDEN"]
    async with session_factory() as session:
        assert len((await session.execute(select(activation_tokens.c.id))).all()) == 1


async def test_a_password_reset_of_no_such_user_is_not_found_and_writes_nothing(api, session_factory):
    # given an administrator, and a User id no user has
    agencies, _ = await _setup(api, session_factory)
    async with session_factory() as session:
        audited = len((await session.execute(select(tables.audit_log.c.id))).all())
    # when the administrator resets that user's password
    answer = await api.gql(RESET, {"u": to_global_id("User", 987654)}, token=agencies.token["admin"])
    # then it is NOT_FOUND, and no token, audit record or reset event was written
    assert error_codes(answer) == ["NOT_FOUND"]
    async with session_factory() as session:
        assert (await session.execute(select(activation_tokens.c.id))).all() == []
        assert len((await session.execute(select(tables.audit_log.c.id))).all()) == audited
    assert [kind for kind, *_ in await _events(session_factory) if kind == "PASSWORD_RESET"] == []


async def test_guessing_tokens_is_throttled_per_address_like_sign_in(api, session_factory):
    # given a real token, and an address that already made the free failures and one more (settings: 5 free)
    agencies, org = await _setup(api, session_factory)
    token = (await _create(api, agencies.token["admin"], org))["activationToken"]
    guesses = [await _activate(api, f"yka_guess{i}") for i in range(6)]
    # when the right token comes at once after them
    right = await _activate(api, token)
    # then every guess was refused alike and the right token must wait (LOGIN_THROTTLED), changing nothing
    assert all(error_codes_of(g) == ["ACTIVATION_TOKEN_INVALID"] for g in guesses)
    assert error_codes_of(right) == ["LOGIN_THROTTLED"]
    async with session_factory() as session:
        assert (await session.execute(select(activation_tokens.c.used_at))).scalar_one() is None
    kinds = [k for k, _, _ in await _events(session_factory)]
    assert kinds.count("ACTIVATION_FAILED") == 6 and "LOGIN_THROTTLED" in kinds


async def test_an_idempotency_key_never_stores_the_answer_that_carries_the_token(
    api, client, session_factory
):
    # given an administrator creating a user with an Idempotency-Key
    agencies, org = await _setup(api, session_factory)
    headers = {"Authorization": f"Bearer {agencies.token['admin']}", "Idempotency-Key": "create-li-si"}
    # when the request is sent
    body = {"query": CREATE, "variables": {"u": "li.si", "o": org}}
    answer = (await client.post("/graphql", json=body, headers=headers)).json()["data"]["userCreate"]
    # then the token is shown, and no stored answer holds it (a secret is kept only as its hash)
    assert answer["activationToken"].startswith("yka_")
    async with session_factory() as session:
        stored = (await session.execute(select(tables.idempotency_keys.c.body))).scalars().all()
    assert not any(answer["activationToken"].encode() in (b or b"") for b in stored)


async def test_the_activation_is_audited_as_the_person_and_a_refused_one_writes_no_record(
    api, session_factory
):
    # given a new user's activation token, and a refused attempt with a guessed token
    agencies, org = await _setup(api, session_factory)
    token = (await _create(api, agencies.token["admin"], org))["activationToken"]
    assert error_codes_of(await _activate(api, "yka_guess")) == ["ACTIVATION_TOKEN_INVALID"]
    # when the person activates the account
    assert (await _activate(api, token))["userErrors"] == []
    # then one `user:activate` record names the person (not the administrator, not "anonymous") as its actor
    audit = tables.audit_log
    async with session_factory() as session:
        user = (
            await session.execute(
                select(tables.users.c.id, tables.users.c.organization_id).where(
                    tables.users.c.username == "li.si"
                )
            )
        ).one()
        used_at = (await session.execute(select(activation_tokens.c.used_at))).scalar_one()
        records = (
            await session.execute(
                select(
                    audit.c.actor_user_id,
                    audit.c.actor_username,
                    audit.c.actor_organization_id,
                    audit.c.actor_role,
                    audit.c.target_type,
                    audit.c.target_id,
                    audit.c.after,
                ).where(audit.c.operation == "user:activate")
            )
        ).all()
    assert [tuple(r) for r in records] == [
        (
            user.id,
            "li.si",
            user.organization_id,
            "anonymous",
            "User",
            user.id,
            {"purpose": "create", "activatedAt": used_at.isoformat()},
        )
    ]


async def test_a_refused_password_with_the_right_token_is_not_counted_as_a_guess(api, session_factory):
    # given an address that made its 5 free failures with guessed tokens (one more failure and it waits)
    agencies, org = await _setup(api, session_factory)
    token = (await _create(api, agencies.token["admin"], org))["activationToken"]
    guesses = [await _activate(api, f"yka_guess{i}") for i in range(5)]
    # when the right token comes twice with a password the rules refuse, then with a good one
    refused = [await _activate(api, token, "password1234") for _ in range(2)]
    good = await _activate(api, token)
    # then the refused passwords were forgiven as attempts: the good one is not throttled, and it works
    assert all(error_codes_of(g) == ["ACTIVATION_TOKEN_INVALID"] for g in guesses)
    assert all(error_codes_of(r) == ["PASSWORD_TOO_COMMON"] for r in refused)
    assert good == {"username": "li.si", "userErrors": []}
    kinds = [k for k, _, _ in await _events(session_factory)]
    assert kinds.count("ACTIVATION_FAILED") == 5 and "LOGIN_THROTTLED" not in kinds
