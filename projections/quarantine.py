"""Quarantine: an event one read model cannot apply is set aside for that read model alone, and the read model goes on.

An event is quarantined only after it failed on its own a few times (a transient database error is retried, never
quarantined). The read model's position moves past it, so every later event is applied; the operator then resolves
it: `registry projections retry NAME ID` once the code is fixed (removed on success), or `registry projections skip
NAME ID --reason TEXT` to accept the loss (kept on record with the reason). Until resolved, `/ready` is not ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from projections.store import Cursor, ViewStore

QUARANTINE_TABLE = """
CREATE TABLE IF NOT EXISTS projection_quarantine (
    projection TEXT NOT NULL,
    notification_id BIGINT NOT NULL,
    error_type TEXT NOT NULL,
    error_message TEXT NOT NULL,
    quarantined_at TEXT NOT NULL,
    skipped_at TEXT,
    skip_reason TEXT,
    PRIMARY KEY (projection, notification_id)
)"""

MESSAGE_LIMIT = 500  # characters of an error message kept (it may quote the event's data)


@dataclass(frozen=True)
class Quarantined:
    """One event set aside for one read model (tracking name, e.g. "audit_trail/marriage")."""

    projection: str
    notification_id: int
    error_type: str
    error_message: str
    quarantined_at: str
    skipped_at: str | None = None
    skip_reason: str | None = None

    @property
    def open(self) -> bool:
        """Still to be resolved (neither applied by a retry nor skipped)."""
        return self.skipped_at is None


class NotQuarantined(LookupError):
    """The named event is not (or no longer) in quarantine for that read model."""


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def put_in_quarantine(cursor: Cursor, projection: str, notification_id: int, error: BaseException) -> None:
    """Record the event and the error that stopped it (a repeat keeps the first record)."""
    cursor.execute(
        "INSERT INTO projection_quarantine (projection, notification_id, error_type, error_message, quarantined_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (projection, notification_id) DO NOTHING",
        (projection, notification_id, type(error).__name__, error_text(error), now_text()),
    )


def error_text(error: BaseException) -> str:
    """The error's message, printable and bounded (a NUL in the data must not fail the quarantine itself)."""
    text = str(error).replace("\x00", "\\x00")
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)[:MESSAGE_LIMIT]


def quarantined(store: ViewStore, *, only_open: bool = False) -> list[Quarantined]:
    """Every quarantined event, oldest first (only_open: those still to be resolved)."""
    rows = store.query(
        "SELECT projection, notification_id, error_type, error_message, quarantined_at, skipped_at, skip_reason "
        "FROM projection_quarantine ORDER BY quarantined_at, projection, notification_id"
    )
    entries = [Quarantined(str(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5], r[6]) for r in rows]
    return [entry for entry in entries if entry.open or not only_open]


def open_entry(cursor: Cursor, projection: str, notification_id: int) -> None:
    """Raise NotQuarantined unless the event is in quarantine for the read model and not yet resolved (locked)."""
    cursor.execute(
        "SELECT notification_id FROM projection_quarantine WHERE projection = ? AND notification_id = ? "
        "AND skipped_at IS NULL FOR UPDATE",
        (projection, notification_id),
    )
    if cursor.fetchone() is None:
        raise NotQuarantined(f"event {notification_id} is not in quarantine for {projection}")


def release(cursor: Cursor, projection: str, notification_id: int) -> None:
    """The event was applied after all: it leaves the quarantine."""
    cursor.execute(
        "DELETE FROM projection_quarantine WHERE projection = ? AND notification_id = ?", (projection, notification_id)
    )


def skip(store: ViewStore, projection: str, notification_id: int, reason: str) -> None:
    """Accept that the read model will never hold this event; the decision stays on record with its reason."""
    with store.transaction() as cursor:
        open_entry(cursor, projection, notification_id)
        cursor.execute(
            "UPDATE projection_quarantine SET skipped_at = ?, skip_reason = ? "
            "WHERE projection = ? AND notification_id = ?",
            (now_text(), reason, projection, notification_id),
        )


def record_failed_retry(store: ViewStore, projection: str, notification_id: int, error: BaseException) -> None:
    """A retry failed again: keep the newest error, so the operator sees what still fails."""
    with store.transaction() as cursor:
        cursor.execute(
            "UPDATE projection_quarantine SET error_type = ?, error_message = ? "
            "WHERE projection = ? AND notification_id = ?",
            (type(error).__name__, error_text(error), projection, notification_id),
        )
