"""Rule ids of RULES.md and the article each comes from — the one place a refusal finds its citation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

# Every rule id the code may cite. A typo (`rule="R11.4"`) fails `make check`: Violation.rule and every
# other `rule` parameter are `RuleId`. A new rule is added here and in RULES below (a unit test keeps the two
# equal), then `python -m api rules-doc` rebuilds docs/rules.md.
RuleId = Literal[
    "R2",
    "R3.1",
    "R3.2",
    "R6",
    "R7",
    "R8",
    "R9",
    "R10.1",
    "R10.2",
    "R11.0",
    "R11.1",
    "R11.2",
    "R11.3",
    "R12",
    "R13.1",
    "R13.2",
    "R13.3",
    "R14",
    "R14.1",
    "R15",
    "R16",
    "R17",
    "R18",
    "R19.1",
    "R19.2",
    "R19.3",
    "R19.4",
    "R20",
    "R21",
    "R21.1",
    "R21.2",
    "R22",
    "R23.1",
    "R23.2",
    "R24",
    "R24.1",
    "R25",
]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of RULES.md: its id, the article it comes from, and what it says in one line."""

    id: RuleId
    article: int
    summary: str


RULES: tuple[Rule, ...] = (
    Rule("R2", 2, "Projects funded by municipal fiscal money, build or O&M, of the six kinds Art. 2 lists."),
    Rule(
        "R3.1",
        3,
        "[interp] The administrator keeps users, organizations, tokens and the policy, never lifecycle "
        "powers; no policy edit widens a role its editor holds.",
    ),
    Rule(
        "R3.2",
        3,
        "[interp] A policy change that widens a role is only proposed; another administrator approves it.",
    ),
    Rule(
        "R6",
        6,
        "A new project deploys on the government cloud and connects to the resource platform, or states why not.",
    ),
    Rule(
        "R7",
        7,
        "Entering the reserve needs bdb's five checks, each with a note; a failed check returns the project.",
    ),
    Rule(
        "R8",
        8,
        "A joint project names its lead and participating units, their parts and an initial data catalogue.",
    ),
    Rule("R9", 9, "bdb opens a yearly call with a deadline; units submit plan entries until that deadline."),
    Rule(
        "R10.1",
        10,
        "bdb and finance review the entries; bdb compiles the plan; government approval makes projects PLANNED.",
    ),
    Rule(
        "R10.2",
        10,
        "A mid-year project: unit, bdb review, finance opinion, government approval, added to the plan.",
    ),
    Rule(
        "R11.0",
        11,
        "The default path is proposal, feasibility study, preliminary design, each approved before the next.",
    ),
    Rule(
        "R11.1",
        11,
        "A project listed in a municipal-or-higher plan or the annual plan may start at feasibility.",
    ),
    Rule("R11.2", 11, "An urgent project with a recorded legal basis may start at the preliminary design."),
    Rule(
        "R11.3",
        11,
        "After its proposal, a simple, single-content or ≤ 2,000,000 CNY project may skip feasibility.",
    ),
    Rule(
        "R12",
        12,
        "A feasibility study or preliminary design holds its data-sharing, security and crypto parts.",
    ),
    Rule(
        "R13.1",
        13,
        "bdb assigns a competitively chosen evaluator; only after its evaluation may bdb approve.",
    ),
    Rule(
        "R13.2", 13, "crypto reviews the cryptography application plan; no approval until that review passed."
    ),
    Rule(
        "R13.3",
        13,
        "A stated approval date lies between the document's recorded steps and today (chronology).",
    ),
    Rule(
        "R14", 14, "Record the legal person, tendering, supervision firm and contract of the implementation."
    ),
    Rule("R14.1", 14, "A contract is signed on or after the approval and not after today (chronology)."),
    Rule(
        "R15", 15, "Procurement follows the law; the winning bidder may not transfer or split the contract."
    ),
    Rule(
        "R16",
        16,
        "No change of scale, content, standard or investment without a change request; increases need bdb.",
    ),
    Rule(
        "R17",
        17,
        "A change within the total, same objectives, ≤ 15 % adjusted (cumulative), for one of three reasons is filed.",
    ),
    Rule("R18", 18, "From approval until the acceptance filing the unit reports progress every 3 months."),
    Rule(
        "R19.1",
        19,
        "Completion acceptance 3 to 6 months after a passed initial acceptance, unless bdb extended it.",
    ),
    Rule(
        "R19.2",
        19,
        "The acceptance application attaches summary, financial, supervision, security and crypto reports.",
    ),
    Rule(
        "R19.3",
        19,
        "An initial acceptance is dated after construction began and not after today (chronology).",
    ),
    Rule(
        "R19.4",
        19,
        "Acceptance reports are uploaded files (SHA-256 intact): the initial report before a passed initial.",
    ),
    Rule(
        "R20",
        20,
        "A failed completion acceptance is rectified within 3 months; an unaccepted project is not in operation.",
    ),
    Rule("R21", 21, "Until the acceptance report is filed: no final payment and no data-centre resources."),
    Rule(
        "R21.1",
        21,
        "A payment follows the approval; the remaining funds follow the filing; none after today.",
    ),
    Rule(
        "R21.2",
        21,
        "The completion-acceptance report is an uploaded file, SHA-256 intact, before the unit files it.",
    ),
    Rule(
        "R22",
        22,
        "The unit self-evaluates 12 to 24 months after operation; bdb may commission a post-evaluation.",
    ),
    Rule(
        "R23.1",
        23,
        "The supervising agencies inspect their fields and may order rectification by a deadline.",
    ),
    Rule("R23.2", 23, "Overdue or failed rectification lets bdb defer, suspend or terminate the project."),
    Rule("R24", 24, "Units answer bdb, finance and audit; audit reads everything, including the audit log."),
    Rule("R24.1", 24, "[interp] A stated date more than 30 days back needs a reason, kept in the audit log."),
    Rule(
        "R25",
        25,
        "Government-led projects with social capital (PPP) follow the same rules; the funding source is kept.",
    ),
)
RULE_IDS: frozenset[str] = frozenset(get_args(RuleId))
RULE_ARTICLES: dict[str, int] = {rule.id: rule.article for rule in RULES}


def is_rule_id(value: str) -> TypeGuard[RuleId]:
    """Whether a string read from outside (storage, a filter) is a rule id the code knows."""
    return value in RULE_IDS


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals as used in article numbers: 7 → 七, 11 → 十一, 23 → 二十三."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def article_of(rule: str | None) -> int | None:
    """The article number a rule id comes from, or None for a rule that is not in the regulation."""
    return RULE_ARTICLES.get(rule) if rule else None


def article_label(rule: str | None, lang: str = "zh") -> str | None:
    """The article as people cite it: 第十一条 / Art. 11."""
    number = article_of(rule)
    if number is None:
        return None
    return f"Art. {number}" if lang == "en" else f"第{chinese_number(number)}条"
