"""docs/errors.md is generated from the error catalogues and committed: it must match them."""

from __future__ import annotations

from api import error_docs
from api.errors import TOP_LEVEL_CODES
from domain.error_codes import USER_ERROR_CODES

CATALOGUE = {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "VERSION_CONFLICT",
    "RATE_LIMITED",
    "QUERY_TOO_COMPLEX",
    "PERSISTED_QUERY_NOT_FOUND",
    "UNAVAILABLE",
    "INTERNAL",
}


def test_committed_errors_doc_matches_the_catalogues():
    # given the committed document
    committed = error_docs.DOC_PATH.read_text(encoding="utf-8")
    # when generated again
    current = error_docs.render()
    # then they are identical
    assert committed == current, "docs/errors.md is stale: run `.venv/bin/python -m api errors-doc`"


def test_the_top_level_catalogue_is_exactly_the_documented_codes():
    # then no code is added or dropped without this list (and the API docs) changing with it
    assert set(TOP_LEVEL_CODES) == CATALOGUE


def test_errors_doc_has_a_row_per_code_with_rule_and_article_where_fixed():
    # when rendered
    text = error_docs.render()
    # then every top-level and user error code has its row, and a fixed rule shows its article
    rows = {line.split("|")[1].strip(" `"): line for line in text.splitlines() if line.startswith("| `")}
    assert set(rows) == set(TOP_LEVEL_CODES) | set(USER_ERROR_CODES)
    assert "| R6 | 第六条 |" in rows["PLATFORM_EXEMPTION_REASON_REQUIRED"]


def test_cli_command_rebuilds_the_document(tmp_path, monkeypatch):
    # given the document path pointed at an empty file
    from typer.testing import CliRunner

    from api.cli import app

    target = tmp_path / "errors.md"
    monkeypatch.setattr(error_docs, "DOC_PATH", target)
    # when the command runs
    result = CliRunner().invoke(app, ["errors-doc"])
    # then it wrote the generated document
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == error_docs.render()
