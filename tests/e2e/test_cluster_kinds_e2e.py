"""End to end in the sandbox for the cluster kinds a new account can create (ACS, ACK with a node
pool or virtual nodes) and for N clusters on both clouds: deploy, verify passes, destroy empties
the twin."""

import json
from pathlib import Path

import pytest
from test_fleet_e2e import kube_objects

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def verify(crosscloud, config) -> tuple[int, dict]:
    proc = crosscloud.run("verify", "-c", config, "--json", check=False)
    return proc.returncode, json.loads(proc.stdout)


def probes(result) -> dict[str, str]:
    return {c["name"]: c["detail"] for c in result["checks"] if " reaches " in c["name"]}


def store_types(crosscloud) -> dict[str, int]:
    out: dict[str, int] = {}
    for o in crosscloud.store_objects():
        out[o["type"]] = out.get(o["type"], 0) + 1
    return out


def deploy_verify_destroy(crosscloud, example) -> tuple[dict, dict]:
    config = str(ROOT / "examples" / f"{example}.yaml")
    crosscloud.run("deploy", "-c", config)
    code, result = verify(crosscloud, config)
    assert code == 0 and result["passed"] is True, result
    types = store_types(crosscloud)
    crosscloud.run("destroy", "-c", config)
    assert crosscloud.store_objects() == []
    assert kube_objects(crosscloud) == 0
    return result, types


def test_acs_provider(crosscloud):
    result, types = deploy_verify_destroy(crosscloud, "acs")
    assert probes(result).keys() == {"gke-consumer reaches service1.provider-ns.svc.cluster.local"}
    assert "cluster1-jp-for-gke" in next(iter(probes(result).values()))
    assert "alicloud_cs_kubernetes_node_pool" not in types


def test_ack_provider_node_pool_and_virtual_nodes(crosscloud):
    result, types = deploy_verify_destroy(crosscloud, "ack")
    assert probes(result).keys() == {"gke-consumer reaches service1.provider-ns.svc.cluster.local",
                                     "ack-virtual reaches service1.provider-ns.svc.cluster.local"}
    assert all("from-ack-node-pool" in d for d in probes(result).values())
    assert types["alicloud_cs_kubernetes_node_pool"] == 1       # only the node-pool cluster has one
    assert types["alicloud_vswitch"] == 2 + 3                   # node vSwitches + Terway pod vSwitches


def test_two_gke_two_alibaba_three_services(crosscloud):
    result, types = deploy_verify_destroy(crosscloud, "multi")
    assert set(probes(result)) == {
        "gke-web reaches catalog.shop.svc.cluster.local", "gke-batch reaches catalog.shop.svc.cluster.local",
        "ack-orders reaches catalog.shop.svc.cluster.local",
        "acs-shop reaches reports.analytics.svc.cluster.local", "ack-orders reaches reports.analytics.svc.cluster.local",
        "gke-web reaches orders.shop.svc.cluster.local"}
    p = probes(result)
    assert "reports-from-gke-batch" in p["acs-shop reaches reports.analytics.svc.cluster.local"]
    assert "orders-from-ack" in p["gke-web reaches orders.shop.svc.cluster.local"]
    assert types["google_container_cluster"] == 2 and types["google_compute_subnetwork"] == 2
    assert types["alicloud_vpn_pbr_route_entry"] == 6            # 2 GKE clusters x (subnet, pods, services)
