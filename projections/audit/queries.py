"""Queries of the audit log's published checkpoints, a page at a time."""

from __future__ import annotations

from projections.audit.checkpoints import Checkpoint
from projections.pages import PAGE_SIZE, SortKey, keyset_page
from projections.store import ViewStore

CHECKPOINT_ORDER = SortKey((("tree_size", int),))


def published_checkpoints(
    store: ViewStore, application: str, *, limit: int = PAGE_SIZE, after: str | None = None
) -> tuple[list[Checkpoint], str | None]:
    """The checkpoints published of one log, oldest first, and the next page's cursor."""
    page = keyset_page(
        store, columns="application, tree_size, last_position, root_hash, signed_at, signature",
        table="audit_checkpoints", where=["application = ?"], params=[application], key=CHECKPOINT_ORDER,
        limit=limit, after=after,
    )  # fmt: skip
    return [Checkpoint(a, int(s), int(p), r, t, g) for a, s, p, r, t, g in page.rows], page.next_after
