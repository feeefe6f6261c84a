"""strawberry's schema extensions, run with each class's hooks looked up once, not on every request (issue 17).

strawberry builds every phase's hooks anew per request: for each extension instance and each of the four
phases it looks the hook up, tests what kind of function it is, wraps it with `contextlib.contextmanager`
(`functools.update_wrapper` included) and enters it through an ExitStack — ~40 look-ups, ~11 wrappers and
four exit stacks a request for our ten extensions, some 0.3 ms. Here which hooks a list of extension classes
has is worked out once per list, and a phase drives the hooks' generators itself: enter them in order, resume
them in reverse. Whenever an exception is involved (a hook raising, or one passing through the phase), the
phase hands its generators to an ExitStack, as strawberry does, so what an exception does on its way through
the hooks stays contextlib's; a hook that does not yield, or yields twice, fails with contextlib's
RuntimeError. A synchronous execution (tests' `execute_sync`) goes through strawberry's own phase code.
Extensions are still instantiated per request (they keep per-request state).

Built on strawberry's `Schema.create_extensions_runner`, `SchemaExtensionsRunner` and
`strawberry.extensions.context` (not documented as public): tests/api/test_extension_hooks.py runs the same
extensions through strawberry's runner and this one and asserts the same calls, order, answers and errors.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

PHASES = ("on_operation", "on_parse", "on_validate", "on_execute")

# A class's hook for a phase: a generator function (called with the instance) and whether it is async.
_Hook = tuple[Callable[[SchemaExtension], Any], bool]


@functools.cache
def hook_of(cls: type[SchemaExtension], name: str) -> _Hook | None:
    """`cls`'s hook `name` as a generator function, as strawberry's `get_hook` reads it; None when the class
    keeps SchemaExtension's (empty) one."""
    function = getattr(cls, name)
    if function is getattr(SchemaExtension, name):
        return None
    if inspect.isgeneratorfunction(function):
        return function, False
    if inspect.isasyncgenfunction(function):
        return function, True
    if inspect.iscoroutinefunction(function):
        return _awaited(function), True
    if callable(function):
        return _called(function), False
    raise ValueError(f"Hook {name} on {cls} must be callable, received {function!r}")


def _awaited(function: Callable[[SchemaExtension], Any]) -> Callable[[SchemaExtension], Any]:
    async def hook(extension: SchemaExtension) -> AsyncIterator[None]:  # strawberry's `from_callable`
        await function(extension)
        yield

    return hook


def _called(function: Callable[[SchemaExtension], Any]) -> Callable[[SchemaExtension], Any]:
    def hook(extension: SchemaExtension) -> Iterator[None]:
        function(extension)
        yield

    return hook


# For each phase: (position of the extension in the list, its hook, whether async), in the list's order.
_Plan = dict[str, tuple[tuple[int, Callable[[SchemaExtension], Any], bool], ...]]


@functools.cache
def plan_of(classes: tuple[type[SchemaExtension], ...]) -> _Plan:
    """Which hooks a list of extension classes has, phase by phase (once per list: the schema's is fixed)."""
    plan: _Plan = {}
    for name in PHASES:
        hooks = []
        for index, cls in enumerate(classes):
            found = hook_of(cls, name)
            if found is not None:
                hooks.append((index, *found))
        plan[name] = tuple(hooks)
    return plan


class _Phase(ExtensionContextManagerBase):
    """One phase's hooks: driven directly when all goes well, through an ExitStack when an exception comes."""

    def __init__(self, extensions: list[SchemaExtension], plan: _Plan) -> None:
        self.extensions = extensions
        self.steps = plan[self.HOOK_NAME]
        self.entered: list[tuple[Any, bool]] = []

    async def __aenter__(self) -> None:
        extensions, entered = self.extensions, self.entered
        for index, hook, is_async in self.steps:
            generator = hook(extensions[index])
            if is_async:
                try:
                    await generator.__anext__()
                except StopAsyncIteration:
                    raise RuntimeError("generator didn't yield") from None
            else:
                try:
                    next(generator)
                except StopIteration:
                    raise RuntimeError("generator didn't yield") from None
            entered.append((generator, is_async))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> bool | None:
        entered = self.entered
        if exc_type is not None:
            return await _unwound(entered, exc_type, exc_val, exc_tb)
        while entered:
            generator, is_async = entered.pop()
            try:
                if is_async:
                    await _finish_async(generator)
                else:
                    _finish(generator)
            except BaseException as error:
                # The rest unwinds as ExitStack unwinds it after a failing exit callback.
                if await _unwound(entered, type(error), error, error.__traceback__):
                    return False
                raise
        return None

    # A synchronous execution: strawberry's own phase code, on hooks wrapped as it wraps them.
    def __enter__(self) -> None:
        self.hooks = [
            WrappedHook(
                self.extensions[index],
                functools.partial(
                    (contextlib.asynccontextmanager if is_async else contextlib.contextmanager)(hook),
                    self.extensions[index],
                ),
                is_async,
            )
            for index, hook, is_async in self.steps
        ]
        super().__enter__()


def _finish(generator: Any) -> None:
    """contextlib's `_GeneratorContextManager.__exit__` with no exception."""
    try:
        next(generator)
    except StopIteration:
        return
    try:
        raise RuntimeError("generator didn't stop")
    finally:
        generator.close()


async def _finish_async(generator: Any) -> None:
    """contextlib's `_AsyncGeneratorContextManager.__aexit__` with no exception."""
    try:
        await generator.__anext__()
    except StopAsyncIteration:
        return
    try:
        raise RuntimeError("generator didn't stop")
    finally:
        await generator.aclose()


async def _unwound(
    entered: list[tuple[Any, bool]],
    exc_type: type[BaseException],
    exc_val: BaseException | None,
    exc_tb: TracebackType | None,
) -> bool:
    """The entered generators unwound by an AsyncExitStack, as strawberry's phases unwind them."""
    stack = contextlib.AsyncExitStack()
    for generator, is_async in entered:
        if is_async:
            stack.push_async_exit(contextlib.asynccontextmanager(lambda g=generator: g)())
        else:
            stack.push(contextlib.contextmanager(lambda g=generator: g)())
    entered.clear()
    return bool(await stack.__aexit__(exc_type, exc_val, exc_tb))


class _Operation(_Phase, OperationContextManager):
    pass


class _Parsing(_Phase, ParsingContextManager):
    pass


class _Validation(_Phase, ValidationContextManager):
    pass


class _Executing(_Phase, ExecutingContextManager):
    pass


@functools.cache
def _has_results(cls: type[SchemaExtension]) -> bool:
    return cls.get_results is not SchemaExtension.get_results  # SchemaExtension's own gives {}


class CachedHooksRunner(SchemaExtensionsRunner):
    """strawberry's runner, with the hooks planned once per list of extension classes."""

    def __init__(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension] | None = None
    ) -> None:
        super().__init__(execution_context, extensions)
        self.plan = plan_of(tuple(map(type, self.extensions)))

    def operation(self) -> ExtensionContextManagerBase:  # type: ignore[override]
        return _Operation(self.extensions, self.plan)

    def parsing(self) -> ExtensionContextManagerBase:  # type: ignore[override]
        return _Parsing(self.extensions, self.plan)

    def validation(self) -> ExtensionContextManagerBase:  # type: ignore[override]
        return _Validation(self.extensions, self.plan)

    def executing(self) -> ExtensionContextManagerBase:  # type: ignore[override]
        return _Executing(self.extensions, self.plan)

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if _has_results(type(extension)):
                data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data
