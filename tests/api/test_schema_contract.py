"""The schema as a contract for frontends: described everywhere, committed, breaking changes acknowledged."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from graphql import build_schema

from api import schema_contract

HOW_TO_FIX = "run `.venv/bin/python -m api schema-export` and commit schema.graphql"


def _committed_at_head() -> str | None:
    """schema.graphql as last committed, so a breaking change is caught before the commit too."""
    if shutil.which("git") is None:
        return None
    result = subprocess.run(
        ["git", "show", "HEAD:schema.graphql"],
        cwd=schema_contract.SCHEMA_FILE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def test_every_type_field_argument_input_field_and_enum_value_has_a_description():
    # given the schema the code serves
    schema = build_schema(schema_contract.current_sdl())
    # when looking for anything undescribed
    missing = schema_contract.missing_descriptions(schema)
    # then there is nothing ("中文 — English" on every element)
    assert missing == [], f"describe these (中文 — English): {missing}"


def test_missing_description_is_reported_by_its_path():
    # given a schema with an undescribed argument and enum value
    schema = build_schema('"t — t" type Query { "f — f" f(a: Int): E } "e — e" enum E { "x — x" X Y }')
    # when checked
    missing = schema_contract.missing_descriptions(schema)
    # then both are named
    assert missing == ["E.Y", "Query.f(a)"]


def test_committed_schema_graphql_is_the_code_schema():
    # given the committed file and the code's schema
    committed = schema_contract.SCHEMA_FILE.read_text(encoding="utf-8")
    # when compared
    current = schema_contract.current_sdl()
    # then they are identical
    assert committed == current, f"schema.graphql is stale: {HOW_TO_FIX}"


@pytest.mark.parametrize("baseline", ["working tree", "git HEAD"])
def test_breaking_changes_against_the_committed_schema_are_acknowledged_in_changelog(baseline):
    # given the committed schema (in the working tree, or as last committed)
    old = (
        schema_contract.SCHEMA_FILE.read_text(encoding="utf-8")
        if baseline == "working tree"
        else _committed_at_head()
    )
    if old is None:
        pytest.skip("schema.graphql is not committed yet")
    changelog = schema_contract.CHANGELOG_FILE.read_text(encoding="utf-8")
    # when the code's schema is compared with it
    pending = schema_contract.unacknowledged_breaking_changes(old, schema_contract.current_sdl(), changelog)
    # then every breaking change is quoted under "## Unreleased" in CHANGELOG.md
    assert pending == [], f"quote these under '## Unreleased' in CHANGELOG.md (or deprecate first): {pending}"


OLD = '"q — q" type Query { "a — a" a: Int "b — b" b: String }'
NEW = '"q — q" type Query { "a — a" a: Int }'


def test_a_removed_field_is_a_breaking_change_until_the_changelog_quotes_it():
    # given a field removed from the schema and a changelog that does not mention it
    changelog = "# Changelog\n\n## Unreleased\n\n- Query.a got a description.\n"
    # when checked
    pending = schema_contract.unacknowledged_breaking_changes(OLD, NEW, changelog)
    # then the removal is reported by graphql-core's own wording
    assert pending == ["Field Query.b was removed."]


def test_an_acknowledgement_counts_only_under_unreleased():
    # given the removal quoted under an older release but not under Unreleased
    old_release = "# Changelog\n\n## Unreleased\n\n## 0.1.0\n\n- Field Query.b was removed.\n"
    quoted = "# Changelog\n\n## Unreleased\n\n- Field Query.b was removed. Use Query.a.\n\n## 0.1.0\n"
    # when checked
    pending_old, pending_quoted = (
        schema_contract.unacknowledged_breaking_changes(OLD, NEW, c) for c in (old_release, quoted)
    )
    # then only the Unreleased acknowledgement is accepted
    assert (pending_old, pending_quoted) == (["Field Query.b was removed."], [])


def test_every_mutation_payload_mixes_in_payload_and_ends_with_user_errors():
    # given the schema the code serves, as strawberry types and as printed
    from api.graphql.common import Payload
    from api.graphql.schema import build_schema as build_app_schema

    served = build_app_schema()
    printed = build_schema(served.as_str())
    # when each mutation's payload class is looked up with its printed fields
    classes = {field.type for field in served.get_type_by_name("Mutation").fields}
    shapes = {
        cls.__name__: (issubclass(cls, Payload), list(printed.get_type(cls.__name__).fields)[-1])
        for cls in classes
    }
    # then every one mixes in common.Payload, which puts `userErrors` last
    assert len(shapes) > 30 and all(shape == (True, "userErrors") for shape in shapes.values()), shapes
