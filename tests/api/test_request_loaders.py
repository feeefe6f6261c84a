"""A request's DataLoaders are made on first use and then kept for the whole request (issue 17): the same
batching and per-request caching as when all six were made up front, without making the unused ones."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.dataloader import DataLoader

from api.context import Context


def _context() -> Context:
    unused: Any = None  # the loaders only bind the context's batch functions
    return Context(
        request=unused,
        settings=unused,
        session_factory=unused,
        read_session_factory=unused,
        engine=unused,
        authorizer=unused,
        clock=unused,
        lang="zh",
        request_id=None,
        actor=None,
        auth_error=None,
    )


def test_a_loader_is_made_on_first_use_and_kept_for_the_request() -> None:
    # given a request's context
    ctx = _context()
    # then no loader exists before a resolver asks for one
    assert "organization" not in ctx.loaders
    # when one is asked for twice
    first, second = ctx.loaders["organization"], ctx.loaders["organization"]
    # then it is one DataLoader, batching into the context's own function
    assert isinstance(first, DataLoader) and first is second
    assert first.load_fn == ctx._load_organizations


def test_each_known_loader_batches_into_its_own_function() -> None:
    # given a request's context
    ctx = _context()
    # when every loader the resolvers use is asked for, then each batches into its function
    expected = {
        "organization": ctx._load_organizations,
        "reserve_reviews": ctx._load_reserve_reviews,
        "project": ctx._load_projects,
        "latest_progress_report": ctx._load_latest_progress_reports,
        "next_obligation": ctx._load_next_obligations,
        "action_facts": ctx._load_action_facts,
    }
    assert {name: ctx.loaders[name].load_fn for name in expected} == expected


def test_renewed_loaders_forget_what_the_earlier_ones_cached() -> None:
    # given a context whose loader was used
    ctx = _context()
    before = ctx.loaders["project"]
    # when a subscription renews the loaders at a change
    ctx.renew_loaders()
    # then a new loader answers
    assert ctx.loaders["project"] is not before


def test_an_unknown_loader_is_an_error_and_get_makes_none() -> None:
    # given a request's context
    ctx = _context()
    # when an unknown loader is asked for, then KeyError, as from a plain dict
    with pytest.raises(KeyError):
        ctx.loaders["nope"]
    # and `get` (timeline_of adds its own loader) neither makes nor finds one
    assert ctx.loaders.get("timeline") is None
