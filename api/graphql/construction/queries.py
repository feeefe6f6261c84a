"""Construction (Art. 14–18): `projectImplementation` and the change-request dry run."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.graphql.authz import Performs
from api.graphql.common import project_id_argument
from api.graphql.construction.mutations import (
    ChangeClassificationPayload,
    ChangeRequestInput,
    _change_values,
)
from api.graphql.construction.types import (
    ChangeClassification,
    Ctx,
    ProjectImplementation,
    implementation_of,
)
from authz.operations import Operation
from domain.services import construction as use_cases


@strawberry.type
class ConstructionQueries:
    @strawberry.field(
        description="项目实施全过程（合同、变更、进度、验收、资金、评价） — a project from contract "
        "to evaluation (Art. 14–22)."
    )
    async def project_implementation(
        self,
        info: Ctx,
        project_id: Annotated[
            strawberry.ID,
            project_id_argument(),
        ],
    ) -> ProjectImplementation:
        ctx = info.context
        ctx.require_actor()
        return await implementation_of(ctx, ctx.pk(project_id, "Project"))

    @strawberry.field(
        description="变更分类预览（不提交） — dry run: how a change would be handled and the rule that "
        "decides it (R16–R17); nothing is written.",
        extensions=[Performs(Operation.CHANGE_REQUEST_FILE, on="Project")],
    )
    async def change_request_classify(
        self,
        info: Ctx,
        input: Annotated[
            ChangeRequestInput,
            strawberry.argument(
                description="拟申请的变更，与 changeRequestFile 的输入相同；只判断办理方式，不保存 — the change you would file, the same input as `changeRequestFile`; only classified (filing or approval), nothing is saved."
            ),
        ],
    ) -> ChangeClassificationPayload:
        ctx = info.context
        # On the primary although a query (issue 17): a use case's dry run through the unit of work, which
        # loads the project as the filing would (locked, in a transaction) and must judge the newest state.
        preview = await use_cases.preview_change(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            values=_change_values(input),
        )
        return ChangeClassificationPayload(
            classification=ChangeClassification.from_preview(preview, ctx.lang), user_errors=[]
        )
