"""Who acts: the authenticated principal as the domain sees it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrgType(StrEnum):
    """The agencies of RULES.md "Actors"; a user's role is its organization's type (or admin)."""

    BDB = "bdb"
    FINANCE = "finance"
    CAC = "cac"
    PSB = "psb"
    CRYPTO = "crypto"
    AUDIT = "audit"
    GOVERNMENT = "government"
    UNIT = "unit"
    EVALUATOR = "evaluator"
    INTEGRATOR = "integrator"


ADMIN_ROLE = "admin"


def role_of(*, is_admin: bool, organization_type: str) -> str:
    """The role a user acts in: an administrator acts as `admin`, everyone else as their organization's type."""
    return ADMIN_ROLE if is_admin else str(organization_type)


@dataclass(frozen=True, slots=True)
class Actor:
    """The principal of one request: a user, or an integrator's API token."""

    user_id: int | None
    organization_id: int
    role: str
    username: str
    token_id: int | None = None
    session_id: int | None = None  # the sign-in session a user's access token belongs to

    @property
    def read_only(self) -> bool:
        """API tokens only ever read."""
        return self.token_id is not None
