"""Organizations, users, their sessions and activation tokens, and integrator API tokens for the
administration use cases (domain/services/admin.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.activation import ActivationToken, FoundActivation, Purpose
from domain.errors import NotFound
from store import session_store, tables
from store.credential_notices import announce, token_notice, user_notice
from store.session_tables import activation_tokens


class SqlAdminRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def organization_name_taken(self, name: str) -> bool:
        o = tables.organizations
        return (await self.session.execute(select(o.c.id).where(o.c.name == name))).first() is not None

    async def add_organization(self, *, name: str, type: str, district: str | None) -> int:
        o = tables.organizations
        stmt = insert(o).values(name=name, type=type, district=district).returning(o.c.id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def organization_type(self, organization_id: int) -> str | None:
        o = tables.organizations
        found = (await self.session.execute(select(o.c.type).where(o.c.id == organization_id))).scalar()
        return None if found is None else str(found)

    async def username_taken(self, username: str) -> bool:
        u = tables.users
        return (
            await self.session.execute(select(u.c.id).where(u.c.username == username))
        ).first() is not None

    async def add_user(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str | None,
        organization_id: int,
        is_admin: bool,
    ) -> int:
        u = tables.users
        stmt = (
            insert(u)
            .values(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                organization_id=organization_id,
                is_admin=is_admin,
            )
            .returning(u.c.id)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def add_activation(
        self,
        *,
        user_id: int,
        token_hash: str,
        purpose: Purpose,
        issued_by: str,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        a = activation_tokens
        await self.session.execute(
            update(a)
            .where(a.c.user_id == user_id, a.c.used_at.is_(None), a.c.superseded_at.is_(None))
            .values(superseded_at=issued_at)
        )
        await self.session.execute(
            a.insert().values(
                user_id=user_id,
                token_hash=token_hash,
                purpose=purpose.value,
                issued_at=issued_at,
                expires_at=expires_at,
                issued_by=issued_by[:160],
            )
        )

    async def lock_activation(self, token_hash: str) -> FoundActivation | None:
        a, u = activation_tokens, tables.users
        stmt = (
            select(a, u.c.username, u.c.active, u.c.organization_id)
            .join(u, u.c.id == a.c.user_id)
            .where(a.c.token_hash == token_hash)
            .with_for_update(of=a)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        return FoundActivation(
            id=int(row.id),
            token=ActivationToken(row.user_id, row.issued_at, row.expires_at, row.used_at, row.superseded_at),
            purpose=Purpose(row.purpose),
            username=str(row.username),
            user_active=bool(row.active),
            organization_id=int(row.organization_id),
        )

    async def spend_activation(self, activation_id: int, *, at: datetime) -> None:
        a = activation_tokens
        await self.session.execute(update(a).where(a.c.id == activation_id).values(used_at=at))

    async def add_api_token(
        self,
        *,
        name: str,
        prefix: str,
        token_hash: str,
        organization_id: int,
        created_by: int | None,
        expires_at: datetime | None,
    ) -> int:
        t = tables.api_tokens
        stmt = (
            insert(t)
            .values(
                name=name,
                prefix=prefix,
                token_hash=token_hash,
                organization_id=organization_id,
                created_by=created_by,
                expires_at=expires_at,
            )
            .returning(t.c.id)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def api_token_revoked_at(self, token_id: int) -> datetime | None:
        t = tables.api_tokens
        stmt = select(t.c.revoked_at).where(t.c.id == token_id).with_for_update()
        row = (await self.session.execute(stmt)).first()
        if row is None:
            raise NotFound("ApiToken", token_id)
        revoked: datetime | None = row.revoked_at
        return revoked

    async def revoke_api_token(self, token_id: int, at: datetime) -> None:
        t = tables.api_tokens
        await self.session.execute(update(t).where(t.c.id == token_id).values(revoked_at=at))
        await announce(self.session, [token_notice(token_id)])  # every process drops it on commit

    async def lock_user(self, user_id: int) -> str:
        u = tables.users
        stmt = select(u.c.username).where(u.c.id == user_id).with_for_update()
        username = (await self.session.execute(stmt)).scalar()
        if username is None:
            raise NotFound("User", user_id)
        return str(username)

    async def set_password_hash(self, user_id: int, password_hash: str | None) -> None:
        u = tables.users
        await self.session.execute(update(u).where(u.c.id == user_id).values(password_hash=password_hash))

    async def end_sessions(self, user_id: int, *, at: datetime, reason: str) -> list[int]:
        ended = await session_store.revoke_sessions(self.session, now=at, reason=reason, user_id=user_id)
        # every API process drops the user's cached sessions once this commits (api/credential_cache.py)
        await announce(self.session, [user_notice(user_id)])
        return ended
