"""Shared builders for the manifest tests (plain functions; imported by the test modules)."""

import copy

from crosscloud.config import parse_topology
from crosscloud.k8s_manifests import ClusterIds

ASK_ID = "c0a1b2c3d4e5f60718293a4b5c6d7e8f9"
GKE_ID = "c9f8e7d6c5b4a39281706f5e4d3c2b1a0"  # the GKE cluster's *registered cluster* id
ASK2_ID = "c11112222333344445555666677778888"
FLEET_ID = "c00aa11bb22cc33dd44ee55ff66778899"

SEED_IDS = ClusterIds(clusters={"ask-provider": ASK_ID, "gke-consumer": GKE_ID}, fleet=FLEET_ID)
MULTI_IDS = ClusterIds(clusters={"ask-provider": ASK_ID, "gke-consumer": GKE_ID, "ask-two": ASK2_ID}, fleet=FLEET_ID)


def topology(data, **fleet):
    data = copy.deepcopy(data)
    if fleet:
        data["fleet"] = {**data.get("fleet", {}), **fleet}
    return parse_topology(data, "<test>")


def multi_service(seed_data):
    """Two services sharing a namespace, a second ASK cluster, two consumers each."""
    data = copy.deepcopy(seed_data)
    data["clusters"].append({"name": "ask-two", "cloud": "alibaba", "kind": "ask", "service_cidr": "172.22.0.0/20"})
    first = data["services"][0]
    first["consumers"] = ["gke-consumer", "ask-two"]
    second = copy.deepcopy(first)
    second.update(name="service2", image="example/provider:2.0", env={"ENV_NAME": "second"},
                  port=8081, target_port=9090, consumers=["gke-consumer", "ask-two"])
    data["services"].append(second)
    return data


def docs_by_kind(files, kind):
    return [d for f in files for d in f.documents() if d["kind"] == kind]


def doc(files, kind, name):
    found = [d for d in docs_by_kind(files, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]
