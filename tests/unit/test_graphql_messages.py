"""graphql-core's English messages in Chinese, the technical detail (names, types, values) kept."""

from __future__ import annotations

import pytest

from api.i18n import graphql_message, graphql_zh
from api.responses import wants_graphql_response


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "Cannot query field 'viewr' on type 'Query'. Did you mean 'viewer'?",
            "类型 'Query' 上没有字段 'viewr'。是否要使用 'viewer'？",
        ),
        (
            "Argument 'Mutation.projectCreate(input:)' of type 'ProjectCreateInput!' is required, but it was "
            "not provided.",
            "'Mutation.projectCreate' 缺少必填参数 'input'（类型 'ProjectCreateInput!'）。",
        ),
        (
            "Variable '$input' has invalid value: Expected a value of non-null type 'ProjectCreateInput!' to "
            "be provided.",
            "变量 $input 的值无效：缺少类型为 'ProjectCreateInput!' 的必填值。",
        ),
        (
            "Variable '$input' has invalid value at .kind: Value 'NOPE' does not exist in 'ProjectKind' enum.",
            "变量 $input 的值无效（位置 input.kind）：枚举 'ProjectKind' 中没有值 'NOPE'。",
        ),
        (
            "Variable '$input' has invalid value at .totalInvestment: Expected value of type 'CNY', but "
            "encountered error 'not an exact CNY amount: '1.234''; found: '1.234'.",
            "变量 $input 的值无效（位置 input.totalInvestment）：值不符合类型 'CNY'（not an exact CNY amount: "
            "'1.234'），实际为：'1.234'。",
        ),
        (
            "Variable '$f' of type 'String' used in position expecting type 'Int'.",
            "变量 $f 的类型 'String' 与此处所需类型 'Int' 不符。",
        ),
        ("Unknown argument 'frist' on field 'Query.projects'.", "字段 'Query.projects' 没有参数 'frist'。"),
        ("Syntax Error: Expected Name, found <EOF>.", "语法错误：Expected Name, found <EOF>."),
    ],
)
def test_common_graphql_core_messages_are_translated_keeping_names_types_and_values(english, chinese):
    # when translated
    translated = graphql_zh(english)
    # then
    assert translated == chinese


def test_an_unknown_message_keeps_its_english_behind_a_chinese_lead():
    # given a message no pattern knows
    english = "Something graphql-core says one day."
    # when translated, and when the client reads English
    chinese, kept = graphql_zh(english), graphql_message(english, "en")
    # then nothing is lost
    assert chinese == f"请求无效：{english}" and kept == english


@pytest.mark.parametrize(
    ("accept", "modern"),
    [
        (None, False),
        ("application/json", False),
        ("*/*", False),
        ("application/graphql-response+json", True),
        ("application/graphql-response+json, application/json;q=0.9", True),
        ("application/json, application/graphql-response+json;q=0.5", False),
        ("application/graphql-response+json;q=0", False),
    ],
)
def test_graphql_response_json_is_used_only_when_the_client_prefers_it(accept, modern):
    # when the Accept header is read
    chosen = wants_graphql_response(accept)
    # then
    assert chosen is modern


@pytest.mark.parametrize(
    ("accept", "modern"),
    [
        ("application/graphql-response+json", True),
        ("application/json, " * 40 + "application/graphql-response+json;q=0.5", False),  # too long to keep
        ("application/json;q=0.1, " * 40 + "application/graphql-response+json", True),
    ],
)
def test_the_accept_preference_is_the_same_every_time_it_is_read(accept, modern):
    # when the same Accept value is read again and again (answers for short values are kept, issue 17)
    chosen = [wants_graphql_response(accept) for _ in range(3)]
    # then every answer is the first one
    assert chosen == [modern] * 3
