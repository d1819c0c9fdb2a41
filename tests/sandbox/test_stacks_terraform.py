"""The synthesized stacks under real `terraform` against a temporary sandbox, offline.

For each example (seed: dual-tunnel VPN; single: single-tunnel VPN) every stack goes through
init, validate, plan, apply and output in dependency order; a second plan is empty; the IPsec
link comes up; destroy in reverse order empties the sandbox; the pre-shared key is found in no
file but Terraform state and in no Terraform output. Also: a misspelled argument in an L1 class
fails `terraform validate`; an object deleted from the cloud behind Terraform's back is planned
and re-created.

Per-stack timings are printed (run with -s to see them); nothing asserts on time.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import time
from pathlib import Path

import pytest

from crosscloud.config import load_topology
from crosscloud.constructs import alicloud as ali
from crosscloud.sandbox.sandbox import Sandbox
from crosscloud.sandbox.testing import TerraformResult, run_terraform
from crosscloud.stackgraph import STACK_DEPENDENCIES, STACK_ORDER
from crosscloud.synth import STACK_FILE, synth

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PHASES = ("init", "validate", "plan", "apply", "destroy")
ALIBABA_IPS = ipaddress.ip_network("47.74.128.0/24")
GCP_IPS = ipaddress.ip_network("34.84.128.0/24")
ARGS = {
    "init": ("init", "-input=false"),
    "validate": ("validate",),
    "plan": ("plan", "-input=false"),
    "apply": ("apply", "-auto-approve", "-input=false"),
    "destroy": ("destroy", "-auto-approve", "-input=false"),
}


@pytest.fixture(autouse=True)
def no_latency(monkeypatch):
    """Cloud operations and IPsec negotiation take no time (terraform and providers inherit this,
    and so does Sandbox.links() in this process)."""
    monkeypatch.setenv("CROSSCLOUD_SANDBOX_LATENCY", "0")


class Stacks:
    """A synthesized example plus a sandbox; every terraform run is kept for the secret check."""

    def __init__(self, tmp_path: Path, example: str):
        self.topology = load_topology(EXAMPLES / f"{example}.yaml")
        self.out = tmp_path / "out"
        synth(self.topology, self.out)
        self.sandbox = Sandbox(tmp_path / "sandbox").ensure()
        self.runs: list[TerraformResult] = []
        self.timings: dict[str, dict[str, float]] = {s: {} for s in STACK_ORDER}

    def dir(self, stack: str) -> Path:
        return self.out / "stacks" / stack

    def tf(self, stack: str, *args: str, check: bool = True) -> TerraformResult:
        res = run_terraform(self.sandbox, self.dir(stack), *args, check=check)
        self.runs.append(res)
        return res

    def phase(self, stack: str, phase: str) -> TerraformResult:
        res = self.tf(stack, *ARGS[phase])
        self.timings[stack][phase] = res.seconds
        return res

    def outputs(self, stack: str) -> dict:
        return {k: v["value"] for k, v in json.loads(self.tf(stack, "output", "-json").stdout).items()}

    def print_timings(self, title: str) -> None:
        print(f"\n{title}: seconds per stack")
        print(f"{'stack':<10}" + "".join(f"{p:>10}" for p in PHASES))
        for stack in STACK_ORDER:
            print(f"{stack:<10}" + "".join(f"{self.timings[stack].get(p, float('nan')):>10.2f}" for p in PHASES))


def files_under(root: Path) -> list[Path]:
    out = []
    for dirpath, _dirs, names in os.walk(root):  # does not follow symlinks (provider links in .terraform)
        out += [Path(dirpath, n) for n in names if not Path(dirpath, n).is_symlink()]
    return out


def is_state(path: Path) -> bool:
    return path.name.endswith((".tfstate", ".tfstate.backup"))


def assert_psk_only_in_state(stacks: Stacks) -> None:
    psk = stacks.sandbox.psk.encode()
    leaked = [p for p in files_under(stacks.out) if not is_state(p) and psk in p.read_bytes()]
    assert leaked == [], f"the IPsec pre-shared key is written to {leaked}"
    for stack in STACK_ORDER:
        doc = (stacks.dir(stack) / STACK_FILE).read_text()
        assert stacks.sandbox.psk not in doc
    assert [r.args for r in stacks.runs if stacks.sandbox.psk in r.stdout + r.stderr] == []


def check_outputs(stacks: Stacks, stack: str, out: dict) -> None:
    t, store = stacks.topology, stacks.sandbox.store
    if stack == "network":
        assert out["alibaba_vpc_id"].startswith("vpc-") and store.get("alicloud_vpc", out["alibaba_vpc_id"])
        ids = out["alibaba_vswitch_ids"]
        assert len(ids) == len(t.alibaba.vswitches) and all(i.startswith("vsw-") for i in ids)
        assert all(store.get("alicloud_vswitch", i) for i in ids)
        assert out["gcp_network_id"].startswith(f"projects/{t.gcp.project}/global/networks/")
        assert store.get("google_compute_network", out["gcp_network_id"])
    elif stack == "vpn":
        ips = out["alibaba_vpn_gateway_ips"]
        assert len(ips) == (2 if t.vpn.mode == "dual" else 1)
        assert len(set(ips)) == len(ips)
        assert all(ipaddress.ip_address(ip) in ALIBABA_IPS for ip in ips), ips
        assert ipaddress.ip_address(out["gcp_vpn_ip"]) in GCP_IPS, out["gcp_vpn_ip"]
        assert out["alibaba_vpn_connection_id"].startswith("vco-")
        assert set(out["gcp_tunnel_ids"]) == ({"master", "slave"} if t.vpn.mode == "dual" else {"master"})
        assert all(store.get("google_compute_vpn_tunnel", i) for i in out["gcp_tunnel_ids"].values())
    elif stack == "clusters":
        alibaba = {c.name for c in t.clusters_on("alibaba")}
        assert set(out["cluster_ids"]) == alibaba and all(out["cluster_ids"].values())
        for name in alibaba:
            assert store.get("alicloud_cs_managed_kubernetes", out["cluster_ids"][name])
            assert "kind: Config" in out["ask_kubeconfigs"][name]
        assert set(out["ask_kubeconfigs"]) == alibaba and "gke_endpoints" not in out
    elif stack == "gke":
        gke = {c.name for c in t.clusters if c.kind == "gke"}
        assert set(out["cluster_ids"]) == gke and all(out["cluster_ids"].values())
        for name in gke:
            assert store.get("google_container_cluster", out["cluster_ids"][name])
            assert out["gke_endpoints"][name]
            assert b"BEGIN CERTIFICATE" in base64.b64decode(out["gke_ca_certificates"][name], validate=True)
        assert set(out["gke_endpoints"]) == gke and "ask_kubeconfigs" not in out
    elif stack == "fleet":
        assert out["fleet_id"] and store.get("alicloud_ack_one_cluster", out["fleet_id"])
    elif stack == "members":
        asks = [c for c in t.clusters if c.kind == "ask"]
        assert len(store.list("alicloud_ack_one_membership_attachment")) == len(asks)


def wait_for_links(sandbox: Sandbox, expected: int, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        links = sandbox.links()
        if (len(links) == expected and all(link["up"] for link in links)) or time.monotonic() > deadline:
            return links
        time.sleep(0.2)


@pytest.mark.parametrize("example,mode", [("seed", "dual"), ("single", "single")])
def test_stacks_apply_replan_link_destroy(tmp_path, example, mode):
    stacks = Stacks(tmp_path, example)
    try:
        run_all_stacks(stacks, mode)
    finally:
        stacks.print_timings(f"{example} ({mode})")


def run_all_stacks(stacks: Stacks, mode: str) -> None:
    assert stacks.topology.vpn.mode == mode
    assert STACK_ORDER == ["network", "vpn", "clusters", "gke", "fleet", "members"]
    applied: list[str] = []
    for stack in STACK_ORDER:
        assert set(STACK_DEPENDENCIES[stack]) <= set(applied)
        for phase in ("init", "validate", "plan", "apply"):
            stacks.phase(stack, phase)
        check_outputs(stacks, stack, stacks.outputs(stack))
        applied.append(stack)

    for stack in STACK_ORDER:
        res = stacks.tf(stack, "plan", "-input=false", "-detailed-exitcode", check=False)
        assert res.returncode == 0, f"{stack}: second plan is not empty:\n{res.output[-3000:]}"

    tunnels = 2 if mode == "dual" else 1
    links = wait_for_links(stacks.sandbox, expected=2 * tunnels)  # each tunnel seen from both clouds
    assert len(links) == 2 * tunnels and all(link["up"] for link in links), links
    assert {link["role"] for link in links if link["type"] == "alicloud_vpn_connection"} == (
        {"master", "slave"} if mode == "dual" else {"single"})
    assert all(link["peer"] for link in links)

    # the key is in the vpn stack's state (so the search below can find it) and nowhere else
    assert stacks.sandbox.psk in (stacks.dir("vpn") / "terraform.vpn.tfstate").read_text()
    assert_psk_only_in_state(stacks)

    for stack in reversed(STACK_ORDER):
        stacks.phase(stack, "destroy")
    assert stacks.sandbox.store.list() == []
    assert_psk_only_in_state(stacks)


def test_misspelled_argument_fails_validate(tmp_path, monkeypatch):
    original = ali.Vpc._synthesize_attributes

    def misspelled(self):
        attrs = original(self)
        attrs["cidr_blok"] = attrs.pop("cidr_block")
        return attrs

    monkeypatch.setattr(ali.Vpc, "_synthesize_attributes", misspelled)
    stacks = Stacks(tmp_path, "seed")
    vpc = json.loads((stacks.dir("network") / STACK_FILE).read_text())["resource"]["alicloud_vpc"]["vpc"]
    assert "cidr_blok" in vpc and "cidr_block" not in vpc
    stacks.phase("network", "init")
    res = stacks.tf("network", "validate", "-json", check=False)
    assert res.returncode != 0
    report = json.loads(res.stdout)
    assert report["valid"] is False and report["error_count"] >= 1
    named = [d for d in report["diagnostics"]
             if d["severity"] == "error" and "cidr_blok" in d.get("summary", "") + d.get("detail", "")]
    assert named, report["diagnostics"]


def test_object_deleted_behind_terraforms_back_is_recreated(tmp_path):
    stacks = Stacks(tmp_path, "seed")
    for phase in ("init", "apply"):
        stacks.phase("network", phase)
    old = stacks.outputs("network")["alibaba_vswitch_ids"]
    store = stacks.sandbox.store
    assert store.delete("alicloud_vswitch", old[0])

    res = stacks.tf("network", "plan", "-input=false", "-detailed-exitcode", check=False)
    assert res.returncode == 2, res.output
    assert "alicloud_vswitch.vswitch_0 will be created" in res.stdout
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in res.stdout

    stacks.phase("network", "apply")
    new = stacks.outputs("network")["alibaba_vswitch_ids"]
    assert new[1] == old[1] and new[0] != old[0]
    assert store.get("alicloud_vswitch", old[0]) is None
    assert store.get("alicloud_vswitch", new[0])["cidr_block"] == stacks.topology.alibaba.vswitches[0].cidr
    assert stacks.tf("network", "plan", "-input=false", "-detailed-exitcode", check=False).returncode == 0

    stacks.phase("network", "destroy")
    assert store.list() == []
