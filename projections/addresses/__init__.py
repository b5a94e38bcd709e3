"""The address register: every address with the dates it was valid and the times the register knew it, and a
change feed (position, time, operation, full address) from which a utility keeps an exact copy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from projections.base import Batch, Projection, event_type
from projections.store import Cursor
from registry.places.plates import SIGN_DAYS, compose_address

OPERATION = {"Assigned": "assigned", "Readdressed": "readdressed", "Renumbered": "renumbered", "Retired": "retired"}


class AddressRegister(Projection):
    """Bitemporal rows: valid_from/valid_to (dates in the world), recorded/superseded (when the register knew it)."""

    name = "addresses"
    follows: ClassVar[tuple[str, ...]] = ("places",)
    tables: ClassVar[tuple[str, ...]] = ("address_versions", "address_changes")

    def schema(self) -> list[str]:
        versions, changes = self.table("address_versions"), self.table("address_changes")
        return [
            f"CREATE TABLE IF NOT EXISTS {versions} (plate_id TEXT NOT NULL, address TEXT NOT NULL, "
            "road_id TEXT NOT NULL, road_name TEXT NOT NULL, label TEXT NOT NULL, estate TEXT NOT NULL, "
            "town TEXT NOT NULL, "
            "valid_from TEXT NOT NULL, valid_to TEXT, recorded_at TEXT NOT NULL, recorded_position BIGINT NOT NULL, "
            "superseded_at TEXT, superseded_position BIGINT)",
            f"CREATE INDEX IF NOT EXISTS {versions}_plate ON {versions} (plate_id)",
            f"CREATE TABLE IF NOT EXISTS {changes} (position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, "
            "operation TEXT NOT NULL, plate_id TEXT NOT NULL, address TEXT NOT NULL)",
            # The snapshot finds each plate's last change as of a position through this index.
            f"CREATE INDEX IF NOT EXISTS {changes}_plate ON {changes} (plate_id, position)",
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        for position, event in batch:  # few events, each depending on the one before: one at a time
            aggregate, name = event_type(event)
            if aggregate != "places:DoorPlate" or name not in OPERATION:
                continue
            plate_id, recorded = str(event.originator_id), event.timestamp.isoformat()
            if name == "Assigned":
                row = (plate_id, event.road_id, event.road_name, event.label, event.estate, event.town)
                address = self._insert(cursor, row, event.assigned_on.isoformat(), None, recorded, position)
            else:
                address = self._supersede(cursor, plate_id, event, recorded, position)
            cursor.execute(
                f"INSERT INTO {self.table('address_changes')} (position, recorded_at, operation, plate_id, address) "
                "VALUES (?, ?, ?, ?, ?)",
                (position, recorded, OPERATION[name], plate_id, address),
            )

    def _insert(self, cursor: Cursor, row: tuple[Any, ...], valid_from: str, valid_to: str | None, recorded: str,
                position: int) -> str:  # fmt: skip
        plate_id, road_id, road_name, label, estate, town = row
        address = compose_address(town, road_name, label, estate)
        cursor.execute(
            f"INSERT INTO {self.table('address_versions')} (plate_id, address, road_id, road_name, label, estate, "
            "town, valid_from, valid_to, recorded_at, recorded_position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (plate_id, address, str(road_id), road_name, label, estate, town, valid_from, valid_to, recorded, position),
        )
        return address

    def _supersede(self, cursor: Cursor, plate_id: str, event: Any, recorded: str, position: int) -> str:
        """Close the open version as of the change's date; never rewrite what the register knew before."""
        versions = self.table("address_versions")
        cursor.execute(
            f"SELECT road_id, road_name, label, estate, town, valid_from FROM {versions} WHERE plate_id = ? "
            "AND valid_to IS NULL AND superseded_at IS NULL",
            (plate_id,),
        )
        current = cursor.fetchone()
        if current is None:
            return ""
        road_id, road_name, label, estate, town, valid_from = current
        cursor.execute(
            f"UPDATE {versions} SET superseded_at = ?, superseded_position = ? WHERE plate_id = ? "
            "AND valid_to IS NULL AND superseded_at IS NULL",
            (recorded, position, plate_id),
        )
        changed_on = event.on.isoformat()
        old = (plate_id, road_id, road_name, label, estate, town)
        address = self._insert(cursor, old, valid_from, changed_on, recorded, position)
        if type(event).__name__ == "Readdressed":
            new = (plate_id, road_id, event.road_name, label, estate, town)
            address = self._insert(cursor, new, changed_on, None, recorded, position)
        elif type(event).__name__ == "Renumbered":
            new = (plate_id, road_id, road_name, event.label, estate, town)
            address = self._insert(cursor, new, changed_on, None, recorded, position)
        return address


class PlateSigns(Projection):
    """Physical signs due within 60 days of assignment: the officers' overdue worklist."""

    name = "plate_signs"
    follows: ClassVar[tuple[str, ...]] = ("places",)
    tables: ClassVar[tuple[str, ...]] = ("plate_signs",)

    def schema(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.table('plate_signs')} (plate_id TEXT PRIMARY KEY, label TEXT NOT NULL, "
            "road_name TEXT NOT NULL, sign_due_on TEXT NOT NULL, installed_on TEXT)"
        ]

    def apply(self, cursor: Cursor, application: str, batch: Batch) -> None:
        table = self.table("plate_signs")
        for _, event in batch:
            aggregate, name = event_type(event)
            if aggregate != "places:DoorPlate":
                continue
            plate_id = str(event.originator_id)
            if name == "Assigned":
                due = (event.assigned_on + timedelta(days=SIGN_DAYS)).isoformat()
                cursor.execute(
                    f"INSERT INTO {table} (plate_id, label, road_name, sign_due_on) VALUES (?, ?, ?, ?)",
                    (plate_id, event.label, event.road_name, due),
                )
            elif name == "SignInstalled":
                cursor.execute(
                    f"UPDATE {table} SET installed_on = ? WHERE plate_id = ?", (event.on.isoformat(), plate_id)
                )
            elif name == "Renumbered":
                cursor.execute(f"UPDATE {table} SET label = ? WHERE plate_id = ?", (event.label, plate_id))
            elif name == "Retired":
                cursor.execute(f"DELETE FROM {table} WHERE plate_id = ?", (plate_id,))
