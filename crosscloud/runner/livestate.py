"""What was applied (Terraform state files, read as JSON) and what the clouds hold now (asked by
id, the way a user's own credentials would ask), without starting terraform or a provider.

`status` and the deploy's link wait read through here: one `terraform plan -refresh-only` per
stack starts Terraform and every provider several times (seconds each), while the answer is a
handful of lookups. Drift in attributes (someone edited a resource in the console) stays the job
of `plan`; what is read here is existence and the live status fields (IPsec, routes, clusters).

Live readers:
- sandbox: the twin's cloud store, after it recomputes the IPsec links (what its emulated
  DescribeVpnConnections / tunnels.get would answer);
- clouds: none yet here (the VPC and Compute APIs would need clients crosscloud does not carry);
  callers fall back to a refresh-only plan (`Runner.refreshed_state`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Protocol


class LiveReader(Protocol):
    def __call__(self, type_name: str, object_id: str) -> dict | None: ...


def state_path(stack_dir: Path, stack: str) -> Path:
    """Where the local backend keeps a stack's state (the path `Workspace.is_applied` reads)."""
    return stack_dir / f"terraform.{stack}.tfstate"


def read_state(stack_dir: Path, stack: str) -> dict:
    """A stack's local Terraform state as JSON ({} when absent or unreadable)."""
    path = state_path(stack_dir, stack)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def state_outputs(state: dict) -> dict:
    """Output name -> value, as `terraform output -json` would give them."""
    return {k: v.get("value") for k, v in (state.get("outputs") or {}).items()}


def managed_instances(state: dict) -> list[dict]:
    """Every managed resource instance: {type, name, address, attributes}."""
    out = []
    for res in state.get("resources") or []:
        if res.get("mode") != "managed" or res.get("module"):
            continue
        for inst in res.get("instances") or []:
            key = inst.get("index_key")
            suffix = "" if key is None else f"[{json.dumps(key)}]"
            out.append({"type": res["type"], "name": res["name"], "address": f"{res['type']}.{res['name']}{suffix}",
                        "attributes": inst.get("attributes") or {}})
    return out


def reader_for(target) -> LiveReader | None:
    """The target's live reader, or None when only Terraform can read the clouds."""
    return target.live_reader() if target.live_reader is not None else None


def live_show(state: dict, read: Callable[[str, str], dict | None]) -> tuple[dict, list[str]]:
    """The state's resources as the cloud reports them now, shaped like `terraform show -json`
    (root module), and the addresses whose object no longer exists."""
    resources, missing = [], []
    for inst in managed_instances(state):
        live = read(inst["type"], inst["attributes"].get("id") or "")
        if live is None:
            missing.append(inst["address"])
            continue
        resources.append({"type": inst["type"], "name": inst["name"], "address": inst["address"],
                          "values": {**inst["attributes"], **live}})
    return {"values": {"root_module": {"resources": resources}}}, missing


def live_stack(stack_dir: Path, stack: str, read: LiveReader) -> tuple[dict, list[str]]:
    """`live_show` of one stack's local state."""
    return live_show(read_state(stack_dir, stack), read)
