"""The schema as a contract: SDL export, the description rule, breaking changes acknowledged in CHANGELOG.md."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
)

from api.settings import PROJECT_ROOT

SCHEMA_FILE = PROJECT_ROOT / "schema.graphql"
CHANGELOG_FILE = PROJECT_ROOT / "CHANGELOG.md"
BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def current_sdl() -> str:
    """The SDL of the code's schema, exactly as `python -m api schema-export` writes it."""
    from api.graphql.schema import build_schema as build_app_schema

    return build_app_schema().as_str().rstrip("\n") + "\n"


def write_schema_file(path: Path = SCHEMA_FILE) -> Path:
    path.write_text(current_sdl(), encoding="utf-8")
    return path


def missing_descriptions(schema: GraphQLSchema) -> list[str]:
    """Every type, field, argument, input field and enum value without a description, as `Type.field(arg)`."""
    missing: list[str] = []
    for name, gtype in sorted(schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not (gtype.description or "").strip():
            missing.append(name)
        if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in gtype.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                missing.extend(
                    f"{name}.{field_name}({arg})"
                    for arg, a in field.args.items()
                    if not (a.description or "").strip()
                )
        elif isinstance(gtype, GraphQLInputObjectType):
            missing.extend(
                f"{name}.{f}" for f, v in gtype.fields.items() if not (v.description or "").strip()
            )
        elif isinstance(gtype, GraphQLEnumType):
            missing.extend(
                f"{name}.{v}" for v, ev in gtype.values.items() if not (ev.description or "").strip()
            )
    return missing


# A description that only names the thing ("评估意见 — opinion") tells a frontend nothing it could not guess
# from the field name: say what the value means, when it is set, and its unit or format. No type, field or
# argument of the schema has a thin description (787 had one before the rewrite); a test keeps it so.
MIN_DESCRIPTION_CHARS = 40
LABEL_SHAPE = re.compile(r"^[^—]{1,16} — [A-Za-z'’/ ,&-]{1,30}\.?$")


def is_thin(description: str | None) -> bool:
    """Shorter than MIN_DESCRIPTION_CHARS, or a bare `中文 — a few English words` label."""
    text = (description or "").strip()
    return len(text) < MIN_DESCRIPTION_CHARS or bool(LABEL_SHAPE.match(text))


def thin_descriptions(schema: GraphQLSchema, types: Iterable[str] | None = None) -> list[str]:
    """Every thin description of a type, field, argument or input field (enum values are labels by nature),
    as `Type.field(arg)`; only of `types` when given."""
    wanted = set(types) if types is not None else None
    thin: list[str] = []
    for name, gtype in sorted(schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN_SCALARS or (wanted is not None and name not in wanted):
            continue
        if is_thin(gtype.description):
            thin.append(name)
        if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in gtype.fields.items():
                if is_thin(field.description):
                    thin.append(f"{name}.{field_name}")
                thin.extend(
                    f"{name}.{field_name}({arg})"
                    for arg, a in getattr(field, "args", {}).items()
                    if is_thin(a.description)
                )
    return thin


def unreleased_section(changelog: str) -> str:
    """The text under `## Unreleased`, up to the next second-level heading."""
    match = re.search(r"^## Unreleased\s*$(.*?)(?=^## |\Z)", changelog, flags=re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def unacknowledged_breaking_changes(committed_sdl: str, new_sdl: str, changelog: str) -> list[str]:
    """Breaking changes from the committed schema to the new one not quoted verbatim under `## Unreleased`."""
    changes = find_breaking_changes(build_schema(committed_sdl), build_schema(new_sdl))
    acknowledged = unreleased_section(changelog)
    return [c.description for c in changes if c.description not in acknowledged]


MUTATION_INPUT_DESCRIPTION = (
    "变更输入，字段说明见其类型 — the mutation's single input; its type documents each field."
)


def describe_mutation_inputs(schema: GraphQLSchema) -> None:
    """Every mutation takes one `input` (API.md); its type carries the real description, so the argument
    gets the convention's wording instead of ten copies of the same sentence in the resolvers."""
    mutation = schema.mutation_type
    if mutation is None:
        return
    for field in mutation.fields.values():
        argument = field.args.get("input")
        if argument is not None and not (argument.description or "").strip():
            argument.description = MUTATION_INPUT_DESCRIPTION
