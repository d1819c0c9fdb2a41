"""Kubernetes objects of every emulated cluster in one SQLite file (`<sandbox>/kube.db`).

State outlives any one API server: each crosscloud command may start its own server over the
same file. Every write takes the next value of one global counter as its resourceVersion and
appends a watch event, so watches work across servers too (they poll the events table).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    cluster   TEXT NOT NULL,
    grp       TEXT NOT NULL,
    resource  TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    rv        INTEGER NOT NULL,
    created   REAL NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (cluster, grp, resource, namespace, name)
);
CREATE TABLE IF NOT EXISTS events (
    rv        INTEGER PRIMARY KEY,
    cluster   TEXT NOT NULL,
    grp       TEXT NOT NULL,
    resource  TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    type      TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_resource ON events(cluster, grp, resource, rv);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
    registered_id TEXT PRIMARY KEY,
    cluster       TEXT NOT NULL,
    access_mode   TEXT,
    updated       REAL NOT NULL
);
"""

EVENTS_KEPT = 5000      # older events are trimmed; a watch from before them gets 410 Gone


class StaleWrite(Exception):
    """The object changed (or appeared/vanished) since the caller read it."""


class KubeStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)          # executescript commits on its own
        finally:
            db.close()
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        # One connection per thread: opening one per call dominated the cost of a reconcile pass.
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self._local.db = db
        return db

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # -- reads ------------------------------------------------------------------------------
    def get(self, cluster: str, grp: str, resource: str, namespace: str, name: str) -> dict | None:
        row = self.get_row(cluster, grp, resource, namespace, name)
        return row[0] if row else None

    def get_row(self, cluster, grp, resource, namespace, name) -> tuple[dict, float] | None:
        """(object, creation time as a float): the float is what controllers time delays from."""
        with self._tx(write=False) as db:
            row = db.execute(
                "SELECT body, created FROM objects WHERE cluster=? AND grp=? AND resource=? AND namespace=? AND name=?",
                (cluster, grp, resource, namespace, name)).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def list(self, cluster: str, grp: str, resource: str, namespace: str | None = None) -> list[dict]:
        return [o for o, _ in self.list_rows(cluster, grp, resource, namespace)]

    def list_rows(self, cluster, grp, resource, namespace=None) -> list[tuple[dict, float]]:
        q = "SELECT body, created FROM objects WHERE cluster=? AND grp=? AND resource=?"
        args: list[Any] = [cluster, grp, resource]
        if namespace is not None:
            q += " AND namespace=?"
            args.append(namespace)
        with self._tx(write=False) as db:
            rows = db.execute(q + " ORDER BY namespace, name", args).fetchall()
        return [(json.loads(b), c) for b, c in rows]

    def find_text(self, needle: str) -> list[tuple[str, str, str, str, str, dict]]:
        """(cluster, group, resource, namespace, name, object) of every object whose JSON has `needle`."""
        with self._tx(write=False) as db:
            rows = db.execute("SELECT cluster, grp, resource, namespace, name, body FROM objects "
                              "WHERE instr(body, ?) > 0", (needle,)).fetchall()
        return [(c, g, r, ns, n, json.loads(b)) for c, g, r, ns, n, b in rows]

    def list_namespace_contents(self, cluster: str, namespace: str) -> list[tuple[str, str, str]]:
        with self._tx(write=False) as db:
            return db.execute("SELECT grp, resource, name FROM objects WHERE cluster=? AND namespace=?",
                              (cluster, namespace)).fetchall()

    def current_rv(self) -> int:
        with self._tx(write=False) as db:
            row = db.execute("SELECT value FROM counters WHERE name='rv'").fetchone()
        return row[0] if row else 0

    def events_since(self, cluster: str, grp: str, resource: str, since: int,
                     namespace: str | None = None) -> tuple[list[tuple[int, str, dict]], bool]:
        """Events after `since` and whether `since` is still covered by the kept history."""
        with self._tx(write=False) as db:
            oldest = db.execute("SELECT MIN(rv) FROM events").fetchone()[0]
            q = "SELECT rv, type, body FROM events WHERE cluster=? AND grp=? AND resource=? AND rv>?"
            args: list[Any] = [cluster, grp, resource, since]
            if namespace is not None:
                q += " AND namespace=?"
                args.append(namespace)
            rows = db.execute(q + " ORDER BY rv", args).fetchall()
        covered = oldest is None or since + 1 >= oldest or since == 0
        return [(rv, t, json.loads(b)) for rv, t, b in rows], covered

    # -- writes -----------------------------------------------------------------------------
    @staticmethod
    def _next(db: sqlite3.Connection, counter: str) -> int:
        db.execute("INSERT OR IGNORE INTO counters(name, value) VALUES (?, 0)", (counter,))
        db.execute("UPDATE counters SET value = value + 1 WHERE name=?", (counter,))
        return db.execute("SELECT value FROM counters WHERE name=?", (counter,)).fetchone()[0]

    def next_number(self, counter: str) -> int:
        with self._tx() as db:
            return self._next(db, counter)

    def put(self, cluster: str, grp: str, resource: str, namespace: str, name: str, body: dict, *,
            expect_rv: str | None) -> dict:
        """Write `body`; `expect_rv` is the resourceVersion the caller read ("" = must not exist).

        Sets metadata.resourceVersion and records an ADDED/MODIFIED event.
        """
        with self._tx() as db:
            row = db.execute(
                "SELECT rv FROM objects WHERE cluster=? AND grp=? AND resource=? AND namespace=? AND name=?",
                (cluster, grp, resource, namespace, name)).fetchone()
            if expect_rv is not None:
                if expect_rv == "" and row is not None:
                    raise StaleWrite("exists")
                if expect_rv != "" and (row is None or str(row[0]) != expect_rv):
                    raise StaleWrite("changed")
            rv = self._next(db, "rv")
            body.setdefault("metadata", {})["resourceVersion"] = str(rv)
            text = json.dumps(body, sort_keys=True)
            if row is None:
                db.execute("INSERT INTO objects VALUES (?,?,?,?,?,?,?,?)",
                           (cluster, grp, resource, namespace, name, rv, time.time(), text))
            else:
                db.execute("UPDATE objects SET rv=?, body=? WHERE cluster=? AND grp=? AND resource=? "
                           "AND namespace=? AND name=?", (rv, text, cluster, grp, resource, namespace, name))
            self._event(db, rv, cluster, grp, resource, namespace, name, "ADDED" if row is None else "MODIFIED", text)
        return body

    def delete(self, cluster: str, grp: str, resource: str, namespace: str, name: str) -> dict | None:
        with self._tx() as db:
            row = db.execute(
                "SELECT body FROM objects WHERE cluster=? AND grp=? AND resource=? AND namespace=? AND name=?",
                (cluster, grp, resource, namespace, name)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM objects WHERE cluster=? AND grp=? AND resource=? AND namespace=? AND name=?",
                       (cluster, grp, resource, namespace, name))
            body = json.loads(row[0])
            rv = self._next(db, "rv")
            body["metadata"]["resourceVersion"] = str(rv)
            self._event(db, rv, cluster, grp, resource, namespace, name, "DELETED", json.dumps(body, sort_keys=True))
        return body

    @staticmethod
    def _event(db, rv, cluster, grp, resource, namespace, name, type_, text) -> None:
        db.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?)",
                   (rv, cluster, grp, resource, namespace, name, type_, text))
        if rv % 500 == 0:
            db.execute("DELETE FROM events WHERE rv <= ?", (rv - EVENTS_KEPT,))

    def count(self) -> int:
        """How many objects all clusters hold together."""
        with self._tx(write=False) as db:
            return db.execute("SELECT count(*) FROM objects").fetchone()[0]

    def reset(self) -> int:
        """Empty every cluster: objects, registered-cluster agents and allocation counters (cluster
        IPs); returns how many objects were removed.

        The watch history is replaced by one DELETED event per removed object, and the
        resourceVersion counter keeps counting, so an API server still serving this file tells its
        watchers about the deletions instead of leaving them with stale objects.
        """
        with self._tx() as db:
            rows = db.execute("SELECT cluster, grp, resource, namespace, name, body FROM objects "
                              "ORDER BY rv").fetchall()
            db.execute("DELETE FROM objects")
            db.execute("DELETE FROM events")
            db.execute("DELETE FROM agents")
            db.execute("DELETE FROM counters WHERE name != 'rv'")
            for cluster, grp, resource, namespace, name, text in rows:
                body = json.loads(text)
                rv = self._next(db, "rv")
                body.setdefault("metadata", {})["resourceVersion"] = str(rv)
                self._event(db, rv, cluster, grp, resource, namespace, name, "DELETED",
                            json.dumps(body, sort_keys=True))
        return len(rows)

    def cluster_keys(self) -> set[str]:
        with self._tx(write=False) as db:
            return {r[0] for r in db.execute("SELECT DISTINCT cluster FROM objects")}

    def drop_cluster(self, cluster: str) -> int:
        """Forget a cluster that no longer exists in the cloud: its objects and the agents it ran."""
        with self._tx() as db:
            n = db.execute("DELETE FROM objects WHERE cluster=?", (cluster,)).rowcount
            db.execute("DELETE FROM agents WHERE cluster=?", (cluster,))
        return n

    # -- registered-cluster agents -----------------------------------------------------------
    def set_agent(self, registered_id: str, cluster: str, access_mode: str | None) -> bool:
        """Record which cluster runs the agent of `registered_id`; True if that changed."""
        with self._tx() as db:
            row = db.execute("SELECT cluster, access_mode FROM agents WHERE registered_id=?",
                             (registered_id,)).fetchone()
            if row == (cluster, access_mode):
                return False
            db.execute("INSERT OR REPLACE INTO agents VALUES (?,?,?,?)",
                       (registered_id, cluster, access_mode, time.time()))
            return True

    def drop_agent(self, registered_id: str) -> bool:
        with self._tx() as db:
            return db.execute("DELETE FROM agents WHERE registered_id=?", (registered_id,)).rowcount > 0

    def agents(self) -> dict[str, tuple[str, str | None]]:
        with self._tx(write=False) as db:
            rows = db.execute("SELECT registered_id, cluster, access_mode FROM agents").fetchall()
        return {r: (c, m) for r, c, m in rows}
