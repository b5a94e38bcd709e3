"""The steps failing in the process that keeps the read models, published for servers in other processes (/ready).

`registry project` (and `registry serve`'s child, which is one) replaces the table's rows after every round in which
its failing steps changed, so a server that keeps no read models itself can name them, as one that keeps them does.
A process that starts publishing first clears what an earlier one left. While the store is down nothing can be
published, and /ready says that the store cannot be read instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from projections.store import ViewStore

FAILING_TABLE = "CREATE TABLE IF NOT EXISTS projection_failing (step TEXT PRIMARY KEY, error TEXT NOT NULL)"


def publish_failing(store: ViewStore, failing: Mapping[str, str]) -> None:
    """Make these the published failing steps (step -> the error's type), in one transaction."""
    with store.transaction() as cursor:
        cursor.execute("DELETE FROM projection_failing")
        if failing:
            cursor.executemany("INSERT INTO projection_failing (step, error) VALUES (?, ?)", sorted(failing.items()))


def published_failing(store: ViewStore) -> dict[str, str]:
    """The failing steps the process keeping the read models published last."""
    return {step: error for step, error in store.query("SELECT step, error FROM projection_failing")}
