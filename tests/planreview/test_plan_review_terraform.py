"""`crosscloud plan --format markdown|json` with real terraform against a temporary sandbox:
no change, a CIDR change (replacements and their consequences), a node-count change (in
place), an object deleted behind Terraform's back (drift). The markdown is parsed (sections,
tables), never compared by eye; the pre-shared key appears in no output and no plan file."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from crosscloud.planreview import MARKER
from crosscloud.sandbox.sandbox import Sandbox

pytestmark = pytest.mark.integration

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed.yaml"


def sections(md: str) -> dict[str, str]:
    """'### heading' -> its body (up to the next ### heading)."""
    parts = re.split(r"^### (.+)$", md, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def table(text: str) -> list[dict[str, str]]:
    """The first markdown table in text, as rows keyed by header."""
    lines = [l.strip() for l in text.splitlines() if l.strip().startswith("|")]
    cells = [[c.strip().strip("`") for c in re.split(r"(?<!\\)\|", l)[1:-1]] for l in lines]
    header, rows = cells[0], cells[2:]
    return [dict(zip(header, r)) for r in rows]


def summary(md: str) -> dict[str, dict[str, str]]:
    head = md.split("### ", 1)[0]
    return {r["stack"]: r for r in table(head)}


def write_topology(path: Path, edit=None) -> str:
    data = yaml.safe_load(SEED.read_text())
    if edit:
        edit(data)
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The seed deployed once in the sandbox (no fleet phase); each test plans an edited copy."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("planreview")
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CHECKPOINT_DISABLE="1",
               CROSSCLOUD_SANDBOX_LATENCY="0")
    state = root / "state"

    def cc(*args: str, ok=(0,)) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "crosscloud.cli.main_entry", "--state-dir", str(state), *args],
                              cwd=SEED.parents[1], env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode in ok, f"crosscloud {args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc

    seed = write_topology(root / "seed.yaml")
    cc("deploy", "-c", seed, "--skip-fleet-phase")
    return {"cc": cc, "root": root, "state": state, "seed": seed, "sandbox": Sandbox(state / "sandbox")}


def no_psk_anywhere(world, *outputs: str) -> None:
    psk = world["sandbox"].psk
    assert psk and all(psk not in o for o in outputs)
    plans = [p for p in (world["state"] / "out").rglob("*.tfplan")]
    assert all(psk.encode() not in p.read_bytes() for p in plans), plans


def test_no_change_says_so(world):
    cc, seed = world["cc"], world["seed"]
    proc = cc("plan", "-c", seed, "--format", "markdown", "--exit-code")
    md = proc.stdout
    assert md.startswith(MARKER + "\n")
    assert "No changes." in md
    rows = summary(md)
    assert list(rows) == ["network", "vpn", "clusters", "gke", "fleet", "members"]
    assert all(r[k] == "0" for r in rows.values() for k in ("add", "change", "replace", "destroy"))
    assert all(r["status"] == "no changes" for r in rows.values())
    sec = sections(md)
    assert "None: nothing changes." in sec["Consequences"]
    assert "None detected." in sec["Drift (changed outside Terraform)"]
    assert not any(h.startswith("Stack ") for h in sec)
    # deterministic: the same plan gives the same bytes
    assert cc("plan", "-c", seed, "--format", "markdown").stdout == md
    doc = json.loads(cc("plan", "-c", seed, "--format", "json", "--exit-code").stdout)
    assert doc["changed"] is False and doc["totals"] == {"add": 0, "change": 0, "replace": 0, "destroy": 0}
    no_psk_anywhere(world, md, proc.stderr)


def test_cidr_change_names_replacements_and_consequences(world):
    cc = world["cc"]
    topo = write_topology(world["root"] / "cidr.yaml",
                          lambda d: d["alibaba"]["vswitches"][0].update(cidr="192.168.3.0/24"))
    proc = cc("plan", "-c", topo, "--format", "markdown", "--exit-code", ok=(2,))
    md = proc.stdout
    rows = summary(md)
    assert rows["network"]["replace"] == "1" and rows["network"]["status"] == "changes"
    sec = sections(md)
    network = sec["Stack `network`"]
    assert "`alicloud_vswitch.vswitch_0` **replace** — forced by `cidr_block`" in network
    attrs = {r["attribute"]: r for r in table(network)}
    assert attrs["cidr_block"]["before"] == '"192.168.1.0/24"' and attrs["cidr_block"]["after"] == '"192.168.3.0/24"'
    assert attrs["id"]["after"] == "(known after apply)"
    consequences = sec["Consequences"]
    # the gateway sits in that vSwitch: it is replaced next, its IPs change, the tunnels follow, the link drops
    assert re.search(r"stack `vpn` changes next: .*`alicloud_vpn_gateway.vpn_gateway` will be replaced \(`vswitch_id`",
                     consequences)
    assert "`google_compute_vpn_tunnel.tunnel_master` will be replaced (`peer_ip`" in consequences
    assert re.search(r"Next: `alicloud_vpn_gateway.vpn_gateway` is replaced .*IPsec link is down.*about [\d.]+ min",
                     consequences)
    assert "The fleet phase re-runs" in consequences and "`alibaba_vswitch_ids`" in consequences
    doc = json.loads(cc("plan", "-c", topo, "--format", "json").stdout)
    vsw = next(r for r in doc["stacks"]["network"]["resources"] if r["address"] == "alicloud_vswitch.vswitch_0")
    assert vsw["action"] == "replace" and vsw["forced_by"] == ["cidr_block"]
    assert doc["stacks"]["vpn"]["replace"] == []  # planned against today's network: only predicted
    no_psk_anywhere(world, md, proc.stderr, json.dumps(doc))


def test_node_count_change_is_in_place(world):
    cc = world["cc"]
    topo = write_topology(world["root"] / "nodes.yaml",
                          lambda d: next(c for c in d["clusters"] if c["kind"] == "gke").update(node_count=3))
    md = cc("plan", "-c", topo, "--format", "markdown", "--exit-code", ok=(2,)).stdout
    rows = summary(md)
    assert rows["gke"]["change"] == "1" and rows["gke"]["replace"] == "0"
    assert sum(int(r["replace"]) + int(r["destroy"]) for r in rows.values()) == 0
    sec = sections(md)
    attrs = {r["attribute"]: r for r in table(sec["Stack `gke`"])}
    assert (attrs["node_count"]["before"], attrs["node_count"]["after"]) == ("1", "3")
    assert "`google_container_node_pool.gke_consumer_pool` changes in place" in sec["Consequences"]
    assert "is replaced" not in sec["Consequences"] and "changes next" not in sec["Consequences"]
    assert "The fleet phase has nothing new to do" in sec["Consequences"]


def test_deleted_out_of_band_is_drift(world):
    cc, seed = world["cc"], world["seed"]
    store = world["sandbox"].store
    vswitches = store.list("alicloud_vswitch")
    victim = sorted(vswitches, key=lambda o: o["attrs"]["cidr_block"])[1]  # 192.168.2.0/24: vswitch_1
    assert store.delete("alicloud_vswitch", victim["id"])
    md = cc("plan", "-c", seed, "--format", "markdown", "--exit-code", ok=(2,)).stdout
    sec = sections(md)
    drift = sec["Drift (changed outside Terraform)"]
    assert "None detected." not in drift
    assert "stack `network`: `alicloud_vswitch.vswitch_1` deleted" in drift
    assert summary(md)["network"]["add"] == "1"
    assert "`+` `alicloud_vswitch.vswitch_1` **add**" in sec["Stack `network`"]
    # (the last test of the module: the sandbox is left with the vSwitch missing)
