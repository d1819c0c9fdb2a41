"""The sandbox "cloud": one SQLite file shared by every provider process and emulated API.

It is independent of Terraform state: deleting a row here is what deleting a resource in the
console would be, and the next plan sees it gone.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    type       TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT,
    status     TEXT,
    attrs      TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (type, id)
);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


class CloudStore:
    """Objects keyed by (type, id) with their attributes as JSON.

    Every call opens its own short transaction, so several processes (Terraform starts a
    provider process per command and per provider) can share the file safely.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # executescript() commits on its own, so the schema runs outside _connect()'s transaction
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
        finally:
            db.close()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def put(self, type: str, id: str, attrs: dict[str, Any], *, name: str | None = None,
            status: str | None = None) -> None:
        with self._connect() as db:
            row = db.execute("SELECT created_at FROM objects WHERE type=? AND id=?", (type, id)).fetchone()
            created = row[0] if row else time.time()
            db.execute(
                "INSERT OR REPLACE INTO objects(type, id, name, status, attrs, created_at) VALUES (?,?,?,?,?,?)",
                (type, id, name, status, json.dumps(attrs, sort_keys=True), created),
            )

    def get(self, type: str, id: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT attrs FROM objects WHERE type=? AND id=?", (type, id)).fetchone()
        return json.loads(row[0]) if row else None

    def list(self, type: str | None = None) -> list[dict[str, Any]]:
        """Objects as dicts with `type`, `id`, `name`, `status`, `attrs`, oldest first."""
        query = "SELECT type, id, name, status, attrs FROM objects"
        args: tuple = ()
        if type is not None:
            query += " WHERE type=?"
            args = (type,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY created_at, type, id", args).fetchall()
        return [
            {"type": t, "id": i, "name": n, "status": s, "attrs": json.loads(a)}
            for t, i, n, s, a in rows
        ]

    def find(self, type: str, **attr_equals: Any) -> list[dict[str, Any]]:
        return [o for o in self.list(type) if all(o["attrs"].get(k) == v for k, v in attr_equals.items())]

    def delete(self, type: str, id: str) -> bool:
        with self._connect() as db:
            cur = db.execute("DELETE FROM objects WHERE type=? AND id=?", (type, id))
        return cur.rowcount > 0

    def modify(self, type: str, id: str, fn, *, status=None) -> dict[str, Any] | None:
        """Read-modify-write one object in a single transaction.

        ``fn(attrs)`` returns the new attrs, or None to leave the object as it is. ``status``,
        if given, is called with the new attrs and its result becomes the status column.
        Returns the attrs now stored, or None if the object does not exist.
        """
        with self._connect() as db:
            row = db.execute("SELECT attrs FROM objects WHERE type=? AND id=?", (type, id)).fetchone()
            if row is None:
                return None
            old = json.loads(row[0])
            new = fn(json.loads(row[0]))
            if new is None or new == old:
                return old
            if status is None:
                db.execute("UPDATE objects SET attrs=? WHERE type=? AND id=?",
                           (json.dumps(new, sort_keys=True), type, id))
            else:
                db.execute("UPDATE objects SET attrs=?, status=? WHERE type=? AND id=?",
                           (json.dumps(new, sort_keys=True), status(new), type, id))
            return new

    def next_number(self, counter: str) -> int:
        """A per-sandbox sequence (1, 2, …) for ids and addresses that must not repeat."""
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO counters(name, value) VALUES (?, 0)", (counter,))
            db.execute("UPDATE counters SET value = value + 1 WHERE name=?", (counter,))
            return db.execute("SELECT value FROM counters WHERE name=?", (counter,)).fetchone()[0]

    def counter(self, name: str) -> int:
        """A counter's value (0 when never set): also holds per-sandbox switches such as enabled APIs."""
        with self._connect() as db:
            row = db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
        return row[0] if row else 0

    def set_counter(self, name: str, value: int) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO counters(name, value) VALUES (?, ?)", (name, value))

    def reset(self) -> int:
        with self._connect() as db:
            cur = db.execute("DELETE FROM objects")
            db.execute("DELETE FROM counters")
        return cur.rowcount
