"""Demo data an agency recognises: Yingkou's bureaus, districts and real-looking projects.

Loaded through the same use cases and policy as the API, so every demo project has its audit trail.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import hash_password
from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.actors import ADMIN_ROLE, Actor, OrgType
from domain.clock import Clock
from domain.projects import CatalogueItem, FundingSource, Participant, Project, ProjectCategory, ProjectKind
from domain.reserve import CheckResult, ReserveCheck
from domain.services import projects as use_cases
from store import tables
from store.uow import SqlUnitOfWork

DEMO_PASSWORD = "Yingkou@2026"
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


async def is_seeded(session: AsyncSession) -> bool:
    return (await session.execute(select(tables.seed_marks).where(tables.seed_marks.c.name == MARK))).first() is not None


async def seed_demo(session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> bool:
    """Load the demo once; False when it was already there."""
    async with session_factory() as session, session.begin():
        if await is_seeded(session):
            return False
        org_ids = {}
        for name, kind, district in ORGANIZATIONS:
            org_ids[name] = (await session.execute(
                insert(tables.organizations).values(name=name, type=kind.value, district=district)
                .returning(tables.organizations.c.id))).scalar_one()
        password_hash = hash_password(DEMO_PASSWORD)
        actors: dict[str, Actor] = {}
        for username, display, org, is_admin in USERS:
            pk = (await session.execute(
                insert(tables.users).values(username=username, display_name=display, password_hash=password_hash,
                                            organization_id=org_ids[org], is_admin=is_admin)
                .returning(tables.users.c.id))).scalar_one()
            kind = next(k for n, k, _ in ORGANIZATIONS if n == org)
            actors[username] = Actor(user_id=pk, organization_id=org_ids[org], username=username,
                                     role=ADMIN_ROLE if is_admin else kind.value)
    await _seed_projects(session_factory, clock, actors, org_ids)
    async with session_factory() as session, session.begin():
        await session.execute(insert(tables.seed_marks).values(name=MARK))
    return True


async def _seed_projects(session_factory: async_sessionmaker[AsyncSession], clock: Clock,
                         actors: dict[str, Actor], orgs: dict[str, int]) -> None:
    authorizer = Authorizer()

    def uow(username: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory, actor=actors[username], clock=clock, request_id="seed-demo")

    async def draft(username: str, project: Project) -> int:
        project.lead_organization_id = actors[username].organization_id
        created = await use_cases.create_project(uow=uow(username), project=project,
                                                 gate=authorizer.gate(actors[username], Operation.PROJECT_CREATE))
        assert created.id is not None
        return created.id

    async def submit(username: str, pk: int) -> None:
        await use_cases.submit_to_reserve(uow=uow(username), project_id=pk, expected_version=None,
                                          gate=authorizer.gate(actors[username], Operation.PROJECT_SUBMIT_TO_RESERVE))

    async def review(pk: int, results: list[CheckResult], comment: str = "") -> None:
        await use_cases.review_for_reserve(uow=uow("bdb.zhang"), project_id=pk, results=results, comment=comment,
                                           expected_version=None,
                                           gate=authorizer.gate(actors["bdb.zhang"], Operation.RESERVE_REVIEW_RECORD))

    def project(name: str, kind: ProjectKind, category: ProjectCategory, amount: str, description: str,
                **extra: object) -> Project:
        return Project(name=name, kind=kind, category=category, funding_source=extra.pop("funding", FundingSource.FISCAL),  # type: ignore[arg-type]
                       total_investment=Decimal(amount), lead_organization_id=0, description=description,
                       contact_name=extra.pop("contact", "项目联系人"), contact_phone="0417-2800000",  # type: ignore[arg-type]
                       contact_email="xxzx@yingkou.gov.cn", **extra)  # type: ignore[arg-type]

    education = await draft("edu.chen", project(
        "营口市智慧教育云平台（二期）", ProjectKind.BUILD, ProjectCategory.BUSINESS_SYSTEM, "12800000.00",
        "建设全市统一的教育资源公共服务平台和教育管理公共服务平台，覆盖全市312所中小学。", contact="陈静"))
    await submit("edu.chen", education)
    await review(education, all_pass(), "同意入库。")

    health = await draft("health.liu", project(
        "全民健康信息平台升级改造", ProjectKind.UPGRADE, ProjectCategory.RESOURCE_DATABASE, "6500000.00",
        "升级市级全民健康信息平台，实现电子健康档案与电子病历互通共享。", contact="刘洋"))
    await submit("health.liu", health)

    city_ops = await draft("housing.yang", project(
        "营口市城市运行管理服务平台数据底座", ProjectKind.BUILD, ProjectCategory.RESOURCE_DATABASE, "23600000.00",
        "汇聚住建、交通、区县城市运行数据，建设城市运行管理服务平台统一数据底座。", contact="杨帆",
        participants=[
            Participant(orgs["营口市交通运输局"], "提供道路运行监测业务协同", "实时交通流量数据按分钟推送",
                        "通过政务数据共享交换平台接口"),
            Participant(orgs["鲅鱼圈区人民政府"], "区级城市管理事件流转", "城管事件及处置结果数据日汇总",
                        "区级平台经统一接口接入"),
        ],
        catalogue=[CatalogueItem("YK-DATA-CG-001", "城市部件数据"), CatalogueItem("YK-DATA-CG-002", "城市管理事件数据"),
                   CatalogueItem("YK-DATA-JT-010", "道路交通运行数据", new_construction=False)]))
    await submit("housing.yang", city_ops)
    await review(city_ops, all_pass(), "跨部门共建共享项目，同意入库。")

    await draft("transport.huang", project(
        "交通运输综合执法系统政务云迁移", ProjectKind.MIGRATION, ProjectCategory.BUSINESS_SYSTEM, "1850000.00",
        "将综合执法系统由自建机房迁移至市级政务云。", contact="黄海"))

    window = await draft("byq.xu", project(
        "一网通办平台升级（鲅鱼圈区分厅）", ProjectKind.UPGRADE, ProjectCategory.BUSINESS_SYSTEM, "860000.00",
        "鲅鱼圈区政务服务分厅一网通办平台功能升级。", contact="徐婷"))
    await submit("byq.xu", window)
    await review(window, [
        *all_pass()[:2],
        CheckResult(ReserveCheck.INTENSIVE_PLATFORMS, False, "统一身份认证应复用市级平台，不得另行建设。"),
        *all_pass()[3:],
    ], "请按意见修改后重新提交。")

    campus = await draft("edu.chen", project(
        "中小学校园安全视频联网运维（2027年度）", ProjectKind.OPERATION_MAINTENANCE, ProjectCategory.INFRASTRUCTURE,
        "420000.00", "全市中小学校园安全视频联网系统年度运维服务。", contact="陈静"))
    await submit("edu.chen", campus)

    secure = await draft("dsq.ma", project(
        "大石桥市政务外网安全防护与密码应用改造", ProjectKind.UPGRADE, ProjectCategory.SECURITY_CRYPTO, "3200000.00",
        "政务外网边界防护、商用密码应用改造及等级保护测评整改。", contact="马超",
        deploys_on_government_cloud=False,
        platform_exemption_reason="密码设备须在本地机房部署，依据《商用密码管理条例》及省有关规定不上云。"))
    await submit("dsq.ma", secure)
    await review(secure, all_pass())

    await draft("health.liu", project(
        "智慧医保便民服务平台（PPP）", ProjectKind.BUILD, ProjectCategory.BUSINESS_SYSTEM, "15000000.00",
        "政府主导、社会资本参与建设的医保便民服务平台。", contact="刘洋", funding=FundingSource.PPP))
