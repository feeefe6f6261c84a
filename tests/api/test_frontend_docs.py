"""docs/frontend.md works as written: its codegen config maps every custom scalar, its TypeScript example's
documents are valid against the schema, and GraphQL Code Generator accepts both (where it is installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import GraphQLScalarType, build_schema, parse, validate

from api import schema_contract
from api.schema_contract import BUILT_IN_SCALARS
from api.settings import PROJECT_ROOT

GUIDE = (PROJECT_ROOT / "docs" / "frontend.md").read_text(encoding="utf-8")
CONFIG, EXAMPLE = re.findall(r"```ts\n(.*?)```", GUIDE, flags=re.DOTALL)[:2]
DOCUMENTS = re.findall(r"graphql\(`(.*?)`\)", EXAMPLE, flags=re.DOTALL)


def test_the_codegen_config_maps_every_custom_scalar_of_the_schema_and_nothing_else():
    # given the schema's custom scalars and the config's scalar mappings
    schema = build_schema(schema_contract.current_sdl())
    custom = {
        n
        for n, t in schema.type_map.items()
        if isinstance(t, GraphQLScalarType) and n not in BUILT_IN_SCALARS
    }
    # when reading the `scalars` block of codegen.ts
    block = re.search(r"scalars: \{(.*?)\}", CONFIG, flags=re.DOTALL)
    assert block is not None
    mapped = dict(re.findall(r"^\s*(\w+): \"(\w+)\"", block.group(1), flags=re.MULTILINE))
    # then each custom scalar has its TypeScript type
    assert mapped == {
        "CNY": "string",
        "Date": "string",
        "DateTime": "string",
        "Upload": "File",
        "JSON": "unknown",
    }
    assert set(mapped) == custom


def test_the_typescript_examples_documents_are_valid_against_the_schema():
    # given the documents of the TypeScript example
    schema = build_schema(schema_contract.current_sdl())
    assert len(DOCUMENTS) >= 3
    # when each is validated as graphql-core validates a request
    errors = {d.split("{")[0].strip(): [e.message for e in validate(schema, parse(d))] for d in DOCUMENTS}
    # then none has an error
    assert all(not messages for messages in errors.values()), errors


def _codegen() -> Path | None:
    """graphql-codegen from YK_CODEGEN_DIR (a directory with node_modules: npm i @graphql-codegen/cli
    @graphql-codegen/client-preset graphql typescript); None without node or without it."""
    directory = os.environ.get("YK_CODEGEN_DIR")
    if not directory or shutil.which("node") is None:
        return None
    binary = Path(directory) / "node_modules" / ".bin" / "graphql-codegen"
    return binary if binary.exists() else None


@pytest.mark.skipif(_codegen() is None, reason="needs node and YK_CODEGEN_DIR with @graphql-codegen/cli")
def test_graphql_code_generator_accepts_the_config_and_types_the_examples(tmp_path):
    # given the guide's codegen.ts on the committed schema, and the example's documents as a source file
    binary = _codegen()
    assert binary is not None
    (tmp_path / "node_modules").symlink_to(binary.parent.parent)
    (tmp_path / "codegen.ts").write_text(
        CONFIG.replace('"../backend/schema.graphql"', f'"{schema_contract.SCHEMA_FILE}"'), encoding="utf-8"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "example.ts").write_text(
        "".join(f"export const d{i} = graphql(`{d}`);\n" for i, d in enumerate(DOCUMENTS)), encoding="utf-8"
    )
    # when the generator runs
    result = subprocess.run(
        [str(binary), "--config", "codegen.ts"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    # then it succeeds, and the example's operations are typed with the mapped scalars
    assert result.returncode == 0, result.stdout + result.stderr
    generated = (tmp_path / "src" / "gql" / "graphql.ts").read_text(encoding="utf-8")
    assert "export type ProjectsQuery" in generated and "totalInvestment: string" in generated
    assert "file: File;" in generated and "requestedInvestment: string;" in generated  # Upload, CNY
