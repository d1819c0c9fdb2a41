"""crosscloud deploy / status / destroy in the sandbox, through the real CLI and real terraform."""

import json
import signal
import time

import pytest

pytestmark = pytest.mark.e2e


def test_plan_before_anything_exists(crosscloud, seed_config):
    plan = crosscloud.json("plan", "-c", seed_config)["stacks"]
    assert plan["network"]["planned"] and "alicloud_vpc.vpc" in plan["network"]["add"]
    assert plan["vpn"] == {"planned": False, "reason": "needs network applied first (its outputs feed this stack)"}


def test_deploy_status_noop_destroy(crosscloud, seed_config):
    out = crosscloud.run("deploy", "-c", seed_config)
    assert "target     sandbox" in out.stderr
    assert "IPsec link up" in out.stderr
    # The PSK: write-only on the GCP tunnels (in no state); the alicloud connection keeps it.
    psk = (crosscloud.state_dir / "sandbox" / "psk").read_text().strip()
    vpn_state = json.loads(next(crosscloud.state_dir.rglob("terraform.vpn.tfstate")).read_text())
    by_type = {r["type"]: r for r in vpn_state["resources"]}
    tunnels = [i["attributes"] for i in by_type["google_compute_vpn_tunnel"]["instances"]]
    assert tunnels and all(a["shared_secret_wo"] is None and a["shared_secret"] is None for a in tunnels)
    assert psk not in json.dumps(by_type["google_compute_vpn_tunnel"])
    assert psk in json.dumps(by_type["alicloud_vpn_connection"])

    st = crosscloud.json("status", "-c", seed_config)
    assert all(s["applied"] for s in st["stacks"].values()), st["stacks"]
    assert st["vpn"]["up"] is True
    assert st["vpn"]["alibaba"] == "ipsec_sa_established"
    assert "Tunnel is up and running." in st["vpn"]["gcp"]
    assert {r["dest"] for r in st["routes"]} == {"10.146.0.0/20", "10.40.0.0/14", "10.44.0.0/20"}
    assert all(r["published"] for r in st["routes"])
    assert st["clusters"]["ask-provider"]["id"] and st["fleet"]["members"]

    plan = crosscloud.json("plan", "-c", seed_config)["stacks"]
    assert all(p["planned"] and not any(p[k] for k in ("add", "change", "replace", "destroy")) for p in plan.values()), {
        s: {k: p[k] for k in ("add", "change", "replace", "destroy") if p[k]} for s, p in plan.items()}

    again = crosscloud.run("deploy", "-c", seed_config, "--json")
    assert json.loads(again.stdout)["changed"] == []
    assert "skipped" in again.stderr and " apply " not in again.stderr

    # A route deleted in the console: status names it (from the cloud, no terraform), plan and
    # a no-op-looking deploy still notice it, and the deploy brings it back.
    from crosscloud.runner.livestate import managed_instances, read_state
    from crosscloud.sandbox.sandbox import Sandbox

    from crosscloud.runner.deploy import Workspace

    vpn_dir = Workspace(crosscloud.state_dir).stack_dir("vpn")
    route = next(i for i in managed_instances(read_state(vpn_dir, "vpn")) if i["type"] == "alicloud_vpn_pbr_route_entry")
    assert Sandbox(crosscloud.state_dir / "sandbox").store.delete(route["type"], route["attributes"]["id"])
    st = crosscloud.json("status", "-c", seed_config)
    assert st["stacks"]["vpn"]["drift"] is True and st["stacks"]["vpn"]["missing"] == [route["address"]]
    assert st["stacks"]["network"] == {"applied": True, "drift": False, "missing": []}
    assert len(st["routes"]) == 2
    assert route["address"] in crosscloud.json("plan", "-c", seed_config)["stacks"]["vpn"]["add"]
    assert crosscloud.json("deploy", "-c", seed_config)["changed"] == ["vpn"]
    st = crosscloud.json("status", "-c", seed_config)
    assert st["stacks"]["vpn"]["missing"] == [] and len(st["routes"]) == 3

    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []
    logs = "".join(p.read_text() for p in (crosscloud.state_dir / "logs").rglob("*.log"))
    psk = (crosscloud.state_dir / "sandbox" / "psk").read_text().strip()
    assert psk and psk not in logs and psk not in (crosscloud.state_dir / "journal.json").read_text()


def test_mismatched_psk_times_out_naming_the_cause(crosscloud, seed_config, tmp_path):
    from crosscloud.config import load_topology
    from crosscloud.runner.deploy import Workspace, prepare_stacks
    from crosscloud.runner.report import Reporter

    ws = Workspace(crosscloud.state_dir)
    prepare_stacks(load_topology(seed_config), ws, Reporter(quiet=True))
    vpn = ws.stack_dir("vpn") / "cdk.tf.json"
    doc = json.loads(vpn.read_text())
    for tunnel in doc["resource"]["google_compute_vpn_tunnel"].values():
        tunnel["shared_secret_wo"] = "not-the-same-key"  # one side disagrees
    vpn.write_text(json.dumps(doc))
    out = crosscloud.run("deploy", "-c", seed_config, "--link-timeout", "6", check=False)
    assert out.returncode == 1
    assert "not established" in out.stderr and "pre-shared keys differ" in out.stderr
    st = crosscloud.json("status", "-c", seed_config)
    assert st["vpn"]["up"] is False


def test_second_concurrent_deploy_is_refused(crosscloud, seed_config):
    crosscloud.env["CROSSCLOUD_SANDBOX_LATENCY"] = "0.5"
    first = crosscloud.start("deploy", "-c", seed_config)
    try:
        deadline = time.time() + 120
        while not (crosscloud.state_dir / "lock").exists() and time.time() < deadline:
            time.sleep(0.1)
        second = crosscloud.run("deploy", "-c", seed_config, check=False)
        assert second.returncode == 1
        assert "another crosscloud deploy is running" in second.stderr and f"pid {first.pid}" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=300)


def test_ctrl_c_during_apply_then_deploy_converges(crosscloud, seed_config):
    crosscloud.env["CROSSCLOUD_SANDBOX_LATENCY"] = "0.4"
    proc = crosscloud.start("deploy", "-c", seed_config)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if " apply " in line:
            time.sleep(1.0)
            proc.send_signal(signal.SIGINT)
            break
    rest, _ = proc.communicate(timeout=300)
    assert proc.returncode == 130, "".join(seen) + rest
    assert "interrupted" in rest
    journal = json.loads((crosscloud.state_dir / "journal.json").read_text())
    assert journal["outcome"] == "interrupted"
    assert not (crosscloud.state_dir / "lock").exists()

    crosscloud.env["CROSSCLOUD_SANDBOX_LATENCY"] = "0"
    crosscloud.run("deploy", "-c", seed_config)
    st = crosscloud.json("status", "-c", seed_config)
    assert st["vpn"]["up"] and all(s["applied"] and s["drift"] is False for s in st["stacks"].values())
    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []
