"""A deployment in the layout before the `gke` stack (GKE in `clusters`) keeps working: the next
deploy moves the GKE state into `gke` with real terraform and re-creates nothing."""

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from crosscloud.runner.deploy import INPUTS_STAMP, Workspace

pytestmark = pytest.mark.e2e

MOVED = ("google_container_cluster.gke_consumer", "google_container_node_pool.gke_consumer_pool")


def into_old_layout(state_dir: Path) -> None:
    """What a deploy of the old layout leaves: the GKE resources in the clusters state, no gke
    stack (synthesized or recorded). Moved back with the same terraform command the migration uses."""
    ws = Workspace(state_dir)
    with tempfile.TemporaryDirectory() as tmp:
        for addr in MOVED:
            subprocess.run(["terraform", "state", "mv", f"-state={ws.state_path('gke')}",
                            f"-state-out={ws.state_path('clusters')}", addr, addr], cwd=tmp, check=True, capture_output=True)
    doc = json.loads(ws.state_path("clusters").read_text())
    assert {f"{r['type']}.{r['name']}" for r in doc["resources"]} >= set(MOVED)
    for leftover in ws.stack_dir("gke").iterdir():
        if leftover.is_file():
            leftover.unlink()
    (ws.outdir / INPUTS_STAMP).unlink()
    journal = json.loads(ws.journal_path.read_text())
    journal["applied"].pop("gke")
    ws.journal_path.write_text(json.dumps(journal))


def cloud_ids(crosscloud) -> dict[str, set]:
    objects = crosscloud.store_objects()
    return {t: {o["id"] for o in objects if o["type"] == t}
            for t in ("google_container_cluster", "google_container_node_pool", "alicloud_cs_managed_kubernetes")}


def test_old_layout_state_moves_to_the_gke_stack(crosscloud, seed_config):
    crosscloud.run("deploy", "-c", seed_config, "--skip-fleet-phase")
    before = cloud_ids(crosscloud)
    assert all(before.values()), before
    into_old_layout(crosscloud.state_dir)

    out = crosscloud.run("deploy", "-c", seed_config)
    assert "gke        migrate    state from the layout before the gke stack: moving " + ", ".join(MOVED) in out.stderr
    assert "2 resources now in the gke stack's state; nothing is re-created" in out.stderr
    for word in (" to add", " to destroy", " to replace"):
        assert not [line for line in out.stderr.splitlines() if word in line and line.split()[1] in ("clusters", "gke")], out.stderr
    assert cloud_ids(crosscloud) == before

    ws = Workspace(crosscloud.state_dir)
    in_gke = {f"{r['type']}.{r['name']}" for r in json.loads(ws.state_path("gke").read_text())["resources"] if r["mode"] == "managed"}
    assert in_gke == set(MOVED)
    st = crosscloud.json("status", "-c", seed_config)
    assert set(st["stacks"]) == {"network", "vpn", "clusters", "gke", "fleet", "members"}
    assert all(s["applied"] and not s["drift"] for s in st["stacks"].values()), st["stacks"]
    listed = crosscloud.run("status", "-c", seed_config).stdout
    assert listed.index("  clusters   applied  (in sync)") < listed.index("  gke        applied  (in sync)") < listed.index("  fleet ")
    assert st["clusters"]["gke-consumer"]["id"] in before["google_container_cluster"]
    assert st["fleet"]["registered"]["gke-consumer"]  # the fleet phase found GKE through the gke stack
    plan = crosscloud.json("plan", "-c", seed_config)["stacks"]
    assert set(plan) == {"network", "vpn", "clusters", "gke", "fleet", "members"}
    assert all(p["planned"] and not any(p[k] for k in ("add", "change", "replace", "destroy")) for p in plan.values()), plan
    journal = json.loads(ws.journal_path.read_text())
    assert journal["steps"]["move-gke-state"]["status"] == "done" and journal["outcome"] == "succeeded"
