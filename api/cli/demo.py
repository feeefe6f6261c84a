"""Demo data an agency recognises: Yingkou's bureaus, districts and real-looking projects.

Loaded through the same use cases and policy as the API, so every demo project has its audit trail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import hash_password
from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.actors import Actor, OrgType, role_of
from domain.approval_documents import EvaluationConclusion, SelectionMethod
from domain.approval_path import DocumentType
from domain.clock import Clock
from domain.implementation import ProcurementMethod, ProcurementRegime
from domain.plans import EntryKind
from domain.progress import ProgressFigures
from domain.projects import CatalogueItem, FundingSource, Participant, Project, ProjectCategory, ProjectKind
from domain.reserve import CheckResult, ReserveCheck
from domain.services import approvals as approval_cases
from domain.services import construction as construction_cases
from domain.services import plans as plan_cases
from domain.services import projects as use_cases
from domain.services import supervision as supervision_cases
from domain.supervision import Subject
from store import tables
from store.uow import SqlUnitOfWork

DEMO_PASSWORD = "Yingkou@2026"  # noqa: S105 (the published demo password)
MARK = "demo-v1"

ORGANIZATIONS: list[tuple[str, OrgType, str | None]] = [
    ("营口市大数据管理局", OrgType.BDB, None),
    ("营口市财政局", OrgType.FINANCE, None),
    ("中共营口市委网络安全和信息化委员会办公室", OrgType.CAC, None),
    ("营口市公安局", OrgType.PSB, None),
    ("营口市国家密码管理局", OrgType.CRYPTO, None),
    ("营口市审计局", OrgType.AUDIT, None),
    ("营口市人民政府", OrgType.GOVERNMENT, None),
    ("营口市教育局", OrgType.UNIT, None),
    ("营口市卫生健康委员会", OrgType.UNIT, None),
    ("营口市住房和城乡建设局", OrgType.UNIT, None),
    ("营口市交通运输局", OrgType.UNIT, None),
    ("鲅鱼圈区人民政府", OrgType.UNIT, "鲅鱼圈区"),
    ("大石桥市人民政府", OrgType.UNIT, "大石桥市"),
    ("辽宁衡信工程咨询有限公司", OrgType.EVALUATOR, None),
    ("营口市一体化政务服务平台", OrgType.INTEGRATOR, None),
]

# username, display name, organization, administrator?
USERS: list[tuple[str, str, str, bool]] = [
    ("admin", "系统管理员", "营口市大数据管理局", True),
    ("bdb.zhang", "张伟（大数据局项目处）", "营口市大数据管理局", False),
    ("finance.li", "李娜（财政局）", "营口市财政局", False),
    ("cac.wang", "王强（网信办）", "中共营口市委网络安全和信息化委员会办公室", False),
    ("psb.zhao", "赵磊（公安局网安支队）", "营口市公安局", False),
    ("crypto.sun", "孙丽（密码管理局）", "营口市国家密码管理局", False),
    ("audit.zhou", "周敏（审计局）", "营口市审计局", False),
    ("gov.wu", "吴刚（市政府办公室）", "营口市人民政府", False),
    ("edu.chen", "陈静（教育局信息中心）", "营口市教育局", False),
    ("health.liu", "刘洋（卫健委信息科）", "营口市卫生健康委员会", False),
    ("housing.yang", "杨帆（住建局）", "营口市住房和城乡建设局", False),
    ("transport.huang", "黄海（交通运输局）", "营口市交通运输局", False),
    ("byq.xu", "徐婷（鲅鱼圈区政数局）", "鲅鱼圈区人民政府", False),
    ("dsq.ma", "马超（大石桥市政数局）", "大石桥市人民政府", False),
    ("eval.he", "何晓（衡信咨询）", "辽宁衡信工程咨询有限公司", False),
]


def all_pass() -> list[CheckResult]:
    return [CheckResult(check=c, passed=True, note="经审核，符合要求。") for c in ReserveCheck]


class DemoClock:
    """The demo's history unfolds from June 2025, so codes, plans and approval dates look like real ones."""

    def __init__(self) -> None:
        self.now = datetime(2025, 6, 2, 1, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=7)
        return self.now

    def jump(self, when: datetime) -> None:
        self.now = max(self.now, when)


async def is_seeded(session: AsyncSession) -> bool:
    return (
        await session.execute(select(tables.seed_marks).where(tables.seed_marks.c.name == MARK))
    ).first() is not None


async def seed_demo(session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> bool:
    """Load the demo once; False when it was already there."""
    async with session_factory() as session, session.begin():
        if await is_seeded(session):
            return False
        org_ids = {}
        for name, kind, district in ORGANIZATIONS:
            org_ids[name] = (
                await session.execute(
                    insert(tables.organizations)
                    .values(name=name, type=kind.value, district=district)
                    .returning(tables.organizations.c.id)
                )
            ).scalar_one()
        password_hash = hash_password(DEMO_PASSWORD)
        actors: dict[str, Actor] = {}
        for username, display, org, is_admin in USERS:
            pk = (
                await session.execute(
                    insert(tables.users)
                    .values(
                        username=username,
                        display_name=display,
                        password_hash=password_hash,
                        organization_id=org_ids[org],
                        is_admin=is_admin,
                    )
                    .returning(tables.users.c.id)
                )
            ).scalar_one()
            kind = next(k for n, k, _ in ORGANIZATIONS if n == org)
            actors[username] = Actor(
                user_id=pk,
                organization_id=org_ids[org],
                username=username,
                role=role_of(is_admin=is_admin, organization_type=kind.value),
            )
    history = DemoClock()
    await _seed_projects(session_factory, history, actors, org_ids)
    await _seed_plan_and_approvals(session_factory, history, actors, org_ids)
    async with session_factory() as session, session.begin():
        await session.execute(insert(tables.seed_marks).values(name=MARK))
    return True


async def _seed_projects(
    session_factory: async_sessionmaker[AsyncSession],
    clock: Clock,
    actors: dict[str, Actor],
    orgs: dict[str, int],
) -> None:
    authorizer = Authorizer()

    def uow(username: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory, actor=actors[username], clock=clock, request_id="seed-demo")

    async def draft(username: str, project: Project) -> int:
        project.lead_organization_id = actors[username].organization_id
        created = await use_cases.create_project(
            uow=uow(username),
            project=project,
            gate=authorizer.gate(actors[username], Operation.PROJECT_CREATE),
        )
        assert created.id is not None
        return created.id

    async def submit(username: str, pk: int) -> None:
        await use_cases.submit_to_reserve(
            uow=uow(username),
            project_id=pk,
            expected_version=None,
            gate=authorizer.gate(actors[username], Operation.PROJECT_SUBMIT_TO_RESERVE),
        )

    async def review(pk: int, results: list[CheckResult], comment: str = "") -> None:
        await use_cases.review_for_reserve(
            uow=uow("bdb.zhang"),
            project_id=pk,
            results=results,
            comment=comment,
            expected_version=None,
            gate=authorizer.gate(actors["bdb.zhang"], Operation.RESERVE_REVIEW_RECORD),
        )

    def project(
        name: str,
        kind: ProjectKind,
        category: ProjectCategory,
        amount: str,
        description: str,
        **extra: object,
    ) -> Project:
        return Project(
            name=name,
            kind=kind,
            category=category,
            funding_source=extra.pop("funding", FundingSource.FISCAL),  # type: ignore[arg-type]
            total_investment=Decimal(amount),
            lead_organization_id=0,
            description=description,
            contact_name=extra.pop("contact", "项目联系人"),
            contact_phone="0417-2800000",  # type: ignore[arg-type]
            contact_email="xxzx@yingkou.gov.cn",
            **extra,
        )  # type: ignore[arg-type]

    education = await draft(
        "edu.chen",
        project(
            "营口市智慧教育云平台（二期）",
            ProjectKind.BUILD,
            ProjectCategory.BUSINESS_SYSTEM,
            "12800000.00",
            "建设全市统一的教育资源公共服务平台和教育管理公共服务平台，覆盖全市312所中小学。",
            contact="陈静",
        ),
    )
    await submit("edu.chen", education)
    await review(education, all_pass(), "同意入库。")

    health = await draft(
        "health.liu",
        project(
            "全民健康信息平台升级改造",
            ProjectKind.UPGRADE,
            ProjectCategory.RESOURCE_DATABASE,
            "6500000.00",
            "升级市级全民健康信息平台，实现电子健康档案与电子病历互通共享。",
            contact="刘洋",
        ),
    )
    await submit("health.liu", health)

    city_ops = await draft(
        "housing.yang",
        project(
            "营口市城市运行管理服务平台数据底座",
            ProjectKind.BUILD,
            ProjectCategory.RESOURCE_DATABASE,
            "23600000.00",
            "汇聚住建、交通、区县城市运行数据，建设城市运行管理服务平台统一数据底座。",
            contact="杨帆",
            participants=[
                Participant(
                    orgs["营口市交通运输局"],
                    "提供道路运行监测业务协同",
                    "实时交通流量数据按分钟推送",
                    "通过政务数据共享交换平台接口",
                ),
                Participant(
                    orgs["鲅鱼圈区人民政府"],
                    "区级城市管理事件流转",
                    "城管事件及处置结果数据日汇总",
                    "区级平台经统一接口接入",
                ),
            ],
            catalogue=[
                CatalogueItem("YK-DATA-CG-001", "城市部件数据"),
                CatalogueItem("YK-DATA-CG-002", "城市管理事件数据"),
                CatalogueItem("YK-DATA-JT-010", "道路交通运行数据", new_construction=False),
            ],
        ),
    )
    await submit("housing.yang", city_ops)
    await review(city_ops, all_pass(), "跨部门共建共享项目，同意入库。")

    await draft(
        "transport.huang",
        project(
            "交通运输综合执法系统政务云迁移",
            ProjectKind.MIGRATION,
            ProjectCategory.BUSINESS_SYSTEM,
            "1850000.00",
            "将综合执法系统由自建机房迁移至市级政务云。",
            contact="黄海",
        ),
    )

    window = await draft(
        "byq.xu",
        project(
            "一网通办平台升级（鲅鱼圈区分厅）",
            ProjectKind.UPGRADE,
            ProjectCategory.BUSINESS_SYSTEM,
            "860000.00",
            "鲅鱼圈区政务服务分厅一网通办平台功能升级。",
            contact="徐婷",
        ),
    )
    await submit("byq.xu", window)
    await review(
        window,
        [
            *all_pass()[:2],
            CheckResult(
                ReserveCheck.INTENSIVE_PLATFORMS, False, "统一身份认证应复用市级平台，不得另行建设。"
            ),
            *all_pass()[3:],
        ],
        "请按意见修改后重新提交。",
    )

    campus = await draft(
        "edu.chen",
        project(
            "中小学校园安全视频联网运维（2027年度）",
            ProjectKind.OPERATION_MAINTENANCE,
            ProjectCategory.INFRASTRUCTURE,
            "420000.00",
            "全市中小学校园安全视频联网系统年度运维服务。",
            contact="陈静",
        ),
    )
    await submit("edu.chen", campus)

    secure = await draft(
        "dsq.ma",
        project(
            "大石桥市政务外网安全防护与密码应用改造",
            ProjectKind.UPGRADE,
            ProjectCategory.SECURITY_CRYPTO,
            "3200000.00",
            "政务外网边界防护、商用密码应用改造及等级保护测评整改。",
            contact="马超",
            deploys_on_government_cloud=False,
            platform_exemption_reason="密码设备须在本地机房部署，依据《商用密码管理条例》及省有关规定不上云。",
        ),
    )
    await submit("dsq.ma", secure)
    await review(secure, all_pass())

    await draft(
        "health.liu",
        project(
            "智慧医保便民服务平台（PPP）",
            ProjectKind.BUILD,
            ProjectCategory.BUSINESS_SYSTEM,
            "15000000.00",
            "政府主导、社会资本参与建设的医保便民服务平台。",
            contact="刘洋",
            funding=FundingSource.PPP,
        ),
    )


async def _seed_plan_and_approvals(
    session_factory: async_sessionmaker[AsyncSession],
    clock: DemoClock,
    actors: dict[str, Actor],
    orgs: dict[str, int],
) -> None:
    """The 2026 annual plan (Art. 9–10), a mid-year request and approval documents at every stage (Art. 11–13)."""
    authorizer = Authorizer()

    def uow(username: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory, actor=actors[username], clock=clock, request_id="seed-demo")

    def gate(username: str, operation: Operation):  # type: ignore[no-untyped-def]
        return authorizer.gate(actors[username], operation)

    async with session_factory() as session:
        rows = (await session.execute(select(tables.projects.c.id, tables.projects.c.name))).all()
    pid = {name: pk for pk, name in rows}
    education, city_ops = pid["营口市智慧教育云平台（二期）"], pid["营口市城市运行管理服务平台数据底座"]
    secure = pid["大石桥市政务外网安全防护与密码应用改造"]

    clock.jump(datetime(2025, 9, 1, 1, 0, tzinfo=UTC))
    call = await plan_cases.open_call(
        uow=uow("bdb.zhang"),
        operation=Operation.PLAN_CALL_OPEN.value,
        year=2026,
        deadline=date(2025, 9, 30),
        budget_compilation_date=date(2025, 10, 15),
        requirements="报送2026年度政务信息化项目建设和运维计划，附项目建议及资金测算。",
    )
    assert call.id is not None
    entries = []
    for username, project_id, amount in (
        ("edu.chen", education, "12800000.00"),
        ("housing.yang", city_ops, "23600000.00"),
        ("dsq.ma", secure, "3200000.00"),
    ):
        entries.append(
            await plan_cases.submit_entry(
                uow=uow(username),
                gate=gate(username, Operation.PLAN_ENTRY_SUBMIT),
                call_id=call.id,
                project_id=project_id,
                kind=EntryKind.BUILD,
                amount=Decimal(amount),
                description="2026年度建设计划",
            )
        )
    clock.jump(datetime(2025, 10, 8, 1, 0, tzinfo=UTC))
    planned = {education: "12000000.00", city_ops: "22800000.00", secure: "3200000.00"}
    for entry in entries:
        for username, opinion in (
            ("bdb.zhang", "符合数字政府总体规划，同意列入。"),
            ("finance.li", "资金可以保障。"),
        ):
            assert entry.id is not None
            await plan_cases.review_entry(
                uow=uow(username),
                gate=gate(username, Operation.PLAN_ENTRY_REVIEW),
                entry_id=entry.id,
                opinion=opinion,
                recommended_amount=Decimal(planned[entry.project_id]),
            )
    clock.jump(datetime(2025, 10, 20, 1, 0, tzinfo=UTC))
    plan = await plan_cases.compile_plan(
        uow=uow("bdb.zhang"),
        operation=Operation.ANNUAL_PLAN_COMPILE.value,
        call_id=call.id,
        items=[(e.id, Decimal(planned[e.project_id])) for e in entries if e.id is not None],
        note="营口市2026年度政务信息化项目投资计划",
    )
    assert plan.id is not None
    await plan_cases.send_plan(
        uow=uow("bdb.zhang"), operation=Operation.ANNUAL_PLAN_SEND.value, plan_id=plan.id
    )
    clock.jump(datetime(2025, 12, 15, 1, 0, tzinfo=UTC))
    await plan_cases.decide_plan(
        uow=uow("gov.wu"),
        operation=Operation.ANNUAL_PLAN_DECIDE.value,
        plan_id=plan.id,
        approve=True,
        comment="同意。",
    )

    evaluator = orgs["辽宁衡信工程咨询有限公司"]

    async def document(username: str, project_id: int, kind: DocumentType, amount: str) -> int:
        _, doc = await approval_cases.submit_document(
            uow=uow(username),
            gate=gate(username, Operation.APPROVAL_DOCUMENT_SUBMIT),
            project_id=project_id,
            document_type=kind,
            content=DEMO_R12_CONTENT if kind is not DocumentType.PROPOSAL else {},
            requested_investment=Decimal(amount),
            attachments=[],
            expected_version=None,
        )
        assert doc.id is not None
        return doc.id

    async def evaluate(doc_id: int, amount: str, *, crypto: bool = True) -> None:
        await approval_cases.assign_evaluator(
            uow=uow("bdb.zhang"),
            gate=gate("bdb.zhang", Operation.APPROVAL_DOCUMENT_ASSIGN_EVALUATOR),
            document_id=doc_id,
            evaluator_organization_id=evaluator,
            method=SelectionMethod.COMPETITIVE_CONSULTATION,
            reference="YKCG-2026-0315",
        )
        await approval_cases.file_evaluation(
            uow=uow("eval.he"),
            gate=gate("eval.he", Operation.APPROVAL_DOCUMENT_EVALUATE),
            document_id=doc_id,
            conclusion=EvaluationConclusion.RECOMMENDED,
            opinion="技术方案可行，投资估算基本合理。",
            recommended_investment=Decimal(amount),
            attachments=[],
        )
        if crypto:
            await approval_cases.record_crypto_review(
                uow=uow("crypto.sun"),
                gate=gate("crypto.sun", Operation.APPROVAL_DOCUMENT_CRYPTO_REVIEW),
                document_id=doc_id,
                passed=True,
                opinion="密码应用方案符合GB/T 39786要求。",
            )

    async def approve(doc_id: int, number: str, on: date, amount: str) -> None:
        clock.jump(datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2))
        await approval_cases.approve_document(
            uow=uow("bdb.zhang"),
            gate=gate("bdb.zhang", Operation.APPROVAL_DOCUMENT_APPROVE),
            document_id=doc_id,
            number=number,
            approval_date=on,
            approved_investment=Decimal(amount),
            over_request_reason=None,
            attachments=[],
        )

    clock.jump(datetime(2026, 1, 12, 1, 0, tzinfo=UTC))
    # 城市运行管理服务平台: in the plan, so the feasibility study comes first (R11.1); then the design — APPROVED.
    fs = await document("housing.yang", city_ops, DocumentType.FEASIBILITY_STUDY, "22800000.00")
    await evaluate(fs, "22500000.00")
    await approve(fs, "营数据审〔2026〕3号", date(2026, 2, 6), "22500000.00")
    pd = await document("housing.yang", city_ops, DocumentType.PRELIMINARY_DESIGN, "22500000.00")
    await evaluate(pd, "22380000.00")
    await approve(pd, "营数据审〔2026〕11号", date(2026, 4, 17), "22380000.00")
    # 智慧教育云: feasibility study approved, preliminary design under evaluation.
    fs = await document("edu.chen", education, DocumentType.FEASIBILITY_STUDY, "12000000.00")
    await evaluate(fs, "11800000.00")
    await approve(fs, "营数据审〔2026〕15号", date(2026, 5, 20), "11800000.00")
    pd = await document("edu.chen", education, DocumentType.PRELIMINARY_DESIGN, "11800000.00")
    await approval_cases.assign_evaluator(
        uow=uow("bdb.zhang"),
        gate=gate("bdb.zhang", Operation.APPROVAL_DOCUMENT_ASSIGN_EVALUATOR),
        document_id=pd,
        evaluator_organization_id=evaluator,
        method=SelectionMethod.PUBLIC_TENDER,
        reference="YKCG-2026-0722",
    )
    # 大石桥政务外网: feasibility study evaluated, awaiting the crypto review (no approval before it, R13.2).
    fs = await document("dsq.ma", secure, DocumentType.FEASIBILITY_STUDY, "3200000.00")
    await evaluate(fs, "3150000.00", crypto=False)

    # A mid-year request (R10.2): 全民健康信息平台 enters the reserve and asks to join this year's plan.
    health = pid["全民健康信息平台升级改造"]
    await _accept_into_reserve(session_factory, clock, actors, authorizer, health)
    await plan_cases.submit_mid_year(
        uow=uow("health.liu"),
        gate=gate("health.liu", Operation.MID_YEAR_SUBMIT),
        project_id=health,
        amount=Decimal("6500000.00"),
        reason="落实省卫健委电子健康档案互通共享年内完成的部署。",
    )

    # Issue 4: 城市运行管理服务平台 signs its contract (R14–R15, under construction) and reports its first
    # quarter (R18); the second quarter, due 17 Oct 2026, is left open so the demo shows an overdue report.
    clock.jump(datetime(2026, 5, 28, 2, 0, tzinfo=UTC))
    await construction_cases.record_contract(
        uow=uow("housing.yang"),
        gate=gate("housing.yang", Operation.CONTRACT_RECORD),
        project_id=city_ops,
        om_by_bdb=False,
        values={
            "legal_person": "营口市住房和城乡建设局",
            "regime": ProcurementRegime.GOVERNMENT_PROCUREMENT,
            "method": ProcurementMethod.PUBLIC_TENDER,
            "procurement_reference": "YKZC-2026-0536",
            "winning_bidder": "辽宁城市智算科技有限公司",
            "supervision_firm": "营口信达工程监理有限公司",
            "contract_number": "YKZJ-HT-2026-021",
            "amount": Decimal("21960000.00"),
            "signed_on": date(2026, 5, 27),
        },
    )
    clock.jump(datetime(2026, 7, 10, 2, 0, tzinfo=UTC))
    await construction_cases.submit_progress(
        uow=uow("housing.yang"),
        gate=gate("housing.yang", Operation.PROGRESS_REPORT_SUBMIT),
        project_id=city_ops,
        values=ProgressFigures(
            period_number=1,
            physical_progress=Decimal("28.50"),
            funds_spent=Decimal("5200000.00"),
            milestones="完成数据底座基础平台部署和首批12个部门数据接入。",
            problems="部分区县数据接口标准不统一，正在协调。",
        ),
    )
    await _seed_supervision(clock, uow, gate, city_ops=city_ops, secure=secure)


async def _seed_supervision(clock: DemoClock, uow, gate, *, city_ops: int, secure: int) -> None:  # type: ignore[no-untyped-def]
    """Art. 23: a rectification ordered and answered (waiting for review), and one rejected → suspension."""
    # 大石桥政务外网: crypto inspects its cryptography, orders rectification by 20 Aug, rejects the report,
    # and bdb suspends the project (R23.2) — it may still report its rectification while suspended.
    clock.jump(datetime(2026, 7, 20, 1, 30, tzinfo=UTC))
    inspection = await supervision_cases.open_inspection(
        uow=uow("crypto.sun"),
        gate=gate("crypto.sun", Operation.INSPECTION_OPEN),
        project_id=secure,
        subject=Subject.CRYPTOGRAPHY,
        note="密码应用专项检查。",
    )
    assert inspection.id is not None
    await supervision_cases.conclude_inspection(
        uow=uow("crypto.sun"),
        gate=gate("crypto.sun", Operation.INSPECTION_CONCLUDE),
        inspection_id=inspection.id,
        findings="既有系统仍使用非国密算法的 VPN 设备，未按 GB/T 39786 开展密码应用安全性评估。",
        deadline=date(2026, 8, 20),
    )
    clock.jump(datetime(2026, 8, 14, 2, 0, tzinfo=UTC))
    report = await supervision_cases.submit_rectification(
        uow=uow("dsq.ma"),
        gate=gate("dsq.ma", Operation.RECTIFICATION_REPORT_SUBMIT),
        inspection_id=inspection.id,
        content="已制定国密改造计划，设备采购待启动。",
        attachments=[],
    )
    assert report.id is not None
    clock.jump(datetime(2026, 8, 24, 2, 0, tzinfo=UTC))
    await supervision_cases.review_rectification(
        uow=uow("crypto.sun"),
        gate=gate("crypto.sun", Operation.RECTIFICATION_REPORT_REVIEW),
        report_id=report.id,
        accept=False,
        reasons="仅有计划，非国密 VPN 设备仍在运行，整改后仍不符合要求。",
    )
    clock.jump(datetime(2026, 8, 31, 2, 0, tzinfo=UTC))
    await supervision_cases.suspend(
        uow=uow("bdb.zhang"),
        gate=gate("bdb.zhang", Operation.PROJECT_SUSPEND),
        project_id=secure,
        expected_version=None,
    )
    # 城市运行管理服务平台: finance inspects fund use, orders rectification by 30 Oct; the unit's report
    # waits for finance's review.
    clock.jump(datetime(2026, 9, 7, 1, 30, tzinfo=UTC))
    inspection = await supervision_cases.open_inspection(
        uow=uow("finance.li"),
        gate=gate("finance.li", Operation.INSPECTION_OPEN),
        project_id=city_ops,
        subject=Subject.FUND_USE,
        note="2026年第三季度财政资金使用检查。",
    )
    assert inspection.id is not None
    await supervision_cases.conclude_inspection(
        uow=uow("finance.li"),
        gate=gate("finance.li", Operation.INSPECTION_CONCLUDE),
        inspection_id=inspection.id,
        findings="监理费用从建设资金中列支但未经批复调整，资金支付凭证不完整。",
        deadline=date(2026, 10, 30),
    )
    clock.jump(datetime(2026, 10, 20, 2, 0, tzinfo=UTC))
    await supervision_cases.submit_rectification(
        uow=uow("housing.yang"),
        gate=gate("housing.yang", Operation.RECTIFICATION_REPORT_SUBMIT),
        inspection_id=inspection.id,
        content="已补齐支付凭证，监理费用调整已按第十七条向大数据局备案。",
        attachments=[],
    )


async def _accept_into_reserve(
    session_factory: async_sessionmaker[AsyncSession],
    clock: Clock,
    actors: dict[str, Actor],
    authorizer: Authorizer,
    project_id: int,
) -> None:
    await use_cases.review_for_reserve(
        uow=SqlUnitOfWork(session_factory, actor=actors["bdb.zhang"], clock=clock, request_id="seed-demo"),
        gate=authorizer.gate(actors["bdb.zhang"], Operation.RESERVE_REVIEW_RECORD),
        project_id=project_id,
        results=all_pass(),
        comment="同意入库。",
        expected_version=None,
    )


DEMO_R12_CONTENT = {
    "summary": "项目建设内容、技术路线和投资估算。",
    "data_catalogue": "梳理信息资源目录，新增目录条目由平台统一编目。",
    "sharing_list": "向市政务数据共享交换平台提供共享清单所列数据。",
    "sharing_process": "按《营口市政务信息共享开放管理办法》申请、审核、共享。",
    "sharing_interfaces": "RESTful 接口，经统一共享交换平台。",
    "sharing_frequency": "实时或按日更新。",
    "product_security_statement": "关键软硬件选用安全可靠产品。",
    "security_plan": "按网络安全等级保护第三级设计，同步建设、同步测评。",
    "crypto_application_plan": "采用商用密码实现身份鉴别、传输和存储加密。",
}
