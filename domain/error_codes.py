"""Every code a refusal can carry in `userErrors { code }`, with its meaning in both languages.

The GraphQL enum `UserErrorCode` and docs/errors.md are built from this table; a test reads the source of
domain/, api/, authz/ and store/ and fails when a `Violation`/`refuse` code is missing here. `rule` is set
only where every refusal with the code cites the same rule (RULES.md); otherwise each refusal names its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One user-error code: what it means (zh, en) and the rule it always cites, if any."""

    code: str
    zh: str
    en: str
    rule: str | None = None


_CODES = (
    ErrorCode(
        "ACCEPTANCE_TOO_EARLY",
        "系统自初步验收起稳定运行须满3个月方可申请竣工验收。",
        "The system must run stably for 3 months after the initial acceptance before completion acceptance.",
        rule="R19.1",
    ),
    ErrorCode(
        "ACCEPTANCE_WINDOW_CLOSED",
        "竣工验收申请期限已届满，需大数据局登记延期。",
        "The completion-acceptance window has closed; bdb must record an extension.",
        rule="R19.1",
    ),
    ErrorCode(
        "ADMIN_LIFECYCLE_POWER",
        "管理员角色只能管理用户、单位、接口令牌和授权规则，不能被授予项目生命周期权限。",
        "The admin role only administers users, organizations, API tokens and the policy; it gets no lifecycle power.",
        rule="R3.1",
    ),
    ErrorCode(
        "ADMIN_OUTSIDE_BDB",
        "系统管理员须为市大数据管理局工作人员。",
        "Administrators are staff of the Big Data Bureau.",
    ),
    ErrorCode("ALREADY_ANSWERED", "该问询已答复。", "The request was already answered.", rule="R24"),
    ErrorCode(
        "ALREADY_DEFERRED",
        "项目已被暂缓安排投资计划。",
        "The project's plan is already deferred.",
        rule="R23.2",
    ),
    ErrorCode(
        "APPROVAL_DATE_IN_FUTURE",
        "批复日期不能晚于今天。",
        "The approval date cannot be in the future.",
        rule="R13.3",
    ),
    ErrorCode(
        "APPROVAL_FACTS_LOCKED",
        "仅在储备库或计划中、且无在审文件时可更新审批路径依据。",
        "Approval-path facts change only in the reserve or plan, with no document under review.",
        rule="R11.0",
    ),
    ErrorCode("APPROVAL_NUMBER_REQUIRED", "请填写批复文号。", "Give the approval number.", rule="R13.1"),
    ErrorCode(
        "APPROVAL_PATH_COMPLETE",
        "初步设计已批复，审批程序已完成，不再编报审批文件。",
        "The preliminary design is approved: the approval path is complete, no document follows.",
        rule="R13.1",
    ),
    ErrorCode(
        "APPROVAL_STEP_NOT_ALLOWED",
        "按第十一条的审批路径，本项目现在不能编报该类文件。",
        "Under the Art. 11 approval path the project may not submit this kind of document now.",
    ),
    ErrorCode(
        "APPROVED_ABOVE_REQUEST",
        "批复投资超过申报投资，须记录理由。",
        "The approved investment exceeds the requested amount: record the reason.",
        rule="R13.1",
    ),
    ErrorCode(
        "ARTICLE_REQUIRED",
        "须注明授权依据的条款，如“第七条”。",
        "Cite the article that gives the power, e.g. 第七条.",
    ),
    ErrorCode(
        "CATALOGUE_ITEM_ALREADY_CLAIMED",
        "数据目录条目已由其他项目作为新建内容申报，建设内容不得重复交叉。",
        "The catalogue item is already claimed as new construction by another project.",
        rule="R8",
    ),
    ErrorCode(
        "CHANGE_ALREADY_DECIDED",
        "该授权规则变更已处理。",
        "This policy change was already decided.",
        rule="R3.2",
    ),
    ErrorCode(
        "CHANGE_ASPECT_REQUIRED",
        "须说明变更的规模、内容、标准或投资。",
        "Say what changes: scale, content, standard or investment.",
        rule="R16",
    ),
    ErrorCode("CHANGE_DESCRIPTION_REQUIRED", "须说明变更内容。", "Describe the change.", rule="R16"),
    ErrorCode(
        "CHANGE_NOT_OPEN",
        "项目须已批复、尚未申请竣工验收，方可申请变更。",
        "Changes are asked for between the approval and the completion-acceptance application.",
        rule="R16",
    ),
    ErrorCode(
        "CHANGE_NOT_PENDING",
        "该变更不在待审批状态。",
        "This change request is not waiting for approval.",
        rule="R16",
    ),
    ErrorCode(
        "CHANGE_PENDING",
        "已有待审批的变更，请待其审批后再申请。",
        "Another change request is waiting for bdb.",
        rule="R16",
    ),
    ErrorCode(
        "CONTRACT_ASSIGNMENT_FORBIDDEN",
        "中标单位不得将合同转让或分包给他人（第十五条）。",
        "The winning bidder may not transfer or split the contract to others (Art. 15).",
        rule="R15",
    ),
    ErrorCode(
        "CRYPTO_OPINION_REQUIRED",
        "请填写密码应用方案审核意见。",
        "The review needs an opinion.",
        rule="R13.2",
    ),
    ErrorCode(
        "CRYPTO_REVIEW_NOT_REQUIRED",
        "项目建议书不含密码应用方案审核。",
        "A proposal has no cryptography application plan to review.",
        rule="R13.2",
    ),
    ErrorCode(
        "CRYPTO_REVIEW_REQUIRED",
        "密码应用方案未通过市国家密码管理局审核，不能批复。",
        "The cryptography application plan has not passed its review.",
        rule="R13.2",
    ),
    ErrorCode(
        "DATA_CATALOGUE_REQUIRED",
        "跨部门共建共享项目应初步形成数据目录。",
        "A cross-department project must hold an initial data catalogue.",
        rule="R8",
    ),
    ErrorCode(
        "DATE_IN_FUTURE",
        "初步验收日期不能晚于今天。",
        "The initial acceptance date cannot be in the future.",
        rule="R19.1",
    ),
    ErrorCode("DEADLINE_IN_PAST", "征集截止日期不能早于今天。", "The deadline is in the past.", rule="R9"),
    ErrorCode(
        "DEADLINE_NOT_BEFORE_BUDGET",
        "征集截止日期须早于财政预算编制时间节点。",
        "The call's deadline must fall before the budget compilation date.",
        rule="R9",
    ),
    ErrorCode(
        "DEADLINE_NOT_IN_FUTURE",
        "整改期限须晚于今天。",
        "The rectification deadline must be after today.",
        rule="R23.1",
    ),
    ErrorCode(
        "DESCRIPTION_REQUIRED",
        "提交入库前须填写项目建设内容说明。",
        "Describe the project's scope before submitting it to the reserve.",
        rule="R7",
    ),
    ErrorCode(
        "DISBURSEMENT_ABOVE_APPROVED",
        "累计拨付将超过批复投资。",
        "Cumulative disbursements would exceed the approved investment.",
        rule="R21",
    ),
    ErrorCode(
        "DOCUMENT_STATE",
        "审批文件当前状态不允许此操作。",
        "The approval document's state does not allow this step.",
    ),
    ErrorCode(
        "DOCUMENT_UNDER_REVIEW",
        "已有在审的审批文件，请待其批复或退回。",
        "Another approval document is under review.",
        rule="R11.0",
    ),
    ErrorCode(
        "DUPLICATE_PARTICIPANT",
        "参建单位不能重复，也不能是牵头单位本身。",
        "A participating unit may appear once and may not be the lead unit itself.",
        rule="R8",
    ),
    ErrorCode(
        "DUPLICATE_PLAN_ITEM",
        "同一项目的同类计划只能列入一次。",
        "A project's plan of one kind is listed once.",
        rule="R10.1",
    ),
    ErrorCode(
        "DUPLICATE_PROPOSAL",
        "相同的授权规则变更已在等待批准。",
        "The same policy change is already waiting for approval.",
        rule="R3.2",
    ),
    ErrorCode(
        "DUPLICATE_RULE",
        "已有相同角色、操作和范围的规则。",
        "A rule with this role, operation and scope exists.",
    ),
    ErrorCode(
        "ENTRY_NOT_REVIEWED",
        "计划条目尚未经市大数据管理局和市财政局审核。",
        "The plan entry lacks the review of bdb or finance.",
        rule="R10.1",
    ),
    ErrorCode(
        "ENTRY_OF_ANOTHER_CALL",
        "条目不属于本年度征集。",
        "The entry belongs to another year's call.",
        rule="R10.1",
    ),
    ErrorCode(
        "EVALUATION_NOT_REQUIRED",
        "项目建议书不需委托第三方评估。",
        "A proposal is not evaluated by a third party.",
        rule="R13.1",
    ),
    ErrorCode(
        "EVALUATION_OPINION_REQUIRED", "请填写评估意见。", "The evaluation needs an opinion.", rule="R13.1"
    ),
    ErrorCode(
        "EVALUATION_REQUIRED",
        "须经第三方中介服务机构评估论证后方可批复。",
        "The third-party evaluation must be filed before approval.",
        rule="R13.1",
    ),
    ErrorCode("EXPIRY_IN_PAST", "到期时间须晚于现在。", "The expiry must be in the future."),
    ErrorCode(
        "EXTENSION_NOT_LATER",
        "延期截止日须晚于原截止日。",
        "The extension must end after the current deadline.",
        rule="R19.1",
    ),
    ErrorCode("FILE_TOO_LARGE", "文件超过大小上限。", "The file exceeds the size limit."),
    ErrorCode(
        "FILE_TYPE_NOT_ALLOWED",
        "文件的内容不是 PDF、OFD、Word、Excel、图片或 ZIP。",
        "The file is not a PDF, OFD, Word, Excel, image or ZIP by its content.",
    ),
    ErrorCode(
        "FILING_PENDING",
        "验收报告已报备，待大数据局确认。",
        "The acceptance report is already filed, waiting for bdb.",
        rule="R21",
    ),
    ErrorCode(
        "FINAL_PAYMENT_BEFORE_FILING",
        "验收报告备案前不得拨付尾款。",
        "No final payment before the acceptance report is filed with bdb.",
        rule="R21",
    ),
    ErrorCode("FINDINGS_REQUIRED", "须填写主要结论。", "Findings are required.", rule="R22"),
    ErrorCode(
        "GROUP_CYCLE",
        "角色不能加入自身。",
        "A role cannot join itself.",
    ),
    ErrorCode(
        "IMPLEMENTATION_PART_REQUIRED",
        "实施信息缺少必填内容。",
        "A required part of the implementation record is missing.",
        rule="R14",
    ),
    ErrorCode("INSPECTION_CONCLUDED", "检查已办结。", "The inspection is already concluded.", rule="R23.1"),
    ErrorCode("INVALID_AMOUNT", "金额无效（须为正数）。", "The amount is not valid (it must be positive)."),
    ErrorCode(
        "INVALID_CATALOGUE_ITEM",
        "数据目录条目须有编码和名称，且编码在本项目内不重复。",
        "A catalogue item needs a code and a name, and its code is unique within the project.",
        rule="R8",
    ),
    ErrorCode("INVALID_CREDENTIALS", "用户名或密码错误。", "Wrong username or password."),
    ErrorCode("INVALID_DECIMAL", "不是有效的数值。", "Not a decimal number."),
    ErrorCode(
        "INVALID_NAME",
        "项目名称不能为空，且不超过200个字符。",
        "The project name is required and at most 200 characters.",
    ),
    ErrorCode(
        "INVALID_PARTICIPANT",
        "参建单位须为已登记的项目单位。",
        "A participating unit must be a registered project unit.",
        rule="R8",
    ),
    ErrorCode("INVALID_PERIOD", "报告期次从 1 开始。", "Report periods are numbered from 1.", rule="R18"),
    ErrorCode(
        "INVALID_TRANSITION",
        "项目当前状态不能转为目标状态。",
        "The project cannot move from its current state to the requested one.",
    ),
    ErrorCode(
        "INVALID_USERNAME",
        "用户名须为3–50位小写字母、数字、点、下划线或连字符。",
        "A username is 3–50 lowercase letters, digits, dots, underscores or hyphens.",
    ),
    ErrorCode(
        "LAST_POLICY_WRITER",
        "不能删除管理员修改授权规则或批准变更的最后一条规则。",
        "The administrators' last policy:write or policy-change:decide rule cannot be removed.",
    ),
    ErrorCode(
        "METHOD_NOT_IN_REGIME",
        "采购方式不属于所选的采购法律制度。",
        "The method does not belong to the chosen procurement regime.",
        rule="R15",
    ),
    ErrorCode(
        "MID_YEAR_PENDING",
        "该项目已有在办的年中新增申请。",
        "The project already has a mid-year request in progress.",
        rule="R10.2",
    ),
    ErrorCode(
        "MID_YEAR_STEP_OUT_OF_ORDER",
        "年中项目须依次经市大数据管理局审核、征求市财政局意见、报市政府同意。",
        "A mid-year project goes through bdb review, then the finance opinion, then government approval.",
        rule="R10.2",
    ),
    ErrorCode(
        "MISSING_ACCEPTANCE_REPORT",
        "竣工验收申请缺少必备报告。",
        "The completion-acceptance application is missing a required report.",
        rule="R19.2",
    ),
    ErrorCode("NAME_REQUIRED", "请填写令牌名称。", "Give the token a name."),
    ErrorCode("NEGATIVE_AMOUNT", "金额不能为负数。", "The amount cannot be negative."),
    ErrorCode(
        "NOT_ACCEPTED",
        "项目未通过竣工验收，不能备案投入运行。",
        "The project has not passed its completion acceptance: it cannot be filed and put into operation.",
        rule="R20",
    ),
    ErrorCode(
        "NOT_AN_EVALUATOR",
        "受托单位须为登记的第三方中介服务机构。",
        "The organization must be a registered third-party evaluator.",
    ),
    ErrorCode(
        "NOT_AN_INTEGRATOR",
        "接口令牌只能签发给对接系统单位。",
        "API tokens are issued to integrator organizations only.",
    ),
    ErrorCode(
        "NOT_APPROVED",
        "项目尚无批复投资，不能拨付资金。",
        "The project has no approved investment: nothing can be disbursed.",
        rule="R13.1",
    ),
    ErrorCode(
        "NOT_DEFERRED", "项目未被暂缓安排投资计划。", "The project's plan is not deferred.", rule="R23.2"
    ),
    ErrorCode(
        "NOT_IN_APPROVED_PLAN",
        "项目未列入经批准的年度投资计划，不能开工建设。",
        "The project is not in an approved annual investment plan.",
        rule="R10.1",
    ),
    ErrorCode(
        "NOT_IN_OPERATION",
        "项目尚未通过验收备案并投入运行，不能提交自评价。",
        "The project is not filed and in operation yet; no self-evaluation can be submitted.",
        rule="R22",
    ),
    ErrorCode(
        "NOT_OM_PROJECT",
        "该项目不是运维项目，合同由项目单位登记。",
        "This is not an O&M project: its unit records the contract.",
        rule="R15",
    ),
    ErrorCode(
        "NOT_REPORTING",
        "项目须已批复且尚未验收备案，方可报送进度。",
        "Progress is reported from the approval until the acceptance filing.",
        rule="R18",
    ),
    ErrorCode("NOT_SUSPENDED", "项目未被暂停。", "The project is not suspended.", rule="R23.2"),
    ErrorCode(
        "NOT_THE_INSPECTING_AGENCY",
        "只有实施检查的部门可以办理此事项。",
        "Only the agency that opened the inspection may do this.",
        rule="R23.1",
    ),
    ErrorCode(
        "NO_APPROVED_PLAN",
        "该年度投资计划尚未批准，无法纳入。",
        "There is no approved investment plan for the year to add the project to.",
        rule="R10.2",
    ),
    ErrorCode(
        "NO_FAILED_RECTIFICATION",
        "项目没有逾期未整改或整改后仍不符合要求的情形，不能采取此措施。",
        "The project has no overdue or rejected rectification: this sanction is not available.",
        rule="R23.2",
    ),
    ErrorCode(
        "NO_FILING", "项目单位尚未报备验收报告。", "The unit has not filed its acceptance report.", rule="R21"
    ),
    ErrorCode(
        "NO_INITIAL_ACCEPTANCE",
        "项目尚未通过初步验收，不能申请竣工验收。",
        "The project has not passed its initial acceptance; completion acceptance cannot be applied for.",
        rule="R19.1",
    ),
    ErrorCode(
        "NO_RECTIFICATION_ORDERED",
        "该检查没有待完成的整改要求。",
        "The inspection has no rectification order to answer.",
        rule="R23.1",
    ),
    ErrorCode(
        "OM_PROCUREMENT_BY_BDB",
        "运维项目由市大数据管理局统一组织采购。",
        "O&M procurement is organized by bdb, not by the unit.",
        rule="R15",
    ),
    ErrorCode("OPINION_REQUIRED", "请填写意见。", "An opinion is required."),
    ErrorCode(
        "ORGANIZATION_NAME_TAKEN",
        "单位名称为空或已存在。",
        "The organization name is empty or already taken.",
    ),
    ErrorCode(
        "OUTSIDE_SELF_EVALUATION_WINDOW",
        "自评价须在运行满12个月至24个月之间提交。",
        "A self-evaluation is accepted between 12 and 24 months of operation.",
        rule="R22",
    ),
    ErrorCode(
        "OWN_PROPOSAL",
        "不能处理自己提出的授权规则变更，须由另一名管理员处理。",
        "You cannot decide your own policy change; another administrator must.",
        rule="R3.2",
    ),
    ErrorCode(
        "PARTICIPANT_PART_MISSING",
        "参建单位须明确其与总体工程的分工、接口或关系。",
        "Each participating unit must state its part in the overall project.",
        rule="R8",
    ),
    ErrorCode("PASSWORD_TOO_SHORT", "密码过短。", "The password is too short."),
    ErrorCode("PERIOD_ALREADY_REPORTED", "该期进度已报送。", "This period is already reported.", rule="R18"),
    ErrorCode(
        "PERIOD_NOT_STARTED", "该报告期尚未开始。", "This reporting period has not started yet.", rule="R18"
    ),
    ErrorCode(
        "PLAN_ALREADY_COMPILED",
        "该条目已列入报批或已批准的年度计划，审核意见不能再修改。",
        "The entry is in a plan sent to or approved by the government; its reviews are closed.",
        rule="R10.1",
    ),
    ErrorCode(
        "PLAN_AWAITING_GOVERNMENT",
        "已有报市政府待批的年度计划。",
        "A plan revision is awaiting the government's decision.",
        rule="R10.1",
    ),
    ErrorCode(
        "PLAN_CALL_CLOSED",
        "该年度项目计划征集已截止（截止日 23:59:59，北京时间），不再受理报送。",
        "The year's plan call has closed (23:59:59 China time on its deadline).",
        rule="R9",
    ),
    ErrorCode(
        "PLAN_CALL_EXISTS", "该年度计划征集已经发布。", "The year's plan call is already open.", rule="R9"
    ),
    ErrorCode("PLAN_EMPTY", "年度计划至少包含一个项目。", "A plan lists at least one project.", rule="R10.1"),
    ErrorCode(
        "PLAN_ITEM_CANNOT_BE_REMOVED",
        "项目已批复或已开工，不能从计划中移出。",
        "The project is already approved or under way: it stays in the plan.",
        rule="R10.1",
    ),
    ErrorCode("PLAN_STATE", "年度计划当前状态不允许此操作。", "The plan's state does not allow this step."),
    ErrorCode("PLAN_YEAR_IN_PAST", "计划年度不能早于本年度。", "The plan year is in the past.", rule="R9"),
    ErrorCode(
        "PLATFORM_EXEMPTION_REASON_REQUIRED",
        "新建项目应依托市级政务云部署并接入统一政务信息资源库平台；不部署或不接入的，须说明国家、省规定或业务特殊需要等理由。",
        "A new project deploys on the municipal government cloud and connects to the unified resource platform; an exemption needs its reason (national/provincial rule or special business need).",
        rule="R6",
    ),
    ErrorCode(
        "POST_EVALUATION_COMPLETED",
        "该后评价已提交结果。",
        "This post-evaluation already has its result.",
        rule="R22",
    ),
    ErrorCode(
        "PRELIMINARY_DESIGN_NOT_APPROVED",
        "初步设计未批复，不能开工建设。",
        "The preliminary design is not approved: construction cannot start.",
        rule="R13.1",
    ),
    ErrorCode(
        "PROGRESS_OUT_OF_RANGE",
        "形象进度须在 0 至 100 之间。",
        "Physical progress must be between 0 and 100 per cent.",
        rule="R18",
    ),
    ErrorCode(
        "PROJECT_NOT_APPROVED",
        "项目须已批复方可登记合同。",
        "A contract is recorded for an approved project.",
        rule="R14",
    ),
    ErrorCode(
        "PROJECT_NOT_EDITABLE",
        "项目已提交，不能直接修改；如被退回，可在退回后修改再提交。",
        "The project has been submitted and cannot be edited unless it is returned.",
        rule="R16",
    ),
    ErrorCode(
        "PROJECT_NOT_IN_APPROVAL",
        "项目须已入储备库方可编报审批文件。",
        "Approval documents are submitted for projects in the reserve.",
        rule="R11.0",
    ),
    ErrorCode(
        "PROJECT_NOT_IN_RESERVE",
        "项目须已入储备库且尚未列入计划。",
        "The project must be in the reserve and not yet planned.",
    ),
    ErrorCode(
        "PROJECT_NOT_PLANNABLE",
        "项目不在储备库中，或已被暂缓安排投资计划、暂停或终止。",
        "The project is not in the reserve, or is deferred, suspended or terminated.",
        rule="R10.1",
    ),
    ErrorCode(
        "PROJECT_PLAN_DEFERRED",
        "项目因整改不到位被暂缓安排投资计划（第二十三条）。",
        "The project's investment plan is deferred for failed rectification (Art. 23).",
        rule="R23.2",
    ),
    ErrorCode(
        "PROJECT_SUSPENDED",
        "项目已被暂停建设，除整改外不能进行任何变更（第二十三条）。",
        "The project is suspended: every change but rectification is refused (Art. 23).",
        rule="R23.2",
    ),
    ErrorCode(
        "R12_PART_MISSING",
        "审批文件缺少第十二条规定的内容。",
        "The approval document lacks a part Art. 12 requires.",
        rule="R12",
    ),
    ErrorCode("REASON_REQUIRED", "须说明理由。", "A reason is required."),
    ErrorCode(
        "REPORT_PENDING",
        "已有整改报告等待审核。",
        "A rectification report is already waiting for review.",
        rule="R23.1",
    ),
    ErrorCode("REPORT_REVIEWED", "整改报告已审核。", "The report was already reviewed.", rule="R23.1"),
    ErrorCode("REQUIRED", "此项不能为空。", "This field is required."),
    ErrorCode(
        "REQUIREMENTS_REQUIRED", "须明确项目报送要求。", "State the submission requirements.", rule="R9"
    ),
    ErrorCode(
        "RESERVE_CHECK_DUPLICATED", "第七条审核项重复。", "An Article 7 check is recorded twice.", rule="R7"
    ),
    ErrorCode("RESERVE_CHECK_MISSING", "缺少第七条审核项。", "An Article 7 check is missing.", rule="R7"),
    ErrorCode("RESERVE_CHECK_NOTE_REQUIRED", "审核项须填写审核意见。", "A check needs a note.", rule="R7"),
    ErrorCode(
        "RESOURCES_BEFORE_FILING",
        "验收报告备案前不得分配数据中心资源。",
        "No data-centre resources before the acceptance report is filed with bdb.",
        rule="R21",
    ),
    ErrorCode("RESOURCES_REQUIRED", "须说明分配的资源。", "Say which resources.", rule="R21"),
    ErrorCode("RETURN_REASON_REQUIRED", "退回须说明理由。", "A return needs its reason."),
    ErrorCode(
        "SCORE_OUT_OF_RANGE",
        "后评价得分须在 0 至 100 之间。",
        "A post-evaluation score must be between 0 and 100.",
        rule="R22",
    ),
    ErrorCode(
        "SELECTION_REFERENCE_REQUIRED",
        "须记录竞争性选择的依据（如采购项目编号）。",
        "Record the competitive selection (e.g. the procurement reference).",
        rule="R13.1",
    ),
    ErrorCode(
        "SELF_WIDENING",
        "不能扩大自己所持角色的权限。",
        "You cannot widen a role you hold yourself.",
        rule="R3.1",
    ),
    ErrorCode(
        "SUBJECT_OUTSIDE_FIELD",
        "该监督事项不属于本部门职责范围（按照职责分工实施监督）。",
        "This subject is outside the agency's field of supervision.",
        rule="R23.1",
    ),
    ErrorCode("SUMMARY_REQUIRED", "须填写自评价内容。", "The self-evaluation is empty.", rule="R22"),
    ErrorCode("UNKNOWN_ENTRY", "计划条目不存在。", "No such plan entry.", rule="R10.1"),
    ErrorCode("UNKNOWN_ORGANIZATION", "单位不存在。", "No such organization."),
    ErrorCode("UNKNOWN_ROLE", "未知角色。", "Unknown role."),
    ErrorCode("UNKNOWN_SCOPE", "未知范围。", "Unknown scope."),
    ErrorCode("USERNAME_TAKEN", "用户名已存在。", "The username is taken."),
    ErrorCode(
        "VERSION_CONFLICT",
        "对象已被他人修改（版本不一致），请刷新后重试。",
        "Someone else changed the object first (stale version); reload and try again.",
    ),
    ErrorCode("WEBHOOK_EVENT_TYPES_INVALID", "事件类型为空或未知。", "Event types are empty or unknown."),
    ErrorCode(
        "WEBHOOK_URL_FORBIDDEN_ADDRESS",
        "推送地址指向本机、链路本地或内网地址，不允许推送。",
        "The URL points to a loopback, link-local or private address; webhooks may not be sent there.",
    ),
    ErrorCode(
        "WEBHOOK_URL_INVALID",
        "推送地址须为 http(s) 网址（生产环境仅限 https），且不含用户名和密码。",
        "The URL must be an http(s) URL (https in production) without credentials.",
    ),
    ErrorCode(
        "WEBHOOK_URL_UNRESOLVABLE", "推送地址的主机名无法解析。", "The URL's host name does not resolve."
    ),
    ErrorCode(
        "WRONG_STATE",
        "项目当前状态不允许此操作。",
        "The project's state does not allow this step.",
    ),
    # Sign-in, sessions and passwords (issue 13)
    ErrorCode(
        "ACTIVATION_TOKEN_INVALID",
        "激活令牌无效、已使用、已过期或已被新令牌取代；须向管理员申请新的激活令牌。",
        "The activation token is invalid, used, expired or replaced by a newer one; ask an administrator for a new one.",
    ),
    ErrorCode(
        "CANNOT_DISABLE_SELF", "不能停用自己的账号。", "An administrator cannot disable their own account."
    ),
    ErrorCode(
        "LOGIN_THROTTLED",
        "登录失败次数过多：须等待所示秒数，或用户名/地址已被临时锁定。",
        "Too many failed sign-ins: wait the seconds given, or the username or address is locked for a while.",
    ),
    ErrorCode(
        "NOT_A_SESSION",
        "接口令牌没有登录会话；由管理员吊销该令牌。",
        "An API token has no session; an administrator revokes the token instead.",
    ),
    ErrorCode(
        "PASSWORD_CONTAINS_USERNAME", "密码不得包含用户名。", "A password may not contain the username."
    ),
    ErrorCode(
        "PASSWORD_TOO_COMMON",
        "密码过于常见或容易猜到（常用密码、重复字符、连续数字或字母）。",
        "The password is common or easy to guess (a well-known password, repeats or a sequence).",
    ),
    ErrorCode(
        "PASSWORD_TOO_LONG", "密码超过最大长度（128个字符）。", "The password is longer than 128 characters."
    ),
    ErrorCode(
        "REFRESH_TOKEN_INVALID",
        "刷新令牌无效、已使用或其会话已结束，须重新登录。",
        "The refresh token is invalid, already used, or its session has ended; sign in again.",
    ),
    ErrorCode("WRONG_PASSWORD", "当前密码不正确。", "The current password is wrong."),
    # Chronology of stated dates (issue 15, docs/chronology.md)
    ErrorCode(
        "DATE_BEFORE_PRECEDING_STEP",
        "所填日期早于项目已记录的前一步骤（提交、评审、批复、合同等）的日期。",
        "The stated date is before a step the project already recorded (submission, evaluation, approval, contract …).",
    ),
    ErrorCode(
        "LATE_ENTRY_REASON_REQUIRED",
        "所填日期早于今天30日以上，须说明补录理由（记入审计日志）。",
        "The stated date lies more than 30 days back: give the reason for the late entry (kept in the audit log).",
        rule="R24.1",
    ),
    ErrorCode(
        "EXTENSION_IN_PAST",
        "延期截止日不能早于今天。",
        "An extension cannot end before today.",
        rule="R19.1",
    ),
    ErrorCode(
        "RECTIFICATION_OVERDUE",
        "整改期限已届满（第二十条：3个月内完成整改），不能申请复验，除非大数据局登记延期。",
        "The rectification deadline has passed (Art. 20: rectify within 3 months): no re-examination unless bdb records an extension.",
        rule="R20",
    ),
    ErrorCode(
        "CONTRACT_ABOVE_APPROVED",
        "合同累计金额将超过批复投资；增加投资须先经市大数据管理局批准变更。",
        "The contracts' total would exceed the approved investment: an increase needs bdb's approval of a change first.",
        rule="R16",
    ),
    ErrorCode(
        "INITIAL_ACCEPTANCE_REPORT_MISSING",
        "须先上传初步验收报告，方可登记通过的初步验收。",
        "Upload the initial-acceptance report before recording a passed initial acceptance.",
        rule="R19.4",
    ),
    ErrorCode(
        "COMPLETION_ACCEPTANCE_REPORT_MISSING",
        "须先上传竣工验收报告，方可报备。",
        "Upload the completion-acceptance report before filing it.",
        rule="R21.2",
    ),
    ErrorCode(
        "FILE_REQUIRED",
        "请上传报告文件（multipart 请求）。",
        "Upload the report's file (a multipart request).",
        rule="R19.4",
    ),
    ErrorCode(
        "ACCEPTANCE_REPORT_ALTERED",
        "验收报告的存储文件与上传时的 SHA-256 不一致，请重新上传。",
        "The stored acceptance report no longer matches the SHA-256 recorded at its upload; upload it again.",
    ),
)

USER_ERROR_CODES: dict[str, ErrorCode] = {entry.code: entry for entry in _CODES}
