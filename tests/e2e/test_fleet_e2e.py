"""The ACK One phase end to end in the sandbox: deploy registers GKE, applies the manifests,
verify passes; a broken link fails verify; destroy removes everything."""

import json
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def verify(crosscloud, config) -> tuple[int, dict]:
    proc = crosscloud.run("verify", "-c", config, "--json", check=False)
    return proc.returncode, json.loads(proc.stdout)


def kube_objects(crosscloud) -> int:
    db = crosscloud.state_dir / "sandbox" / "kube.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM objects").fetchone()[0]


def credential_rereads(crosscloud) -> int:
    """How many times Terraform read the clusters stack's outputs again (Runner.fresh_outputs)."""
    return sum(p.read_text().count("outputs.tfplan") for p in (crosscloud.state_dir / "logs").rglob("clusters.log"))


@pytest.mark.parametrize("example, host", [
    ("seed", "amcs-service1.provider-ns.svc.cluster.local"),            # KubeVela + ServiceExport (tutorial)
    ("propagation-policy", "service1.provider-ns.svc.cluster.local"),  # PropagationPolicy + MultiClusterService
])
def test_deploy_verify_destroy(crosscloud, example, host):
    config = str(ROOT / "examples" / f"{example}.yaml")
    out = crosscloud.run("deploy", "-c", config)
    assert "registered cluster" in out.stderr and "fleet ready" in out.stderr
    code, result = verify(crosscloud, config)
    assert code == 0 and result["passed"] is True, result
    names = [c["name"] for c in result["checks"]]
    assert names[:3] == ["vpn link up on both sides", "policy routes published", "fleet members joined"]
    probe = result["checks"][-1]
    assert probe["name"] == f"gke-consumer reaches {host}"
    assert "cluster1-jp-for-gke" in probe["detail"]  # through the OverridePolicy in the new default
    # the ASK kubeconfig the apply stored is still accepted: no refresh-only plan re-read it
    assert credential_rereads(crosscloud) == 0

    st = crosscloud.json("status", "-c", config)
    assert len(st["fleet"]["members"]) == 2 and st["fleet"]["registered"]["gke-consumer"]

    # the manifests for review carry the deployment's real ids
    review = crosscloud.state_dir.parent / "review"
    crosscloud.run("manifests", "-c", config, "-o", str(review))
    policy = (review / "hub" / "provider-ns" / "service1" / "service-policy.yaml").read_text()
    assert st["fleet"]["registered"]["gke-consumer"] in policy and st["clusters"]["ask-provider"]["id"] in policy

    # a re-run skips the unchanged manifests, but an object deleted out of band is applied again
    again = crosscloud.run("deploy", "-c", config)
    assert "rendered the same as last applied" in again.stderr and " apply " not in again.stderr
    from crosscloud.sandbox.kube.storage import KubeStore

    kube = KubeStore(crosscloud.state_dir / "sandbox" / "kube.db")
    with sqlite3.connect(kube.path) as conn:
        gke, name = conn.execute("SELECT cluster, name FROM objects WHERE cluster LIKE 'gke-%' AND grp='apps' "
                                 "AND resource='deployments' AND namespace='provider-ns'").fetchone()
    assert kube.delete(gke, "apps", "deployments", "provider-ns", name)
    healed = crosscloud.run("deploy", "-c", config)
    assert "consumer.yaml -> cluster:gke-consumer (1 of 2 objects changed)" in healed.stderr, healed.stderr
    assert kube.get(gke, "apps", "deployments", "provider-ns", name)

    crosscloud.run("destroy", "-c", config)
    assert crosscloud.store_objects() == []
    assert kube_objects(crosscloud) == 0
    assert not (crosscloud.state_dir / "fleet.json").exists()
    assert not (crosscloud.state_dir / "fleet-manifests.json").exists()


def test_two_services_two_consumers(crosscloud):
    config = str(ROOT / "examples" / "two-services.yaml")
    crosscloud.run("deploy", "-c", config)
    code, result = verify(crosscloud, config)
    assert code == 0, result
    probes = {c["name"]: c["detail"] for c in result["checks"] if " reaches " in c["name"]}
    # two-services.yaml uses the defaults: MultiClusterService, consumers see the provider's name
    assert set(probes) == {"gke-consumer reaches service1.provider-ns.svc.cluster.local",
                           "ask-edge reaches service1.provider-ns.svc.cluster.local",
                           "gke-consumer reaches orders.shop.svc.cluster.local"}
    assert "orders-from-ask-edge" in probes["gke-consumer reaches orders.shop.svc.cluster.local"]
    crosscloud.run("destroy", "-c", config)
    assert crosscloud.store_objects() == []


def test_broken_link_fails_verify_on_network_and_probe(crosscloud, seed_config):
    from crosscloud.sandbox.store import CloudStore

    crosscloud.run("deploy", "-c", seed_config)
    # Someone changes the pre-shared key of the GCP tunnels in the console.
    store = CloudStore(crosscloud.state_dir / "sandbox" / "cloud.db")
    for tunnel in store.list("google_compute_vpn_tunnel"):
        store.put(tunnel["type"], tunnel["id"], {**tunnel["attrs"], "shared_secret": "changed-in-the-console"},
                  name=tunnel["name"], status=tunnel["status"])
    code, result = verify(crosscloud, seed_config)
    assert code == 1 and result["passed"] is False
    checks = {c["name"]: c for c in result["checks"]}
    assert checks["vpn link up on both sides"]["passed"] is False
    probe = checks["gke-consumer reaches amcs-service1.provider-ns.svc.cluster.local"]
    assert probe["passed"] is False and "timeout" in probe["detail"]
    assert checks["fleet members joined"]["passed"] is True  # the fleet itself is fine
    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []
