"""Real `terraform apply` against the sandbox: GCP's SERVICE_DISABLED 403 and the dual-tunnel-only
gateway refusal reach the user as Terraform errors, and google_project_service fixes the former."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosscloud.sandbox.gcp import serviceusage
from crosscloud.sandbox.sandbox import Sandbox
from crosscloud.sandbox.testing import run_terraform

pytestmark = pytest.mark.integration

REQUIRED = {"terraform": {"required_providers": {
    "alicloud": {"source": "aliyun/alicloud", "version": ">= 1.250.0, < 2.0.0"},
    "google": {"source": "hashicorp/google", "version": ">= 7.5.0, < 9.0.0"}}}}


def write(workdir: Path, config: dict) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "main.tf.json").write_text(json.dumps(config, indent=1))
    return workdir


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    return Sandbox(tmp_path / "sandbox").ensure()


def test_network_in_a_new_project_needs_the_compute_api(sandbox, tmp_path):
    network = {"name": "n", "auto_create_subnetworks": False}
    config = {**REQUIRED, "provider": {"google": [{"project": "fresh-project", "region": "asia-northeast1"}]},
              "resource": {"google_compute_network": {"net": network}}}
    work = write(tmp_path / "gcp", config)
    run_terraform(sandbox, work, "init", "-input=false")
    res = run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve", check=False)
    assert res.returncode == 1
    assert "googleapi: Error 403: Compute Engine API has not been used in project" in res.output
    assert "SERVICE_DISABLED" in res.output
    assert sandbox.store.list() == []

    config["resource"]["google_project_service"] = {"compute": {"service": "compute.googleapis.com",
                                                                "disable_on_destroy": False}}
    network["depends_on"] = ["google_project_service.compute"]
    write(work, config)
    run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve")
    assert len(sandbox.store.list("google_compute_network")) == 1
    run_terraform(sandbox, work, "destroy", "-auto-approve")
    assert sandbox.store.list() == []
    assert serviceusage.is_enabled(sandbox.store, "fresh-project", "compute.googleapis.com")


@pytest.mark.parametrize("region,refused", [("ap-northeast-1", True), ("me-east-1", False)])
def test_single_vswitch_gateway_at_apply(sandbox, tmp_path, region, refused):
    config = {**REQUIRED, "provider": {"alicloud": [{"region": region}]}, "resource": {
        "alicloud_vpc": {"vpc": {"vpc_name": "v", "cidr_block": "192.168.0.0/16"}},
        "alicloud_vswitch": {"a": {"vpc_id": "${alicloud_vpc.vpc.id}", "cidr_block": "192.168.1.0/24",
                                   "zone_id": f"{region}a"}},
        "alicloud_vpn_gateway": {"gw": {"vpc_id": "${alicloud_vpc.vpc.id}", "bandwidth": 10,
                                        "vswitch_id": "${alicloud_vswitch.a.id}", "payment_type": "PayAsYouGo",
                                        "vpn_gateway_name": "gw"}}}}
    work = write(tmp_path / region, config)
    run_terraform(sandbox, work, "init", "-input=false")
    res = run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve", check=False)
    assert (res.returncode == 1) == refused, res.output
    assert ("InvalidVSwitchId.NotFound" in res.output) == refused
    assert len(sandbox.store.list("alicloud_vpn_gateway")) == (0 if refused else 1)
