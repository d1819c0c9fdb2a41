"""The run journal and the one-run-at-a-time lock, both under the state dir.

The journal records what each step of the last run did, so a re-run after a failure or Ctrl-C
can say where it stopped (Terraform state makes the re-run itself converge). It never holds
secrets: only step names, states, timings and short messages.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    os.replace(tmp, path)


class Journal:
    """This run's record, plus `applied`: the stacks crosscloud has applied (with the state's
    lineage), carried from run to run so a state file lost or emptied later is noticed."""

    def __init__(self, state_dir: Path, command: str, target: str):
        self.path = state_dir / "journal.json"
        self.previous, self.warning = self._read_previous()
        self._lock = threading.Lock()
        applied = (self.previous or {}).get("applied")
        self.data: dict[str, Any] = {
            "run_id": time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6],
            "command": command, "target": target, "started": time.time(), "outcome": "running", "steps": {},
            "applied": {k: v for k, v in applied.items() if isinstance(v, dict)} if isinstance(applied, dict) else {},
        }
        self.save()

    def _read_previous(self) -> tuple[dict | None, str | None]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError) as err:
            data, reason = None, f"not readable JSON ({type(err).__name__})"
        else:
            reason = None if isinstance(data, dict) else "not a JSON object"
        if reason is None:
            return data, None
        kept = self.path.with_name(self.path.name + ".damaged")
        try:
            os.replace(self.path, kept)
        except OSError:
            kept = self.path
        return None, f"the run journal {self.path} was {reason}; kept it as {kept} and started a new one"

    def applied(self, stack: str) -> dict | None:
        return self.data["applied"].get(stack)

    def mark_applied(self, stack: str, lineage: str | None) -> None:
        with self._lock:
            self.data["applied"][stack] = {"lineage": lineage, "at": time.time()}
        self.save()

    def mark_destroyed(self, stack: str) -> None:
        with self._lock:
            self.data["applied"].pop(stack, None)
        self.save()

    @property
    def run_id(self) -> str:
        return self.data["run_id"]

    def save(self) -> None:
        with self._lock:
            _write_json(self.path, self.data)

    def step(self, name: str, status: str, detail: str = "") -> None:
        with self._lock:
            entry = self.data["steps"].setdefault(name, {"started": time.time()})
            entry.update(status=status, detail=detail, updated=time.time())
        self.save()

    def finish(self, outcome: str, detail: str = "") -> None:
        self.data.update(outcome=outcome, detail=detail, finished=time.time())
        self.save()


def read_applied(state_dir: Path) -> dict:
    """The journal's record of applied stacks, read-only ({} when there is no readable journal)."""
    try:
        applied = json.loads((state_dir / "journal.json").read_text(encoding="utf-8")).get("applied")
    except (OSError, ValueError, AttributeError):
        return {}
    return applied if isinstance(applied, dict) else {}


class LockHeld(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def run_lock(state_dir: Path, command: str) -> Iterator[str | None]:
    """Hold `<state_dir>/lock` for the duration; refuse if a live run holds it, take over a stale one.

    Yields a note about a recovered stale lock (or None)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "lock"
    # "pid": the process the user started (with the CLI fork server, the client this process runs
    # the command for); "pids": every process of this run, all gone before the lock is stale.
    client = getattr(sys.modules.get("crosscloud.cli.forkserver"), "CLIENT_PID", None)
    pids = [p for p in (client, os.getpid()) if p]
    me = {"pid": pids[0], "pids": pids, "host": socket.gethostname(), "command": command, "started": time.time()}
    note = None
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = json.loads(path.read_text() or "{}")
            except (OSError, ValueError):
                holder = {}
            held_by = [p for p in holder.get("pids") or [holder.get("pid")] if isinstance(p, int) and p > 0]
            if holder.get("host") == me["host"] and held_by and not any(_alive(p) for p in held_by):
                note = f"recovered a stale lock left by {holder.get('command', '?')} (pid {holder['pid']}, no longer running)"
                path.unlink(missing_ok=True)
                continue
            if not holder:  # being written right now by another process
                time.sleep(0.1)
                continue
            since = time.strftime("%H:%M:%S", time.localtime(holder.get("started", 0)))
            raise LockHeld(f"another crosscloud {holder.get('command', 'run')} is running on this state dir "
                           f"(pid {holder.get('pid')} on {holder.get('host')}, since {since}); wait for it to finish, "
                           f"or if that process is gone on another host, remove {path}")
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(me))
        break
    else:
        raise LockHeld(f"could not take {path}")
    try:
        yield note
    finally:
        try:
            if json.loads(path.read_text()).get("pid") == me["pid"]:
                path.unlink()
        except (OSError, ValueError):
            pass
