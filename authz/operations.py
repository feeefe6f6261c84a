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
    PROJECT_CONTACT_READ = "project:contact:read"
    POLICY_READ = "policy:read"
    POLICY_WRITE = "policy:write"
    # Annual plan and mid-year projects (Art. 9–10)
    PLAN_CALL_OPEN = "plan-call:open"
    PLAN_READ = "plan:read"
    PLAN_ENTRY_SUBMIT = "plan-entry:submit"
    PLAN_ENTRY_REVIEW = "plan-entry:review"
    ANNUAL_PLAN_COMPILE = "annual-plan:compile"
    ANNUAL_PLAN_SEND = "annual-plan:send"
    ANNUAL_PLAN_DECIDE = "annual-plan:decide"
    MID_YEAR_SUBMIT = "mid-year:submit"
    MID_YEAR_BDB_REVIEW = "mid-year:bdb-review"
    MID_YEAR_FINANCE_OPINION = "mid-year:finance-opinion"
    MID_YEAR_DECIDE = "mid-year:decide"
    # Approval documents (Art. 11–13)
    APPROVAL_FACTS_UPDATE = "project:approval-facts:update"
    APPROVAL_DOCUMENT_READ = "approval-document:read"
    APPROVAL_DOCUMENT_SUBMIT = "approval-document:submit"
    APPROVAL_DOCUMENT_ASSIGN_EVALUATOR = "approval-document:assign-evaluator"
    APPROVAL_DOCUMENT_EVALUATE = "approval-document:evaluate"
    APPROVAL_DOCUMENT_CRYPTO_REVIEW = "approval-document:crypto-review"
    APPROVAL_DOCUMENT_APPROVE = "approval-document:approve"
    APPROVAL_DOCUMENT_RETURN = "approval-document:return"
    POST_EVALUATION_HISTORY_READ = "post-evaluation-history:read"
    # Webhooks for integrating systems (issue 7)
    WEBHOOK_SUBSCRIPTION_MANAGE = "webhook-subscription:manage"
    WEBHOOK_SUBSCRIPTION_READ = "webhook-subscription:read"

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
    Operation.PROJECT_CONTACT_READ: "查看项目联系人电话和电子邮箱",
    Operation.POLICY_READ: "查看授权规则",
    Operation.POLICY_WRITE: "修改授权规则",
    Operation.PLAN_CALL_OPEN: "发布年度项目计划征集",
    Operation.PLAN_READ: "查看年度计划征集、条目和投资计划",
    Operation.PLAN_ENTRY_SUBMIT: "报送年度建设或运维计划",
    Operation.PLAN_ENTRY_REVIEW: "审核年度计划条目",
    Operation.ANNUAL_PLAN_COMPILE: "编制年度投资计划",
    Operation.ANNUAL_PLAN_SEND: "报请市政府审定年度投资计划",
    Operation.ANNUAL_PLAN_DECIDE: "审定年度投资计划",
    Operation.MID_YEAR_SUBMIT: "申报年中新增项目",
    Operation.MID_YEAR_BDB_REVIEW: "审核年中新增项目",
    Operation.MID_YEAR_FINANCE_OPINION: "出具年中新增项目财政意见",
    Operation.MID_YEAR_DECIDE: "审定年中新增项目",
    Operation.APPROVAL_FACTS_UPDATE: "更新审批路径依据",
    Operation.APPROVAL_DOCUMENT_READ: "查看审批文件",
    Operation.APPROVAL_DOCUMENT_SUBMIT: "编报审批文件",
    Operation.APPROVAL_DOCUMENT_ASSIGN_EVALUATOR: "委托第三方评估",
    Operation.APPROVAL_DOCUMENT_EVALUATE: "提交评估意见",
    Operation.APPROVAL_DOCUMENT_CRYPTO_REVIEW: "审核密码应用方案",
    Operation.APPROVAL_DOCUMENT_APPROVE: "批复审批文件",
    Operation.APPROVAL_DOCUMENT_RETURN: "退回审批文件",
    Operation.POST_EVALUATION_HISTORY_READ: "查看项目单位后评价记录",
    Operation.WEBHOOK_SUBSCRIPTION_MANAGE: "管理对接系统的事件订阅",
    Operation.WEBHOOK_SUBSCRIPTION_READ: "查看事件订阅和推送记录",
}
