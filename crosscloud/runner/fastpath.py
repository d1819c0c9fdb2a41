"""What a re-run may skip, and the stamps that prove it may.

- `terraform init` when what it installs is unchanged: the stack's `terraform` block (required
  providers, backend), the dependency lock file and the CLI config (provider mirror) hash to the
  value recorded after the last init, and `.terraform/providers` is there.
- `terraform plan` of a stack whose synthesized JSON, state, upstream outputs and TF_VAR_* hash to the
  value recorded after its last successful apply (or no-change plan), *and* whose every
  resource still exists in the cloud, asked by id through the target's live reader. Only with a
  live reader (the sandbox); only while every data source in the state would answer the same:
  `terraform_remote_state` (we hash those states), a cluster credential with more than half its
  life (and an hour) left; any other data source is re-read by every plan, so its stack plans. What this trades: an attribute changed out of band (a
  console edit) is not put back by a no-op deploy; `crosscloud plan` shows it, and any change of
  input (config, code, upstream outputs) or a deleted resource brings the full plan back.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import datetime
from pathlib import Path

from .livestate import LiveReader, live_show, read_state, state_outputs, state_path

INIT_STAMP = ".terraform/crosscloud-init.sha256"
APPLIED_STAMP = ".crosscloud-applied.sha256"
REREAD_SAFE_DATA = frozenset({"terraform_remote_state"})  # answers come from states we hash
# Data sources whose answer expires: skippable while the answer has most of its life left.
# (alicloud_cs_cluster_credential: computed `expiration`, RFC 3339, and `temporary_duration_minutes`;
# crosscloud/sandbox/schemas/alicloud.json, from aliyun/terraform-provider-alicloud v1.289.0.)
EXPIRING_DATA = {"alicloud_cs_cluster_credential": ("expiration", "temporary_duration_minutes")}
MIN_REMAINING_S = 3600.0


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(len(p).to_bytes(8, "big"))
        h.update(p)
    return h.hexdigest()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def init_fingerprint(workdir: Path, env: dict[str, str]) -> str:
    try:
        block = json.loads((workdir / "cdk.tf.json").read_text()).get("terraform") or {}
    except (OSError, ValueError):
        block = {"unreadable": True}
    cli_config = env.get("TF_CLI_CONFIG_FILE") or os.environ.get("TF_CLI_CONFIG_FILE") or ""
    return _digest(json.dumps(block, sort_keys=True).encode(), _read(workdir / ".terraform.lock.hcl"),
                   cli_config.encode(), _read(Path(cli_config)) if cli_config else b"")


def init_is_current(workdir: Path, env: dict[str, str]) -> bool:
    stamp = workdir / INIT_STAMP
    return ((workdir / ".terraform" / "providers").is_dir() and stamp.exists()
            and stamp.read_text() == init_fingerprint(workdir, env))


def mark_initialized(workdir: Path, env: dict[str, str]) -> None:
    stamp = workdir / INIT_STAMP
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(init_fingerprint(workdir, env))


def applied_fingerprint(stack_dir: Path, stack: str, upstream: dict[str, Path], env: dict[str, str]) -> str:
    """Synthesized JSON + this stack's state + the outputs of the stacks it reads + the values of
    TF_VAR_* (mixed into the digest only; the state file itself already holds what they set)."""
    outputs = {name: state_outputs(read_state(d, name)) for name, d in sorted(upstream.items())}
    variables = {k: v for k, v in {**os.environ, **env}.items() if k.startswith("TF_VAR_")}
    return _digest(_read(stack_dir / "cdk.tf.json"), _read(state_path(stack_dir, stack)),
                   json.dumps(outputs, sort_keys=True, default=str).encode(),
                   json.dumps(variables, sort_keys=True).encode())


def mark_applied(stack_dir: Path, stack: str, upstream: dict[str, Path], env: dict[str, str]) -> None:
    (stack_dir / APPLIED_STAMP).write_text(applied_fingerprint(stack_dir, stack, upstream, env))


def forget_applied(stack_dir: Path) -> None:
    (stack_dir / APPLIED_STAMP).unlink(missing_ok=True)


def _data_still_valid(resource: dict, now: float) -> bool:
    """Whether re-reading this data source now would give the answer the state holds."""
    if resource.get("type") in REREAD_SAFE_DATA:
        return True
    fields = EXPIRING_DATA.get(resource.get("type"))
    if not fields:
        return False
    for inst in resource.get("instances") or []:
        attrs = inst.get("attributes") or {}
        try:
            expires = datetime.fromisoformat(str(attrs.get(fields[0])).replace("Z", "+00:00")).timestamp()
        except ValueError:
            return False
        lifetime = float(attrs.get(fields[1]) or 0) * 60
        if expires - now < max(MIN_REMAINING_S, lifetime / 2):
            return False
    return True


def plan_skippable(stack_dir: Path, stack: str, upstream: dict[str, Path], env: dict[str, str],
                   read: LiveReader | None, now: float | None = None) -> str | None:
    """Why the plan of this stack may be skipped, or None when it must run."""
    now = time.time() if now is None else now
    stamp = stack_dir / APPLIED_STAMP
    if read is None or not stamp.exists():
        return None
    if stamp.read_text() != applied_fingerprint(stack_dir, stack, upstream, env):
        return None
    state = read_state(stack_dir, stack)
    if not state.get("resources"):
        return None
    if any(r.get("mode") == "data" and not _data_still_valid(r, now) for r in state["resources"]):
        return None
    show, missing = live_show(state, read)
    if missing:
        return None
    count = len(show["values"]["root_module"]["resources"])
    return f"inputs and state unchanged since the last apply; all {count} resources exist in the cloud"
