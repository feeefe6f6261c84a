"""Why a decision came out as it did, in words a frontend can show (zh-CN or English)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from authz.operations import DESCRIPTIONS_ZH, Operation

SCOPE_LABELS: dict[str, tuple[str, str]] = {
    "any": ("全部对象", "any object"),
    "lead": ("本单位牵头的项目", "projects your organization leads"),
    "participant": ("本单位参建的项目", "projects your organization participates in"),
    "submitted": ("已提交入库的项目", "projects that have been submitted"),
    "published": ("非草稿项目", "projects that are no longer drafts"),
    "assigned": ("分配给本机构的评审任务", "work assigned to your organization"),
}

_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九")}


@dataclass(frozen=True, slots=True)
class Grant:
    """A policy line that applies: the scope it needs and the article that gives the power."""

    role: str
    operation: str
    scope: str
    article: str

    @property
    def rule(self) -> str:
        """The policy line itself, as policy.csv and the `policyRules` query spell it."""
        return f"p, {self.role}, {self.operation}, {self.scope}, {self.article}"


def article_number(article: str) -> int | None:
    """第二十三条 → 23; None for anything that is not an article citation."""
    body = article.removeprefix("第").removesuffix("条")
    if not body or body == article:
        return None
    if "十" not in body:
        return _NUMERALS.get(body) if len(body) == 1 else None
    tens, _, ones = body.partition("十")
    tens_value = _NUMERALS.get(tens, -100) if tens else 1
    ones_value = _NUMERALS.get(ones, -100) if ones else 0
    value = tens_value * 10 + ones_value
    return value if value > 0 else None


def article_in(article: str, lang: str) -> str:
    number = article_number(article)
    return f"Art. {number}" if lang == "en" and number is not None else article


def scope_label(scope: str, lang: str) -> str:
    zh, en = SCOPE_LABELS.get(scope, (scope, scope))
    return en if lang == "en" else zh


@dataclass(frozen=True, slots=True)
class Decision:
    """An explained decision: allowed or not, a machine code, and the policy line behind it."""

    GRANTED: ClassVar[str] = "GRANTED"
    NO_GRANT: ClassVar[str] = "NO_GRANT"
    OUT_OF_SCOPE: ClassVar[str] = "OUT_OF_SCOPE"
    READ_ONLY: ClassVar[str] = "READ_ONLY_TOKEN"

    operation: Operation
    allowed: bool
    code: str
    role: str
    grant: Grant | None = None
    needed: tuple[str, ...] = ()

    @property
    def article(self) -> str | None:
        return self.grant.article if self.grant else None

    def reason(self, lang: str) -> str:
        op_zh, op = DESCRIPTIONS_ZH.get(self.operation, self.operation.value), self.operation.value
        en = lang == "en"
        if self.code == self.GRANTED and self.grant is not None:
            article, scope = article_in(self.grant.article, lang), scope_label(self.grant.scope, lang)
            return (
                f"Allowed: {article} gives role {self.role} “{op}” on {scope}."
                if en
                else f"允许：依据{article}，{self.role}角色可对{scope}执行“{op_zh}”。"
            )
        if self.code == self.READ_ONLY:
            return "Refused: API tokens only read." if en else "不允许：接口令牌只能读取。"
        if self.code == self.NO_GRANT:
            return (
                f"Refused: no policy gives role {self.role} “{op}”."
                if en
                else f"不允许：没有任何授权规则允许{self.role}角色执行“{op_zh}”。"
            )
        scopes = (", " if en else "、").join(scope_label(s, lang) for s in self.needed)
        return (
            f"Refused: role {self.role} may “{op}” only on {scopes}."
            if en
            else f"不允许：{self.role}角色只能对{scopes}执行“{op_zh}”。"
        )
