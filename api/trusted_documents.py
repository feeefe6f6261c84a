"""Trusted documents: in production, with YK_TRUSTED_DOCUMENTS set, only operations whose SHA-256 is in the
allow-list run. The file is a JSON object `{"<sha256 hex of the document>": "<document>"}` — the
persisted-documents manifest GraphQL Code Generator's client preset writes at build time. Development
accepts any query.

The document is looked up by its hash BEFORE it is parsed or validated (issue 13.1, 13.8): an untrusted
document costs one SHA-256 and gets one identical answer, whatever it contains — a syntax error, an unknown
field or a known one — so production neither parses strangers' documents nor teaches its schema. A client
may also send only the hash (`extensions.persistedQuery.sha256Hash`, Apollo's convention) and no `query`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode, parse
from strawberry.extensions import SchemaExtension

from api.i18n import message


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@cache
def load_manifest(path: str) -> Mapping[str, str]:
    """Hash → document, the hashes recomputed from the documents: a wrong key cannot admit a document."""
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    return {document_hash(document): document for document in manifest.values()}


def load_allow_list(path: str) -> frozenset[str]:
    return frozenset(load_manifest(path))


def enforced(settings: Any) -> bool:
    """Only trusted documents run: production with a manifest configured."""
    return bool(settings is not None and settings.production and settings.trusted_documents)


def trusted_document(settings: Any, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
    """The trusted document this request names (by its text or by its hash), or None."""
    manifest = load_manifest(str(settings.trusted_documents))
    if query is not None:
        return query if document_hash(query) in manifest else None
    persisted = (extensions or {}).get("persistedQuery")
    sha = persisted.get("sha256Hash") if isinstance(persisted, Mapping) else None
    return manifest.get(sha) if isinstance(sha, str) else None


def not_trusted(lang: str) -> ExecutionResult:
    """The one answer every untrusted document gets."""
    return ExecutionResult(
        data=None,
        errors=[
            GraphQLError(
                message("PERSISTED_QUERY_NOT_FOUND", lang), extensions={"code": "PERSISTED_QUERY_NOT_FOUND"}
            )
        ],
    )


def trusted_operation_names(settings: Any) -> set[str]:
    """The operation names of the trusted documents: the metrics' known labels (issue 13.10)."""
    if not (settings is not None and settings.trusted_documents):
        return set()
    names = set()
    for document in load_manifest(str(settings.trusted_documents)).values():
        for definition in parse(document).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name is not None:
                names.add(definition.name.value)
    return names


class TrustedDocuments(SchemaExtension):
    """A second line behind the view's check before parsing (api/limits.py RequestLimits), for any other
    way into the schema (tests call schema.execute directly)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        settings = getattr(context.context, "settings", None)
        if (
            enforced(settings)
            and context.result is None
            and trusted_document(settings, context.query or "", None) is None
        ):
            context.result = not_trusted(getattr(context.context, "lang", "zh"))
        yield
