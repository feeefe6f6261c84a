"""docs/permissions.md: the policy as a roles × operations table, generated so it cannot drift."""

from __future__ import annotations

from pathlib import Path

from authz.enforcer import Authorizer
from authz.explain import SCOPE_LABELS
from authz.operations import DESCRIPTIONS_ZH, Operation
from domain.actors import ADMIN_ROLE, OrgType

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
ROLES = [t.value for t in OrgType] + [ADMIN_ROLE]


def _cell(authorizer: Authorizer, role: str, operation: Operation) -> str:
    grants = authorizer.grants(role, operation)
    if not grants:
        return "—"
    ordered = sorted(grants, key=lambda g: (g.scope, g.article, g.role))
    return "<br>".join(
        f"{g.scope} {g.article}" + (f" (as {g.role})" if g.role != role else "") for g in ordered
    )


def render(authorizer: Authorizer | None = None) -> str:
    """The document for the policy in authz/policy.csv (or the authorizer given)."""
    authorizer = authorizer or Authorizer()
    out = [
        "# 权限矩阵 — permission matrix",
        "",
        "Generated from `authz/policy.csv` by `python -m api permissions-doc`; do not edit by hand "
        "(a test fails when this file and the policy differ). A cell lists the scope each policy line needs "
        "and the article that gives the power; `—` means refused. The database copy of the policy may have "
        "been changed by an administrator since (`policyRules`).",
        "",
        "| operation | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for operation in Operation:
        cells = " | ".join(_cell(authorizer, role, operation) for role in ROLES)
        out.append(f"| `{operation.value}` {DESCRIPTIONS_ZH.get(operation, '')} | {cells} |")
    out += ["", "## Scopes", "", "| scope | 中文 | English |", "|---|---|---|"]
    out += [f"| `{scope}` | {zh} | {en} |" for scope, (zh, en) in SCOPE_LABELS.items()]
    groups = authorizer.groups()
    if groups:
        out += ["", "## Role groups", "", "| role | member of |", "|---|---|"]
        out += [f"| `{member}` | `{group}` |" for member, group in groups]
    out += ["", "API tokens of integrators only ever read, whatever the policy says.", ""]
    return "\n".join(out)


def write(path: Path | None = None) -> Path:
    target = path or DOC_PATH
    target.write_text(render(), encoding="utf-8")
    return target
