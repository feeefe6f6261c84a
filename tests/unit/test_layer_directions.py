"""The layering between top-level packages, read from the source: bench → api → authz → store → domain, nothing points back up (the feature packages of api/graphql: test_layering.py)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUR_PACKAGES = {"api", "authz", "bench", "domain", "store", "tests"}


def _imports(package: str) -> list[tuple[str, str]]:
    """(module file, imported module) for every import in the package, lazy imports inside functions too."""
    found: list[tuple[str, str]] = []
    for path in sorted((ROOT / package).rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(where, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found += [(where, node.module)]
                found += [(where, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    # given every import under domain/
    imports = _imports("domain")
    # when keeping those of neither the standard library nor the domain
    outside = [
        (where, module)
        for where, module in imports
        if module.split(".")[0] not in sys.stdlib_module_names and not _within(module, "domain")
    ]
    # then there are none
    assert imports and outside == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", ("api", "authz", "bench", "store")),
        ("store", ("api", "authz", "bench", "domain.services")),
        ("authz", ("api", "bench")),
    ],
)
def test_no_layer_imports_a_layer_above_it_and_the_store_never_reaches_the_use_cases(
    package: str, forbidden: tuple[str, ...]
) -> None:
    # given every import of the package
    imports = _imports(package)
    # when keeping those of a layer above it (for store/: the use cases, which call the store)
    upward = [(where, module) for where, module in imports if any(_within(module, f) for f in forbidden)]
    # then there are none
    assert imports and upward == []
