"""docs/permissions.md is generated from the policy and committed: it must match it."""

from __future__ import annotations

from authz import matrix
from authz.enforcer import Authorizer
from authz.operations import Operation
from authz.policy_lines import PolicyLine


def test_committed_permission_matrix_matches_the_policy():
    # given the committed document and the policy file
    committed = matrix.DOC_PATH.read_text(encoding="utf-8")
    # when the document is generated again
    current = matrix.render()
    # then they are identical
    assert committed == current, "docs/permissions.md is stale: run `.venv/bin/python -m api permissions-doc`"


def test_matrix_names_every_operation_and_the_article_of_a_grant():
    # given a policy where only the unit may create, under Art. 7
    authorizer = Authorizer()
    authorizer.load([PolicyLine("p", ("unit", "project:create", "lead", "第七条"))], version=1)
    # when rendered
    text = matrix.render(authorizer)
    # then every operation has a row and the grant shows scope and article
    assert all(f"`{op.value}`" in text for op in Operation)
    row = next(line for line in text.splitlines() if line.startswith("| `project:create`"))
    assert "lead 第七条" in row and row.count("—") == len(matrix.ROLES) - 1


def test_cli_command_rebuilds_the_document(tmp_path, monkeypatch):
    # given the document path pointed at an empty file
    from typer.testing import CliRunner

    from api.cli import app

    target = tmp_path / "permissions.md"
    monkeypatch.setattr(matrix, "DOC_PATH", target)
    # when the command runs
    result = CliRunner().invoke(app, ["permissions-doc"])
    # then it wrote the generated matrix
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == matrix.render()
