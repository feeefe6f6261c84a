"""strawberry's schema extensions, run with each class's hooks looked up once, not on every request (issue 17).

strawberry builds every phase's hooks anew per request: for each extension instance and each of the four
phases it looks the hook up, tests what kind of function it is, and wraps it with `contextlib.contextmanager`
(`functools.update_wrapper` included) — ~40 look-ups and ~11 wrappers a request for our ten extensions.
Here the wrapper is made once per extension class and phase and only called per request; the phases still
enter and leave through strawberry's own context managers (its ExitStack), so the order of the hooks, what
an exception does on its way through them, and the refusal of an async hook in a sync execution are
strawberry's, unchanged. Extensions are still instantiated per request (they keep per-request state).

Built on strawberry's `Schema.create_extensions_runner`, `SchemaExtensionsRunner` and
`strawberry.extensions.context` (not documented as public): tests/api/test_extension_hooks.py runs the same
extensions through strawberry's runner and this one and asserts the same calls, order and errors.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
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

# A class's hook for a phase: the context manager factory (called with the instance) and whether it is async.
_Factory = tuple[Callable[[SchemaExtension], Any], bool]


@functools.cache
def hook_of(cls: type[SchemaExtension], name: str) -> _Factory | None:
    """The context manager factory of `cls`'s hook `name`, as strawberry's `get_hook` wraps it; None when the
    class keeps SchemaExtension's (empty) one."""
    function = getattr(cls, name)
    if function is getattr(SchemaExtension, name):
        return None
    if inspect.isgeneratorfunction(function):
        return contextlib.contextmanager(function), False
    if inspect.isasyncgenfunction(function):
        return contextlib.asynccontextmanager(function), True
    if inspect.iscoroutinefunction(function):
        return _awaited(function), True
    if callable(function):
        return _called(function), False
    raise ValueError(f"Hook {name} on {cls} must be callable, received {function!r}")


def _awaited(function: Callable[[SchemaExtension], Any]) -> Callable[[SchemaExtension], Any]:
    @contextlib.asynccontextmanager
    async def hook(extension: SchemaExtension) -> AsyncIterator[None]:
        await function(extension)
        yield

    return hook


def _called(function: Callable[[SchemaExtension], Any]) -> Callable[[SchemaExtension], Any]:
    @contextlib.contextmanager
    def hook(extension: SchemaExtension) -> Iterator[None]:
        function(extension)
        yield

    return hook


def _hooks(extensions: list[SchemaExtension], name: str) -> list[WrappedHook]:
    hooks = []
    for extension in extensions:
        found = hook_of(type(extension), name)
        if found is not None:
            factory, is_async = found
            hooks.append(WrappedHook(extension, functools.partial(factory, extension), is_async))
    return hooks


class _Operation(OperationContextManager):
    def __init__(self, extensions: list[SchemaExtension]) -> None:  # strawberry's, without get_hook
        self.hooks = _hooks(extensions, self.HOOK_NAME)


class _Parsing(ParsingContextManager):
    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.hooks = _hooks(extensions, self.HOOK_NAME)


class _Validation(ValidationContextManager):
    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.hooks = _hooks(extensions, self.HOOK_NAME)


class _Executing(ExecutingContextManager):
    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.hooks = _hooks(extensions, self.HOOK_NAME)


@functools.cache
def _has_results(cls: type[SchemaExtension]) -> bool:
    return cls.get_results is not SchemaExtension.get_results  # SchemaExtension's own gives {}


class CachedHooksRunner(SchemaExtensionsRunner):
    """strawberry's runner, with hooks from the per-class cache."""

    def operation(self) -> ExtensionContextManagerBase:  # type: ignore[override]
        return _Operation(self.extensions)

    def parsing(self) -> ExtensionContextManagerBase:  # type: ignore[override]
        return _Parsing(self.extensions)

    def validation(self) -> ExtensionContextManagerBase:  # type: ignore[override]
        return _Validation(self.extensions)

    def executing(self) -> ExtensionContextManagerBase:  # type: ignore[override]
        return _Executing(self.extensions)

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if _has_results(type(extension)):
                data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data
