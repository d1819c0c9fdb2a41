"""Real `terraform` against the sandbox: the providers' rules at validate, plan and apply (issue 10)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path

import pytest

from crosscloud.sandbox import tfschema
from crosscloud.sandbox.sandbox import Sandbox
from crosscloud.sandbox.testing import run_terraform, terraform_binary

pytestmark = pytest.mark.integration

REQUIRED = {"terraform": {"required_providers": {
    "alicloud": {"source": "aliyun/alicloud", "version": ">= 1.250.0, < 2.0.0"},
    "google": {"source": "hashicorp/google", "version": ">= 7.5.0, < 9.0.0"}}},
    "provider": {"alicloud": [{"region": "ap-northeast-1"}],
                 "google": [{"project": "demo-proj", "region": "asia-northeast1"}]}}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Sandbox:
    return Sandbox(tmp_path_factory.mktemp("fidelity") / "sandbox").ensure()


def write(workdir: Path, config: dict) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "main.tf.json").write_text(json.dumps(config, indent=1))
    return workdir


def diagnostics(res) -> list[dict]:
    return json.loads(res.stdout)["diagnostics"]


def test_peer_ip_known_only_at_plan_is_checked_at_plan(sandbox, tmp_path):
    # google compute/resource_compute_vpn_tunnel.go validatePeerAddr: TEST-NET-3 is refused; a
    # variable is unknown to `validate` and known to `plan`, like a reference in a later stack
    config = {**copy.deepcopy(REQUIRED), "variable": {"peer": {"type": "string"}}, "resource": {
        "google_compute_vpn_tunnel": {"t": {"name": "t", "peer_ip": "${var.peer}", "shared_secret": "s",
                                            "target_vpn_gateway": "gw"}}}}
    work = write(tmp_path / "peer", config)
    run_terraform(sandbox, work, "init", "-input=false")
    assert run_terraform(sandbox, work, "validate", "-json", check=False).returncode == 0
    res = run_terraform(sandbox, work, "plan", "-input=false", "-var", "peer=203.0.113.10", check=False)
    assert res.returncode == 1 and "conflicting with RFC5735" in res.stdout + res.stderr
    res = run_terraform(sandbox, work, "plan", "-input=false", "-var", "peer=47.74.128.10", check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def test_deprecated_name_warns_applies_and_fills_its_replacement(sandbox, tmp_path):
    # resource_alicloud_vpn_gateway.go (v1.289.0): "name" Deprecated, Read sets it from the API's
    # Name like vpn_gateway_name; bandwidth has no ValidateFunc, so 7 fails only at apply
    config = {**copy.deepcopy(REQUIRED), "resource": {
        "alicloud_vpc": {"vpc": {"name": "legacy", "cidr_block": "172.16.0.0/12"}},
        "alicloud_vpn_gateway": {"gw": {"vpc_id": "${alicloud_vpc.vpc.id}", "bandwidth": 7, "name": "legacy-gw",
                                        "network_type": "PUBLIC", "timeouts": {"create": "20m"}}}}}
    config["provider"]["alicloud"] = [{"region": "me-east-1"}]  # a single-vSwitch gateway is still created there
    work = write(tmp_path / "legacy", config)
    run_terraform(sandbox, work, "init", "-input=false")
    res = run_terraform(sandbox, work, "validate", "-json", check=False)
    diags = diagnostics(res)
    assert res.returncode == 0, diags
    assert any(d["severity"] == "warning" and "[DEPRECATED]" in d["summary"] for d in diags), diags
    res = run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve", check=False)
    assert res.returncode == 1 and "InvalidParameter" in res.stdout + res.stderr
    config["resource"]["alicloud_vpn_gateway"]["gw"]["bandwidth"] = 10
    write(work, config)
    run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve")
    show = json.loads(run_terraform(sandbox, work, "show", "-json").stdout)
    values = {r["address"]: r["values"] for r in show["values"]["root_module"]["resources"]}
    assert values["alicloud_vpc.vpc"]["vpc_name"] == "legacy"
    assert values["alicloud_vpn_gateway.gw"]["vpn_gateway_name"] == "legacy-gw"
    assert values["alicloud_vpn_gateway.gw"]["timeouts"] == {"create": "20m", "update": None, "delete": None}
    plan = run_terraform(sandbox, work, "plan", "-input=false", "-detailed-exitcode", check=False)
    assert plan.returncode == 0, plan.stdout


def test_schema_round_trips_through_terraform(sandbox, tmp_path):
    work = write(tmp_path / "schema", {**copy.deepcopy(REQUIRED), "resource": {
        "alicloud_vpc": {"vpc": {"vpc_name": "v"}}}})
    run_terraform(sandbox, work, "init", "-input=false")
    # (run_terraform would insert -no-color after "providers", which "providers schema" refuses)
    out = subprocess.run([terraform_binary(), "providers", "schema", "-json"], cwd=work, check=True,
                         env={**os.environ, **sandbox.env()}, capture_output=True, text=True, timeout=120)
    served = json.loads(out.stdout)
    ali = served["provider_schemas"]["registry.terraform.io/aliyun/alicloud"]
    doc = tfschema.load("alicloud")

    def compare(ours: dict, theirs: dict, where: str):
        assert set(ours.get("attributes", {})) == set(theirs.get("attributes", {})), where
        for name, a in ours.get("attributes", {}).items():
            t = theirs["attributes"][name]
            assert t["type"] == a["type"], (where, name)
            for flag in ("required", "optional", "computed", "sensitive"):
                assert bool(t.get(flag)) == bool(a.get(flag)), (where, name, flag)
        assert set(ours.get("blocks", {})) == set(theirs.get("block_types", {})), where
        for name, nb in ours.get("blocks", {}).items():
            t = theirs["block_types"][name]
            want = {"object": "single", "single": "list", "list": "list", "set": "list"}[nb["nesting"]]
            assert t["nesting_mode"] == want, (where, name)
            compare(nb, t["block"], f"{where}.{name}")

    for section, key in (("resources", "resource_schemas"), ("data_sources", "data_source_schemas")):
        for t, block in doc[section].items():
            compare(block, ali[key][t]["block"], t)
