"""The audit tree as events are written: one leaf hash per stored event, and the hash of every complete subtree.

merkle_leaves holds the leaves in log order; merkle_nodes holds each complete subtree above them (level >= 1), written
in the transaction of the leaf that completes it. Both only ever grow, and a stored hash never changes, so a root or
a proof is read from O(log n) rows (projections/audit/subtrees.py) without loading the leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import Any, ClassVar

from projections.audit.log import LoggedEvent
from projections.audit.subtrees import CompactRange, Subtree, subtrees_of
from projections.base import Batch, Projection
from projections.store import Cursor, Row, ViewStore, locked_position
from registry.system import APPLICATION_NAMES

LEAVES_TABLE = "merkle_leaves"
NODES_TABLE = "merkle_nodes"
FILL_CHUNK = 10_000

Query = Callable[[str, Sequence[Any]], list[Row]]


class IncompleteTree(RuntimeError):
    """The node table lacks subtrees of leaves that exist: it predates the table and was never filled."""

    def __init__(self, application: str, missing: Iterable[Subtree]) -> None:
        level, index = min(missing)
        super().__init__(
            f"the Merkle nodes of {application} lack the subtree at level {level}, index {index}: "
            "run `registry db migrate`, which fills them from the leaves"
        )


class MerkleLeaves(Projection):
    """Hashes the stored bytes (not decoded events), so the tree commits to exactly what the store holds."""

    name = "merkle_leaves"
    follows: ClassVar[tuple[str, ...]] = APPLICATION_NAMES
    tables: ClassVar[tuple[str, ...]] = (LEAVES_TABLE, NODES_TABLE)
    quarantinable: ClassVar[bool] = False  # the tree holds every event in log order, or its checkpoints lie
    raw = True

    def schema(self) -> list[str]:
        leaves, nodes = self.table(LEAVES_TABLE), self.table(NODES_TABLE)
        return [
            f"CREATE TABLE IF NOT EXISTS {leaves} (application TEXT NOT NULL, leaf_index BIGINT NOT NULL, "
            "position BIGINT NOT NULL, leaf_hash TEXT NOT NULL, PRIMARY KEY (application, leaf_index))",
            f"CREATE INDEX IF NOT EXISTS {leaves}_position ON {leaves} (application, position)",
            f"CREATE TABLE IF NOT EXISTS {nodes} (application TEXT NOT NULL, level BIGINT NOT NULL, "
            "node_index BIGINT NOT NULL, node_hash TEXT NOT NULL, PRIMARY KEY (application, level, node_index))",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        leaves, nodes = self.table(LEAVES_TABLE), self.table(NODES_TABLE)
        query = query_in(cursor)
        tree = frontier(query, application, leaves=leaves, nodes=nodes)
        leaf_rows, node_rows = [], []
        for position, n in batch:
            logged = LoggedEvent(
                application, position, str(n.originator_id), n.originator_version, n.topic, bytes(n.state)
            )
            leaf = logged.leaf()
            leaf_rows.append((application, tree.size, position, leaf.hex()))
            node_rows += [(application, level, index, value.hex()) for (level, index), value in tree.append(leaf)]
        insert(cursor, leaves, nodes, leaf_rows, node_rows)


def query_in(cursor: Cursor) -> Query:
    """Reads inside a transaction, in the shape of ViewStore.query."""

    def query(sql: str, params: Sequence[Any]) -> list[Row]:
        cursor.execute(sql, params)
        return cursor.fetchall()

    return query


def insert(cursor: Cursor, leaves: str, nodes: str, leaf_rows: list[Row], node_rows: list[Row]) -> None:
    if leaf_rows:
        cursor.executemany(
            f"INSERT INTO {leaves} (application, leaf_index, position, leaf_hash) VALUES (?, ?, ?, ?)", leaf_rows
        )
    if node_rows:
        cursor.executemany(
            f"INSERT INTO {nodes} (application, level, node_index, node_hash) VALUES (?, ?, ?, ?)", node_rows
        )


def tree_size(query: Query, application: str, *, leaves: str = LEAVES_TABLE) -> int:
    """How many leaves the tree of an application has (one index lookup, not a count)."""
    rows = query(f"SELECT MAX(leaf_index) FROM {leaves} WHERE application = ?", (application,))
    return 0 if not rows or rows[0][0] is None else int(rows[0][0]) + 1


def frontier(query: Query, application: str, *, leaves: str = LEAVES_TABLE, nodes: str = NODES_TABLE) -> CompactRange:
    """The tree as it stands, ready for more leaves: its size and the O(log n) subtrees covering it."""
    size = tree_size(query, application, leaves=leaves)
    covering = subtrees_of(0, size)
    stored = subtree_hashes(query, application, covering, leaves=leaves, nodes=nodes)
    return CompactRange(size, [stored[subtree] for subtree in covering])


def subtree_hashes(
    query: Query, application: str, subtrees: Iterable[Subtree], *, leaves: str = LEAVES_TABLE, nodes: str = NODES_TABLE
) -> dict[Subtree, bytes]:
    """The stored hashes of these complete subtrees: leaves from the leaf table, the others from the node table."""
    wanted = set(subtrees)
    found: dict[Subtree, bytes] = {}
    leaf_indexes = sorted(index for level, index in wanted if level == 0)
    if leaf_indexes:
        marks = ", ".join("?" * len(leaf_indexes))
        sql = f"SELECT leaf_index, leaf_hash FROM {leaves} WHERE application = ? AND leaf_index IN ({marks})"
        found.update(
            ((0, int(index)), bytes.fromhex(value)) for index, value in query(sql, (application, *leaf_indexes))
        )
    inner = sorted(subtree for subtree in wanted if subtree[0] > 0)
    if inner:
        # Each term names the whole key, so both stores look each node up in the primary key (SQLite's multi-index
        # OR, PostgreSQL's bitmap OR); with the application factored out, SQLite scans the application's nodes.
        condition = " OR ".join(["(application = ? AND level = ? AND node_index = ?)"] * len(inner))
        sql = f"SELECT level, node_index, node_hash FROM {nodes} WHERE {condition}"
        rows = query(sql, tuple(chain.from_iterable((application, *subtree) for subtree in inner)))
        found.update(((int(level), int(index)), bytes.fromhex(value)) for level, index, value in rows)
    if missing := wanted - found.keys():
        raise IncompleteTree(application, missing)
    return found


def fill_missing_nodes(store: ViewStore) -> list[str]:
    """Fill the node table from the leaves where a tree has leaves but not their nodes (a tree from before the table).

    Runs under the projection's tracking lock of each application, so no batch appends while it fills. Returns the
    applications filled.
    """
    filled = []
    for application in APPLICATION_NAMES:
        if _has_frontier(store.query, application):
            continue
        with store.transaction() as cursor:
            locked_position(cursor, MerkleLeaves().tracking_name(application), application)
            query = query_in(cursor)
            if _has_frontier(query, application):  # filled meanwhile
                continue
            cursor.execute(f"DELETE FROM {NODES_TABLE} WHERE application = ?", (application,))
            tree, size = CompactRange(), tree_size(query, application)
            while tree.size < size:
                rows = query(
                    f"SELECT leaf_index, leaf_hash FROM {LEAVES_TABLE} WHERE application = ? AND leaf_index >= ? "
                    "ORDER BY leaf_index LIMIT ?",
                    (application, tree.size, FILL_CHUNK),
                )
                node_rows: list[Row] = []
                for index, value in rows:
                    if int(index) != tree.size:
                        raise RuntimeError(f"the leaves of {application} skip from {tree.size} to {index}")
                    completed = tree.append(bytes.fromhex(value))
                    node_rows += [(application, level, i, node.hex()) for (level, i), node in completed]
                insert(cursor, LEAVES_TABLE, NODES_TABLE, [], node_rows)
        filled.append(application)
    return filled


def _has_frontier(query: Query, application: str) -> bool:
    """Whether the subtrees covering the tree are stored (they are written with the leaf that completes them)."""
    try:
        frontier(query, application)
    except IncompleteTree:
        return False
    return True
