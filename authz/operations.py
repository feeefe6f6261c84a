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
    POLICY_CHANGE_READ = "policy-change:read"
    POLICY_CHANGE_DECIDE = "policy-change:decide"
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
    # Construction to evaluation (Art. 14–22, issue 4)
    CONTRACT_RECORD = "contract:record"
    OM_PROCUREMENT_RECORD = "om-procurement:record"
    CHANGE_REQUEST_FILE = "change-request:file"
    CHANGE_REQUEST_DECIDE = "change-request:decide"
    PROGRESS_REPORT_SUBMIT = "progress-report:submit"
    ACCEPTANCE_INITIAL_RECORD = "acceptance:initial-record"
    ACCEPTANCE_EXTEND = "acceptance:extend"
    ACCEPTANCE_APPLY = "acceptance:apply"
    ACCEPTANCE_DECIDE = "acceptance:decide"
    ACCEPTANCE_REPORT_FILE = "acceptance:report-file"
    ACCEPTANCE_REPORT_UPLOAD = "acceptance:report-upload"
    ACCEPTANCE_FILING_ACKNOWLEDGE = "acceptance:filing-acknowledge"
    DISBURSEMENT_RECORD = "disbursement:record"
    DISBURSEMENT_READ = "disbursement:read"
    RESOURCE_ALLOCATE = "data-centre-resource:allocate"
    SELF_EVALUATION_SUBMIT = "self-evaluation:submit"
    POST_EVALUATION_COMMISSION = "post-evaluation:commission"
    POST_EVALUATION_FILE = "post-evaluation:file"
    # Webhooks for integrating systems (issue 7)
    WEBHOOK_SUBSCRIPTION_MANAGE = "webhook-subscription:manage"
    WEBHOOK_SUBSCRIPTION_READ = "webhook-subscription:read"
    # Supervision, sanctions, obligations and notifications (Art. 23–24, issue 5)
    INSPECTION_READ = "inspection:read"
    INSPECTION_OPEN = "inspection:open"
    INSPECTION_CONCLUDE = "inspection:conclude"
    RECTIFICATION_REPORT_SUBMIT = "rectification-report:submit"
    RECTIFICATION_REPORT_REVIEW = "rectification-report:review"
    PROJECT_PLAN_DEFER = "project:plan-defer"
    PROJECT_SUSPEND = "project:suspend"
    PROJECT_RESUME = "project:resume"
    PROJECT_TERMINATE = "project:terminate"
    INFO_REQUEST_SEND = "info-request:send"
    INFO_REQUEST_ANSWER = "info-request:answer"
    OBLIGATION_READ = "obligation:read"
    NOTIFICATION_READ = "notification:read"
    NOTIFICATION_MARK_READ = "notification:mark-read"
    # Accounts, sessions and security events (issue 13)
    USER_DISABLE = "user:disable"
    USER_ENABLE = "user:enable"
    USER_PASSWORD_RESET = "user:password-reset"
    SESSION_READ = "session:read"
    SESSION_REVOKE = "session:revoke"
    SECURITY_EVENT_READ = "security-event:read"

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
    Operation.POLICY_WRITE: "修改授权规则（扩大权限的修改须另一管理员批准）",
    Operation.POLICY_CHANGE_READ: "查看待批准和已处理的授权规则变更",
    Operation.POLICY_CHANGE_DECIDE: "批准或驳回另一管理员提出的授权规则变更",
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
    Operation.CONTRACT_RECORD: "登记项目法人、招标、监理和合同",
    Operation.OM_PROCUREMENT_RECORD: "登记运维项目的统一采购",
    Operation.CHANGE_REQUEST_FILE: "申请或报备项目变更",
    Operation.CHANGE_REQUEST_DECIDE: "审批项目变更",
    Operation.PROGRESS_REPORT_SUBMIT: "报送项目建设进度",
    Operation.ACCEPTANCE_INITIAL_RECORD: "登记初步验收",
    Operation.ACCEPTANCE_EXTEND: "登记竣工验收延期",
    Operation.ACCEPTANCE_APPLY: "申请竣工验收（含整改后重新申请）",
    Operation.ACCEPTANCE_DECIDE: "组织竣工验收并登记结果",
    Operation.ACCEPTANCE_REPORT_FILE: "报备验收报告",
    Operation.ACCEPTANCE_REPORT_UPLOAD: "上传验收报告文件（初验、竣工验收申请材料、竣工验收报告）",
    Operation.ACCEPTANCE_FILING_ACKNOWLEDGE: "确认验收报告备案",
    Operation.DISBURSEMENT_RECORD: "登记资金拨付",
    Operation.DISBURSEMENT_READ: "查看资金拨付明细",
    Operation.RESOURCE_ALLOCATE: "分配数据中心资源",
    Operation.SELF_EVALUATION_SUBMIT: "提交项目自评价",
    Operation.POST_EVALUATION_COMMISSION: "委托第三方后评价",
    Operation.POST_EVALUATION_FILE: "提交后评价结果",
    Operation.WEBHOOK_SUBSCRIPTION_MANAGE: "管理对接系统的事件订阅",
    Operation.WEBHOOK_SUBSCRIPTION_READ: "查看事件订阅和推送记录",
    Operation.INSPECTION_READ: "查看监督检查、整改和问询",
    Operation.INSPECTION_OPEN: "发起监督检查",
    Operation.INSPECTION_CONCLUDE: "记录检查发现并责令限期整改",
    Operation.RECTIFICATION_REPORT_SUBMIT: "报送整改报告",
    Operation.RECTIFICATION_REPORT_REVIEW: "审核整改报告",
    Operation.PROJECT_PLAN_DEFER: "暂缓安排或恢复安排投资计划",
    Operation.PROJECT_SUSPEND: "暂停项目建设",
    Operation.PROJECT_RESUME: "恢复项目建设",
    Operation.PROJECT_TERMINATE: "终止项目",
    Operation.INFO_REQUEST_SEND: "要求项目单位提供资料和情况",
    Operation.INFO_REQUEST_ANSWER: "答复资料和情况问询",
    Operation.OBLIGATION_READ: "查看项目义务日历",
    Operation.NOTIFICATION_READ: "查看本单位通知",
    Operation.NOTIFICATION_MARK_READ: "将本单位通知标为已读",
    Operation.USER_DISABLE: "停用用户（立即结束其全部登录）",
    Operation.USER_ENABLE: "启用用户",
    Operation.USER_PASSWORD_RESET: "重设密码（签发一次性激活令牌，结束其全部登录）",
    Operation.SESSION_READ: "查看用户的登录会话",
    Operation.SESSION_REVOKE: "结束用户的登录会话",
    Operation.SECURITY_EVENT_READ: "查看安全事件（登录失败、锁定、越权等）",
}
