"""Moving state from the old stack layout to the new one (local backend only).

Before the `gke` stack the GKE clusters and node pools were in the `clusters` stack. Once the new
layout is synthesized (the `gke` stack exists on disk) their state must move too, or the
`clusters` stack would plan to destroy them and `gke` to create them again. The move is done by
real terraform (`state mv -state=... -state-out=...`) on private copies of both state files;
the copies then replace the originals, `gke` first. An interruption before that leaves both files
as they were; one between the two replacements leaves the objects in both, which the next run
finishes (`state rm` from the `clusters` copy of what `gke` already holds with the same ids).
Terraform Cloud workspaces are not touched: README, "Terraform Cloud workspaces".
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .interrupt import signals_deferred
from .terraform import Terraform

MIGRATION_STEP = "move-gke-state"
OLD_STACK, NEW_STACK = "clusters", "gke"
# What moved from `clusters` to `gke` (crosscloud/constructs/clusters.py GkeCluster).
MOVED_TYPES = ("google_container_cluster", "google_container_node_pool")


class MigrationError(RuntimeError):
    pass


def _managed(state: dict | None) -> dict[str, list]:
    """address -> instance ids, for the top-level managed resources of a state."""
    return {f"{r['type']}.{r['name']}": [(i.get("attributes") or {}).get("id") for i in r.get("instances", [])]
            for r in (state or {}).get("resources", []) if r.get("mode") == "managed" and not r.get("module")}


def pending_moves(ws) -> list[str]:
    """Addresses still in the old stack's state that the synthesized layout puts in the new one."""
    if not (ws.stack_dir(NEW_STACK) / "cdk.tf.json").is_file():
        return []  # the synthesized stacks are of the old layout: their state matches them
    return [addr for addr in _managed(ws.state(OLD_STACK)) if addr.split(".", 1)[0] in MOVED_TYPES]


def move_gke_state(runner, journal=None, *, lock_for: str | None = None) -> list[str]:
    """Move the GKE resources' state from `clusters` to `gke` if it is still in the old layout.
    Returns the addresses moved (none: nothing to do). Call it holding the run lock, or name the
    command to take it for (`lock_for`, e.g. plan, which otherwise runs without it)."""
    ws = runner.ws
    if not runner.runs_locally or not pending_moves(ws):
        return []
    if lock_for:
        from .journal import run_lock

        with run_lock(ws.state_dir, lock_for):
            return _move(runner, journal)
    return _move(runner, journal)


def _move(runner, journal) -> list[str]:
    ws, report = runner.ws, runner.report
    moves = pending_moves(ws)  # again, under the lock
    if not moves:
        return []
    report.event(NEW_STACK, "migrate", f"state from the layout before the gke stack: moving {', '.join(moves)} "
                                       f"from the {OLD_STACK} stack's state to the {NEW_STACK} stack's")
    if journal:
        journal.step(MIGRATION_STEP, "running", ", ".join(moves))
    already = _managed(ws.state(NEW_STACK))
    old_path, new_path = ws.state_path(OLD_STACK), ws.state_path(NEW_STACK)
    ws.state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".migrate-", dir=ws.state_dir.resolve()) as tmp:
        os.chmod(tmp, 0o700)  # state copies: as private as the originals' directory
        old_copy, new_copy = Path(tmp) / "old.tfstate", Path(tmp) / "new.tfstate"
        shutil.copy2(old_path, old_copy)
        if new_path.is_file() and new_path.read_text(encoding="utf-8").strip():
            shutil.copy2(new_path, new_copy)
        tf = Terraform(NEW_STACK, Path(tmp), runner.target.env, ws.logdir(runner.run_id), runner.target.secrets)
        old_ids = _managed(ws.state(OLD_STACK))
        for addr in moves:
            if addr in already:
                if already[addr] != old_ids[addr]:
                    raise MigrationError(
                        f"{addr} is in both the {OLD_STACK} state ({old_path}, ids {old_ids[addr]}) and the {NEW_STACK} "
                        f"state ({new_path}, ids {already[addr]}) with different ids; keep the one that exists in the "
                        f"cloud and remove the other (terraform state rm -state=<file> {addr}), then re-run")
                # a move interrupted between its two writes: the new stack already holds it
                tf.run("state", "rm", f"-state={old_copy}", "-backup=-", addr)
            else:
                tf.run("state", "mv", f"-state={old_copy}", f"-state-out={new_copy}", "-backup=-", "-backup-out=-",
                       addr, addr)
        new_path.parent.mkdir(parents=True, exist_ok=True)
        with signals_deferred(lambda: None):  # two renames: let them both happen
            if new_copy.is_file():
                os.replace(new_copy, new_path)
            os.replace(old_copy, old_path)
    from . import fastpath

    for stack in (OLD_STACK, NEW_STACK):
        fastpath.forget_applied(ws.stack_dir(stack))
        if journal:
            state = ws.state(stack)
            if state and state.get("resources"):
                journal.mark_applied(stack, state.get("lineage"))
    if journal:
        journal.step(MIGRATION_STEP, "done", ", ".join(moves))
    report.event(NEW_STACK, "migrated", f"{len(moves)} resources now in the {NEW_STACK} stack's state; nothing is re-created")
    return moves
