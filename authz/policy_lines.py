"""Policy lines as data: the shape shared by policy.csv, the `policy_rules` table and the casbin model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PERMISSION = "p"  # role, operation, scope, article
GROUPING = "g"  # member role, group role
ARTICLE = re.compile(r"^第[零一二三四五六七八九十百]+条$")


@dataclass(frozen=True, slots=True)
class PolicyLine:
    """One casbin line: `p, role, operation, scope, article` or `g, member, group`."""

    ptype: str
    values: tuple[str, ...]

    @property
    def text(self) -> str:
        """The line as policy.csv spells it; also its identity when seeding the database."""
        return ", ".join((self.ptype, *self.values))


def parse_line(raw: str) -> PolicyLine | None:
    """A CSV line → PolicyLine; None for blank lines and comments."""
    stripped = raw.strip()
    if not stripped or stripped.startswith("#"):
        return None
    ptype, *values = (token.strip() for token in stripped.split(","))
    expected = {PERMISSION: 4, GROUPING: 2}.get(ptype)
    if expected is None or len(values) != expected or not all(values):
        raise ValueError(f"malformed policy line: {raw!r}")
    return PolicyLine(ptype=ptype, values=tuple(values))


def read_policy_file(path: Path) -> list[PolicyLine]:
    """Every policy line of a casbin CSV file, in order."""
    lines = (parse_line(raw) for raw in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line is not None]
