"""The schema extensions' hooks, looked up once per class (api/extension_hooks.py), run exactly as strawberry's
own runner runs them: same calls in the same order, same results, same errors (issue 17).

Pins the strawberry internals the runner stands on: if an upgrade changes how `Schema.execute` uses
`create_extensions_runner` or its context managers, these comparisons fail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from api.extension_hooks import CachedHooksRunner, hook_of
from api.graphql.schema import build_schema

CALLS: list[str] = []


class Timing(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        CALLS.append("timing:operation:before")
        yield
        CALLS.append("timing:operation:after")

    def on_execute(self) -> Iterator[None]:
        CALLS.append("timing:execute:before")
        yield
        CALLS.append("timing:execute:after")


class Recording(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        CALLS.append("recording:operation:before")
        yield
        result = self.execution_context.result
        CALLS.append(f"recording:operation:after:{bool(result and result.errors)}")

    def on_parse(self) -> None:  # type: ignore[override]
        CALLS.append("recording:parse (plain function)")

    async def on_validate(self) -> None:  # type: ignore[override]
        CALLS.append("recording:validate (coroutine)")

    def get_results(self) -> dict[str, Any]:
        return {"recorded": len(CALLS)}


class Rewriting(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            CALLS.append("rewriting:operation:after")
            result.errors = [GraphQLError(f"rewritten: {e.message}") for e in result.errors]


def _flag(extension: SchemaExtension, name: str) -> bool:
    return bool((extension.execution_context.variables or {}).get(name))


class Failing(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        CALLS.append("failing:execute:before")
        if _flag(self, "explode"):
            raise ValueError("hook exploded")
        yield
        CALLS.append("failing:execute:after")
        if _flag(self, "explodeAfter"):
            raise ValueError("hook exploded after")


class Breaking(SchemaExtension):
    """Fails after the operation (a bug in a post-operation step), or yields twice, or never."""

    def on_operation(self) -> Iterator[None]:
        yield
        CALLS.append("breaking:operation:after")
        if _flag(self, "breakAfter"):
            raise KeyError("post-operation step failed")
        if _flag(self, "yieldTwice"):
            yield

    def on_validate(self) -> Iterator[None]:
        if _flag(self, "noYield"):
            return
        yield


class Swallowing(SchemaExtension):
    """Catches what the execution raises inside it (an extension may suppress an exception)."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        try:
            yield
        except ValueError as error:
            CALLS.append(f"swallowing:caught:{error}")
        CALLS.append("swallowing:execute:after")


@strawberry.type
class Query:
    @strawberry.field
    def hello(
        self,
        fail: bool = False,
        explode: bool | None = None,
        break_after: bool | None = None,
        yield_twice: bool | None = None,
        no_yield: bool | None = None,
        explode_after: bool | None = None,
    ) -> str:
        if fail:
            raise RuntimeError("resolver failed")
        return "world"


class OurSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return CachedHooksRunner(execution_context=execution_context, extensions=extensions)


EXTENSIONS = [Timing, Recording, Breaking, Rewriting, Swallowing, Failing]
FLAGS = """query Q($explode: Boolean, $breakAfter: Boolean, $yieldTwice: Boolean, $noYield: Boolean,
  $explodeAfter: Boolean) { hello(explode: $explode, breakAfter: $breakAfter, yieldTwice: $yieldTwice,
  noYield: $noYield, explodeAfter: $explodeAfter) }"""
DOCUMENTS = [
    ("{ hello }", None),
    (FLAGS, {"explode": True}),
    (FLAGS, {"breakAfter": True}),
    (FLAGS, {"yieldTwice": True}),
    (FLAGS, {"noYield": True}),
    (FLAGS, {"explode": True, "breakAfter": True}),
    (FLAGS, {"explodeAfter": True}),
    (FLAGS, {"explodeAfter": True, "breakAfter": True}),
    ("{ hello(fail: true) }", None),
    ("{ nope }", None),
    ("{ hello", None),
]


async def _run(schema: strawberry.Schema, query: str, variables: Any) -> tuple[list[str], Any]:
    CALLS.clear()
    result = await schema.execute(query, variable_values=variables)
    errors = [(e.message, e.path, type(e.original_error).__name__) for e in result.errors or []]
    return list(CALLS), (result.data, errors, result.extensions)


@pytest.mark.parametrize(("query", "variables"), DOCUMENTS)
async def test_cached_hooks_run_as_strawberrys_own_runner_runs_them(query: str, variables: Any) -> None:
    # given the same extensions under strawberry's runner and under ours
    stock = strawberry.Schema(query=Query, extensions=EXTENSIONS)
    ours = OurSchema(query=Query, extensions=EXTENSIONS)
    # when the same document runs through both
    expected = await _run(stock, query, variables)
    actual = await _run(ours, query, variables)
    # then every hook ran in the same order and the answers are identical, errors and extensions included
    assert actual == expected
    assert expected[0], "the extensions ran at all"


def test_an_async_hook_in_a_sync_execution_is_refused_as_strawberry_refuses_it() -> None:
    # given an async operation hook (Recording) under both runners
    stock = strawberry.Schema(query=Query, extensions=EXTENSIONS)
    ours = OurSchema(query=Query, extensions=EXTENSIONS)
    # when each runs synchronously
    expected = stock.execute_sync("{ hello }")
    actual = ours.execute_sync("{ hello }")
    # then both answer strawberry's refusal of the async hook, and nothing else
    assert actual.data is None and expected.data is None
    assert [e.message.split(" object at ")[0] for e in actual.errors or []] == [
        e.message.split(" object at ")[0] for e in expected.errors or []
    ]
    assert "failed to complete synchronously" in (actual.errors or [])[0].message


def test_a_hook_is_wrapped_once_per_class_and_phase() -> None:
    # given the hook of a class, looked up twice
    first, second = hook_of(Timing, "on_operation"), hook_of(Timing, "on_operation")
    # then it is the same wrapper, and a phase the class does not implement has none
    assert first is not None and first is second
    assert hook_of(Timing, "on_validate") is None


def test_the_api_schema_runs_its_extensions_with_the_cached_hooks() -> None:
    # given the API's schema
    schema = build_schema()
    # when strawberry asks it for an extensions runner, then it is the cached one
    runner = schema.create_extensions_runner(None, [])  # type: ignore[arg-type]
    assert isinstance(runner, CachedHooksRunner)
