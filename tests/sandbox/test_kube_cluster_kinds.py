"""The twin per Alibaba cluster kind (ASK / ACS pods on ENIs in the vSwitch, ACK with Terway pods
from its pod vSwitches and only with capacity) and ACK One OverridePolicies."""

import ipaddress
import threading
import time

import pytest
import yaml
from kubernetes import client, config

from crosscloud.sandbox.kube import KubeApiServer
from crosscloud.sandbox.kube.clusters import ASK, NODE_POOL, Directory
from crosscloud.sandbox.kube.controllers import overrides
from crosscloud.sandbox.kube.storage import KubeStore
from crosscloud.sandbox.store import CloudStore
from test_kube_fleet import wait_for

NODE_VSW, POD_VSW = "vsw-nodes0000000000000", "vsw-pods00000000000000"
DEPLOYMENT = yaml.safe_load("""
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: example/web:1}]}
""")


def cloud_with(tmp_path, profile, **attrs):
    cloud = CloudStore(tmp_path / "cloud.db")
    cloud.put("alicloud_vswitch", NODE_VSW, {"cidr_block": "192.168.1.0/24"})
    cloud.put("alicloud_vswitch", POD_VSW, {"cidr_block": "192.168.32.0/20"})
    cid = "c" + "5" * 32
    cloud.put(ASK, cid, {"name": "demo-x", "profile": profile, "vswitch_ids": [NODE_VSW], **attrs}, name="demo-x")
    return cloud, cid


def directory_cluster(cloud, tmp_path, cid):
    return Directory(cloud, KubeStore(tmp_path / "kube.db")).clusters[cid]


@pytest.mark.parametrize("profile, flavour", [("Serverless", "ask"), ("Acs", "acs")])
def test_ask_and_acs_pods_take_vswitch_addresses(tmp_path, profile, flavour):
    cloud, cid = cloud_with(tmp_path, profile)
    c = directory_cluster(cloud, tmp_path, cid)
    assert (c.flavour, c.pod_cidr, c.schedulable, c.node_kind) == (flavour, "192.168.1.0/24", True, "virtual")


def test_ack_with_terway_takes_pod_vswitch_addresses_and_needs_capacity(tmp_path):
    cloud, cid = cloud_with(tmp_path, "Default", pod_vswitch_ids=[POD_VSW], addons=[{"name": "terway-eniip"}])
    c = directory_cluster(cloud, tmp_path, cid)
    assert (c.flavour, c.pod_cidr, c.schedulable) == ("ack", "192.168.32.0/20", False)
    cloud.put(NODE_POOL, f"{cid}:np1", {"cluster_id": cid, "desired_size": "0"})
    assert directory_cluster(cloud, tmp_path, cid).schedulable is False  # a pool without nodes
    cloud.put(NODE_POOL, f"{cid}:np1", {"cluster_id": cid, "desired_size": "2"})
    c = directory_cluster(cloud, tmp_path, cid)
    assert (c.schedulable, c.node_kind) == (True, "ecs")


def test_ack_virtual_nodes_schedule_without_a_node_pool(tmp_path):
    cloud, cid = cloud_with(tmp_path, "Default", pod_vswitch_ids=[POD_VSW],
                            addons=[{"name": "terway-eniip"}, {"name": "ack-virtual-node"}])
    c = directory_cluster(cloud, tmp_path, cid)
    assert (c.schedulable, c.node_kind) == (True, "virtual")


def test_ack_pods_wait_for_a_node_pool_then_run_on_pod_vswitch_ips(tmp_path):
    cloud, cid = cloud_with(tmp_path, "Default", pod_vswitch_ids=[POD_VSW], addons=[{"name": "terway-eniip"}])
    before = set(threading.enumerate())
    api = KubeApiServer(tmp_path, cloud_store=cloud, delay=0.05)
    api.start()
    try:
        api_client = config.new_client_from_config_dict(api.kubeconfig(ASK, cid))
        apps, core = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
        apps.create_namespaced_deployment("default", DEPLOYMENT)
        pod = wait_for(lambda: next((p for p in core.list_namespaced_pod("default").items
                                     if p.status.conditions and p.status.conditions[0].reason == "Unschedulable"), None))
        assert pod.status.phase == "Pending" and not pod.spec.node_name
        time.sleep(0.3)
        assert core.read_namespaced_pod(pod.metadata.name, "default").status.phase == "Pending"  # still waiting
        cloud.put(NODE_POOL, f"{cid}:np1", {"cluster_id": cid, "desired_size": "1"})
        running = wait_for(lambda: next((p for p in core.list_namespaced_pod("default").items
                                         if p.status.phase == "Running"), None))
        assert ipaddress.ip_address(running.status.pod_ip) in ipaddress.ip_network("192.168.32.0/20")
    finally:
        api.stop()
        deadline = time.time() + 5
        while time.time() < deadline and set(threading.enumerate()) - before:
            time.sleep(0.05)


SOURCE = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "svc", "namespace": "ns"},
          "spec": {"template": {"spec": {"containers": [{"name": "svc", "image": "x"}]}}}}


def policy(target=None, op="add", path="/spec/template/spec/containers/0/env", name="svc", ns="ns"):
    rule = {"overriders": {"plaintext": [{"path": path, "operator": op, "value": [{"name": "ENV_NAME", "value": "a"}]}]}}
    if target is not None:
        rule["targetCluster"] = {"clusterNames": target}
    return (True, {"metadata": {"name": "op", "namespace": ns},
                   "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name}],
                            "overrideRules": [rule]}})


def env_of(body):
    return body["spec"]["template"]["spec"]["containers"][0].get("env")


def test_override_applies_only_to_the_named_cluster_and_selected_object():
    assert env_of(overrides.apply(SOURCE, SOURCE, "c-a", [policy(["c-a"])])) == [{"name": "ENV_NAME", "value": "a"}]
    assert env_of(overrides.apply(SOURCE, SOURCE, "c-b", [policy(["c-a"])])) is None
    assert env_of(overrides.apply(SOURCE, SOURCE, "c-b", [policy()])) is not None       # no target: every cluster
    assert env_of(overrides.apply(SOURCE, SOURCE, "c-a", [policy(["c-a"], name="other")])) is None
    assert env_of(overrides.apply(SOURCE, SOURCE, "c-a", [policy(["c-a"], ns="elsewhere")])) is None


def test_an_override_that_does_not_apply_changes_nothing():
    out = overrides.apply(SOURCE, SOURCE, "c-a", [policy(["c-a"], op="replace")])  # nothing to replace
    assert out == SOURCE
    out = overrides.apply(SOURCE, SOURCE, "c-a", [policy(["c-a"], path="/spec/nope/deeper")])
    assert out == SOURCE
