"""`crosscloud status`: stacks, the VPN as each cloud reports it, routes, clusters, fleet members."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from ..stackgraph import CLUSTERS_STACK_OF, STACK_ORDER
from .deploy import Runner
from .link import link_from_state, state_resources
from .livestate import live_stack, reader_for


def collect_status(runner: Runner) -> dict:
    """Reads Terraform state files and asks the target's live reader (livestate) by id: no
    terraform process with the sandbox. `drift` here means resources in state that the clouds no
    longer have (`missing`); attribute changes made out of band show in `plan`. Without a live
    reader (--target clouds) drift comes from one `terraform plan` per stack, as before."""
    ws = runner.ws
    applied = {s: ws.is_applied(s) for s in STACK_ORDER}
    read = reader_for(runner.target) if runner.runs_locally else None
    live = {s: live_stack(ws.stack_dir(s), s, read) for s in STACK_ORDER if applied[s]} if read else {}

    def drift(stack: str) -> bool | None:
        if not applied[stack]:
            return None
        if read:
            return bool(live[stack][1])
        tf = runner.terraform(stack)
        runner.init(tf)
        code = tf.run("plan", "-lock=false", "-input=false", "-detailed-exitcode", ok_codes=(0, 2)).returncode
        return code == 2

    with ThreadPoolExecutor(max_workers=4) as pool:
        drifts = dict(zip(STACK_ORDER, pool.map(drift, STACK_ORDER)))
    status: dict = {
        "target": runner.target.name,
        "stacks": {s: {"applied": applied[s], "drift": drifts[s],
                       **({"missing": live[s][1]} if s in live else {})} for s in STACK_ORDER},
        "vpn": {"up": False, "state": "down", "degraded": False, "down": [], "alibaba": "absent", "gcp": "absent", "alibaba_tunnels": {}, "gcp_tunnels": {}},
        "routes": [],
        "clusters": {},
        "fleet": {"id": None, "members": []},
    }
    if applied["vpn"]:
        link = link_from_state(live["vpn"][0]) if read else runner.link_state()
        # "up" = traffic flows; "degraded" = over one tunnel of two (the other named in "down").
        status["vpn"] = {"up": link.carrying, "state": "degraded" if link.degraded else ("up" if link.carrying else "down"),
                         "degraded": link.degraded, "down": link.down_tunnels(),
                         "alibaba": link.alibaba, "alibaba_tunnels": link.alibaba_tunnels,
                         "gcp": "; ".join(f"{n}: {s}" for n, s in link.gcp.items()) or "absent", "gcp_tunnels": link.gcp}
        status["routes"] = link.routes
    holder = CLUSTERS_STACK_OF
    outputs = {s: runner.outputs(s) for s in set(holder.values()) if applied[s]}
    for c in runner.topology.clusters:
        if holder[c.cloud] in outputs:
            outputs_of = outputs[holder[c.cloud]]
            status["clusters"][c.name] = {"cloud": c.cloud, "kind": c.kind, "id": (outputs_of.get("cluster_ids") or {}).get(c.name),
                                          "endpoint": (outputs_of.get("gke_endpoints") or {}).get(c.name)}
    if applied["fleet"]:
        status["fleet"]["id"] = runner.outputs("fleet").get("fleet_id")
    if applied["members"]:
        state = live["members"][0] if read else runner.terraform("members").json("show", "-json")
        members = {r["values"]["sub_cluster_id"] for r in state_resources(state)
                   if r["type"] == "alicloud_ack_one_membership_attachment"}
        # Registered (GKE) members join outside Terraform, in the fleet phase, which records them.
        recorded = ws.state_dir / "fleet.json"
        registered = json.loads(recorded.read_text()).get("registered", {}) if recorded.exists() else {}
        status["fleet"]["members"] = sorted(members | set(registered.values()))
        status["fleet"]["registered"] = registered
    return status
