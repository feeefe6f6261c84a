"""Organizations (agencies, units, evaluators, integrators) as the schema shows them."""

from __future__ import annotations

from typing import Any

import strawberry

from api.graphql.common import Node, to_global_id
from api.graphql.enums import OrganizationTypeEnum
from domain.actors import OrgType


@strawberry.type(
    description="单位 — an organization: an agency, a project unit, an evaluator or an integrator."
)
class Organization(Node):
    pk: strawberry.Private[int]
    name: str = strawberry.field(
        description="单位全称，如「营口市教育局」 — the organization's full name, e.g. `营口市教育局`."
    )
    type: OrganizationTypeEnum = strawberry.field(
        description="单位类型，即其用户的角色（授权策略按此判断） — the organization's type, which is its users' role in the authorization policy."
    )
    district: str | None = strawberry.field(description="所属区县 — district or county-level city, if any.")

    @classmethod
    def from_row(cls, row: Any) -> Organization:
        return cls(
            id=to_global_id("Organization", row.id),
            pk=row.id,
            name=row.name,
            type=OrganizationTypeEnum[OrgType(row.type).name],
            district=row.district,
        )
