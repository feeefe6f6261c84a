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
