"""What the schema tells a reader: no internal references, scalars with their format, a nullable `node`."""

from __future__ import annotations

import re

import pytest
from graphql import GraphQLNonNull, GraphQLScalarType, build_schema

from api import schema_contract

SCHEMA = build_schema(schema_contract.current_sdl())


def _descriptions() -> list[tuple[str, str]]:
    """(path, description) of every type, field, argument, input field and enum value."""
    found = []
    for name, gtype in SCHEMA.type_map.items():
        if name.startswith("__"):
            continue
        found.append((name, gtype.description or ""))
        for field_name, field in getattr(gtype, "fields", {}).items():
            found.append((f"{name}.{field_name}", field.description or ""))
            for arg, argument in getattr(field, "args", {}).items():
                found.append((f"{name}.{field_name}({arg})", argument.description or ""))
        for value_name, value in getattr(gtype, "values", {}).items():
            found.append((f"{name}.{value_name}", value.description or ""))
    return found


def test_no_description_refers_to_an_issue_of_the_tracker():
    # given every description of the schema
    described = _descriptions()
    # when looking for "issue N" (internal history a frontend cannot read)
    offending = [path for path, text in described if re.search(r"\bissues?\s*\d", text, re.IGNORECASE)]
    # then there is none
    assert offending == []


@pytest.mark.parametrize("name", ["Date", "DateTime", "Upload", "JSON", "CNY"])
def test_a_custom_scalar_is_described_in_both_languages_with_a_format_example(name):
    # given a custom scalar of the schema
    scalar = SCHEMA.type_map[name]
    assert isinstance(scalar, GraphQLScalarType)
    # when reading its description
    zh, _, en = (scalar.description or "").partition(" — ")
    # then it has Chinese, English and an example
    assert re.search(r"[\u4e00-\u9fff]", zh) and en.strip()
    assert "e.g." in en or "例" in zh


def test_node_is_nullable_and_dashboard_labels_are_not():
    # given the query type and the dashboard's group type
    query, count = SCHEMA.query_type, SCHEMA.type_map["CountByKey"]
    # when reading their types
    node, label = query.fields["node"].type, count.fields["label"].type
    # then a missing node can be null alone, and a label is always there
    assert not isinstance(node, GraphQLNonNull)
    assert isinstance(label, GraphQLNonNull)


@pytest.mark.parametrize("name", ["Obligation", "Notification", "Project", "Organization"])
def test_objects_a_client_caches_are_nodes_with_an_id(name):
    # given an object a frontend cache normalizes
    gtype = SCHEMA.type_map[name]
    # when reading its interfaces
    interfaces = [i.name for i in gtype.interfaces]
    # then it is a Node, with a non-null id
    assert "Node" in interfaces and isinstance(gtype.fields["id"].type, GraphQLNonNull)


@pytest.mark.parametrize(
    ("description", "thin"),
    [
        ("评估意见 — opinion.", True),  # a bare label
        ("变更内容 — the change", True),
        ("x" * (schema_contract.MIN_DESCRIPTION_CHARS - 1), True),  # one short of the minimum
        (
            "评估意见（自由文本；评估完成前为空） — the evaluator's opinion, free text; null until evaluated.",
            False,
        ),
        ("x" * schema_contract.MIN_DESCRIPTION_CHARS, False),  # exactly the minimum
    ],
)
def test_a_description_is_thin_when_it_is_a_bare_label_or_below_the_minimum_length(description, thin):
    # given a description
    # when the contract's rule judges it
    # then a bare "中文 — english" label or a too-short text is thin, a text that explains is not
    assert schema_contract.is_thin(description) is thin


def test_no_type_field_or_argument_has_a_thin_description():
    # given every type, field, argument and input field of the schema (enum values are labels by nature)
    # when looking for descriptions shorter than the minimum or shaped as a bare "中文 — english" label
    thin = schema_contract.thin_descriptions(SCHEMA)
    # then there is none: a new field says what its value means, when it is set and its unit or format
    assert thin == []


def test_the_thin_description_rule_looks_at_the_types_it_is_asked_about_only():
    # given a schema with one label-only field
    schema = build_schema('''"""项目 — a project, with enough words to pass the minimum length rule."""
        type Project { """名称 — name.""" name: String }
        """查询入口，列出全部读操作 — the entry point of every read of this schema."""
        type Query { """取一个项目（按编号），找不到为空 — one project by its code; null when missing."""
        project: Project }''')
    # when asking about all types, and about Query alone
    everywhere, query_only = (
        schema_contract.thin_descriptions(schema),
        schema_contract.thin_descriptions(schema, ["Query"]),
    )
    # then the label is found on Project, and nothing on Query
    assert everywhere == ["Project.name"] and query_only == []
