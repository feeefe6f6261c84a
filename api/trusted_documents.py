"""Trusted documents: in production, with YK_TRUSTED_DOCUMENTS set, only operations whose SHA-256 is in the
allow-list run. The file is a JSON object `{"<sha256 hex of the document>": "<document>"}` — the
persisted-documents manifest GraphQL Code Generator's client preset writes at build time. Development
accepts any query."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from api.i18n import message


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@cache
def load_allow_list(path: str) -> frozenset[str]:
    """Hashes recomputed from the documents, so a manifest with a wrong key cannot admit a document."""
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    return frozenset(document_hash(document) for document in manifest.values())


class TrustedDocuments(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        settings = getattr(context.context, "settings", None)
        path = getattr(settings, "trusted_documents", None)
        if (
            settings is not None
            and settings.production
            and path
            and context.result is None
            and document_hash(context.query or "") not in load_allow_list(str(path))
        ):
            lang = getattr(context.context, "lang", "zh")
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        message("PERSISTED_QUERY_NOT_FOUND", lang),
                        extensions={"code": "PERSISTED_QUERY_NOT_FOUND"},
                    )
                ],
            )
        yield
