"""Every operation of the API, named once. Resolvers say which one they perform; the policy decides."""

from __future__ import annotations

from enum import StrEnum


class Operation(StrEnum):
    PROJECT_READ = "project:read"
    PROJECT_CREATE = "project:create"
    PROJECT_UPDATE = "project:update"
    PROJECT_PARTICIPATION_UPDATE = "project:participation:update"
    PROJECT_SUBMIT_TO_RESERVE = "project:submit-to-reserve"
    RESERVE_REVIEW_RECORD = "reserve-review:record"
    AUDIT_LOG_READ = "audit-log:read"
    ORGANIZATION_READ = "organization:read"
    ORGANIZATION_CREATE = "organization:create"
    USER_CREATE = "user:create"
    API_TOKEN_CREATE = "api-token:create"
    API_TOKEN_READ = "api-token:read"
    API_TOKEN_REVOKE = "api-token:revoke"

    @property
    def writes(self) -> bool:
        """Read-only principals (integrator API tokens) never get a writing operation."""
        return not self.value.endswith(":read")


DESCRIPTIONS_ZH: dict[Operation, str] = {
    Operation.PROJECT_READ: "查看项目",
    Operation.PROJECT_CREATE: "新建项目草稿",
    Operation.PROJECT_UPDATE: "修改项目草稿",
    Operation.PROJECT_PARTICIPATION_UPDATE: "维护参建单位的业务流、数据流和接口",
    Operation.PROJECT_SUBMIT_TO_RESERVE: "提交入库申请",
    Operation.RESERVE_REVIEW_RECORD: "入库审核",
    Operation.AUDIT_LOG_READ: "查看审计日志",
    Operation.ORGANIZATION_READ: "查看单位",
    Operation.ORGANIZATION_CREATE: "新建单位",
    Operation.USER_CREATE: "新建用户",
    Operation.API_TOKEN_CREATE: "签发接口令牌",
    Operation.API_TOKEN_READ: "查看接口令牌",
    Operation.API_TOKEN_REVOKE: "吊销接口令牌",
}
