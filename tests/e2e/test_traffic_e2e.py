"""The tutorial's last curl as the clouds carry it, end to end in the sandbox: the provider's
security group, active/standby tunnels, out-of-band damage and what deploy restores."""

import json
import os
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config

ROOT = Path(__file__).resolve().parents[2]
PROBE = "gke-consumer reaches amcs-service1.provider-ns.svc.cluster.local"

pytestmark = pytest.mark.e2e


def verify(crosscloud, config) -> tuple[int, dict]:
    proc = crosscloud.run("verify", "-c", config, "--json", check=False)
    return proc.returncode, json.loads(proc.stdout)


def store(crosscloud):
    from crosscloud.sandbox.store import CloudStore

    return CloudStore(crosscloud.state_dir / "sandbox" / "cloud.db")


def test_security_group_rule_deleted_out_of_band_fails_verify_and_deploy_restores_it(crosscloud, seed_config):
    crosscloud.run("deploy", "-c", seed_config)
    code, result = verify(crosscloud, seed_config)
    assert code == 0 and result["passed"] and not result["warnings"], result

    cloud = store(crosscloud)
    rules = cloud.list("alicloud_security_group_rule")
    # exactly what the consumer needs: TCP 8080 from the GKE pod range and node subnet, nothing broader
    assert sorted((r["attrs"]["cidr_ip"], r["attrs"]["ip_protocol"], r["attrs"]["port_range"]) for r in rules) == [
        ("10.146.0.0/20", "tcp", "8080/8080"), ("10.40.0.0/14", "tcp", "8080/8080")]
    sg = rules[0]["attrs"]["security_group_id"]
    assert cloud.list("alicloud_cs_managed_kubernetes")[0]["attrs"]["security_group_id"] == sg
    pods_rule = next(r for r in rules if r["attrs"]["cidr_ip"] == "10.40.0.0/14")
    cloud.delete("alicloud_security_group_rule", pods_rule["id"])   # someone cleans up the console

    code, result = verify(crosscloud, seed_config)
    checks = {c["name"]: c for c in result["checks"]}
    assert code == 1 and checks["vpn link up on both sides"]["passed"]
    detail = checks[PROBE]["detail"]
    assert not checks[PROBE]["passed"]
    assert f"security group {sg} admits no TCP 8080 from 10.40." in detail and "10.40.0.0/14" in detail, detail

    crosscloud.run("deploy", "-c", seed_config)
    assert len(store(crosscloud).list("alicloud_security_group_rule")) == 2
    code, result = verify(crosscloud, seed_config)
    assert code == 0, result
    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []


def test_one_tunnel_down_is_degraded_both_down_is_down(crosscloud, seed_config):
    crosscloud.run("deploy", "-c", seed_config)
    cloud = store(crosscloud)
    tunnels = {t["attrs"]["name"]: t for t in cloud.list("google_compute_vpn_tunnel")}
    slave = tunnels["demo-tunnel-slave"]
    cloud.delete(slave["type"], slave["id"])                        # deleted in the console

    st = crosscloud.json("status", "-c", seed_config)
    assert st["vpn"]["degraded"] is True and st["vpn"]["up"] is True and st["vpn"]["state"] == "degraded"
    down = {(d["side"], d["tunnel"]) for d in st["vpn"]["down"]}
    assert ("alibaba", "slave") in down and ("alibaba", "master") not in down, st["vpn"]
    code, result = verify(crosscloud, seed_config)
    checks = {c["name"]: c for c in result["checks"]}
    assert code == 0 and result["passed"], result
    assert checks[PROBE]["passed"] and "cluster1-jp-for-gke" in checks[PROBE]["detail"]
    assert "slave" in checks["vpn link up on both sides"]["warning"] and result["warnings"]

    crosscloud.run("deploy", "-c", seed_config)                     # restores the missing tunnel
    st = crosscloud.json("status", "-c", seed_config)
    assert st["vpn"]["state"] == "up" and st["vpn"]["degraded"] is False and st["vpn"]["down"] == []
    assert {t["attrs"]["name"] for t in store(crosscloud).list("google_compute_vpn_tunnel")} == set(tunnels)

    for t in store(crosscloud).list("google_compute_vpn_tunnel"):  # now both go
        store(crosscloud).delete(t["type"], t["id"])
    st = crosscloud.json("status", "-c", seed_config)
    assert st["vpn"]["state"] == "down" and st["vpn"]["up"] is False and st["vpn"]["degraded"] is False
    code, result = verify(crosscloud, seed_config)
    checks = {c["name"]: c for c in result["checks"]}
    assert code == 1 and not checks["vpn link up on both sides"]["passed"]
    assert not checks[PROBE]["passed"] and "IPsec tunnel up" in checks[PROBE]["detail"], checks[PROBE]
    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []


def test_expired_cluster_credentials_are_fetched_again(crosscloud, seed_config):
    crosscloud.run("deploy", "-c", seed_config)
    state = json.loads((crosscloud.state_dir / "out" / "stacks" / "clusters" / "terraform.clusters.tfstate").read_text())
    stored = next(iter(state["outputs"]["ask_kubeconfigs"]["value"].values()))
    later = dict(crosscloud.env, CROSSCLOUD_SANDBOX_CLOCK_OFFSET=str((4320 + 1) * 60))  # past temporary_duration_minutes

    # the kubeconfig the last apply stored has expired: the cluster's API answers 401 (served by
    # this process, "later": the background service deploy started runs on the real clock)
    crosscloud.run("sandbox", "down")
    from crosscloud.sandbox import services
    from crosscloud.sandbox.sandbox import Sandbox

    os.environ["CROSSCLOUD_SANDBOX_CLOCK_OFFSET"] = later["CROSSCLOUD_SANDBOX_CLOCK_OFFSET"]
    try:
        with services.running(Sandbox(crosscloud.state_dir / "sandbox")):
            api = client.CoreV1Api(config.new_client_from_config_dict(yaml.safe_load(stored)))
            with pytest.raises(client.ApiException) as err:
                api.list_namespace()
            assert err.value.status == 401
    finally:
        del os.environ["CROSSCLOUD_SANDBOX_CLOCK_OFFSET"]

    # verify (and the fleet phase) read the credential again instead of failing
    crosscloud.env = later
    code, result = verify(crosscloud, seed_config)
    assert code == 0 and result["passed"], result
    logs = [p.read_text() for p in (crosscloud.state_dir / "logs").rglob("clusters.log")]
    assert any("-refresh-only" in log and "outputs.tfplan" in log for log in logs)  # read again, by Terraform
    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []
