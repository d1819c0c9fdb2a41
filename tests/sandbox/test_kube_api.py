"""The emulated Kubernetes API through the official `kubernetes` client: discovery, apply, CRUD,
watch, status subresource, auth and per-cluster routing."""

import copy
import json
import os
import stat
import threading
import time

import pytest
from kubernetes import client, config, dynamic, watch

from crosscloud.sandbox.kube import (KubeApiServer, cluster_key, cluster_token, kubeconfig,
                                     write_kubeconfig)
from crosscloud.sandbox.kube.clusters import ASK, GKE, HUB
from crosscloud.sandbox.kube.testing import populate_fleet
from crosscloud.sandbox.store import CloudStore

APPLY = "application/apply-patch+yaml"


@pytest.fixture
def sandbox(tmp_path):
    cloud = CloudStore(tmp_path / "cloud.db")
    fleet = populate_fleet(cloud)
    before = set(threading.enumerate())
    api = KubeApiServer(tmp_path, cloud_store=cloud, delay=0.05)
    api.start()
    yield api, fleet
    api.stop()
    deadline = time.time() + 5
    while time.time() < deadline and set(threading.enumerate()) - before:
        time.sleep(0.05)
    assert not (set(threading.enumerate()) - before), "the server left threads running"


def api_client(api, store_type, cluster_id):
    return config.new_client_from_config_dict(api.kubeconfig(store_type, cluster_id))


@pytest.fixture
def ask(sandbox):
    api, fleet = sandbox
    return api_client(api, ASK, fleet.ask)


def configmap(name, data, labels=None, namespace="default"):
    meta = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def test_discovery_lists_builtin_and_mcs_kinds_but_fleet_kinds_only_on_the_hub(sandbox, ask):
    api, fleet = sandbox
    assert client.VersionApi(ask).get_code().git_version.startswith("v1.33")
    core = client.CoreV1Api(ask).get_api_resources()
    by_name = {r.name: r for r in core.resources}
    assert by_name["services"].short_names == ["svc"] and by_name["pods/proxy"].verbs
    assert by_name["namespaces"].namespaced is False
    groups = {g.name for g in client.ApisApi(ask).get_api_versions().groups}
    assert {"apps", "rbac.authorization.k8s.io", "apiextensions.k8s.io", "multicluster.x-k8s.io"} <= groups
    assert "core.oam.dev" not in groups

    hub = dynamic.DynamicClient(api_client(api, HUB, fleet.hub))
    app = hub.resources.get(api_version="core.oam.dev/v1beta1", kind="Application")
    assert app.namespaced and "app" in app.short_names
    assert hub.resources.get(api_version="policy.one.alibabacloud.com/v1alpha1", kind="PropagationPolicy")
    assert hub.resources.get(api_version="networking.one.alibabacloud.com/v1alpha1", kind="MultiClusterService")
    deploy_status = hub.resources.get(api_version="apps/v1", kind="Deployment").subresources["status"]
    assert "patch" in deploy_status.verbs


def test_server_side_apply_create_noop_conflict_and_force(ask):
    core = client.CoreV1Api(ask)
    cm = configmap("settings", {"color": "blue", "size": "m"})
    created = core.patch_namespaced_config_map("settings", "default", cm, field_manager="alice",
                                               _content_type=APPLY)
    rv = created.metadata.resource_version
    assert created.data == {"color": "blue", "size": "m"}
    [entry] = created.metadata.managed_fields
    assert (entry.manager, entry.operation) == ("alice", "Apply")
    assert entry.fields_v1 == {"f:data": {"f:color": {}, "f:size": {}}}

    again = core.patch_namespaced_config_map("settings", "default", cm, field_manager="alice", _content_type=APPLY)
    assert again.metadata.resource_version == rv          # a no-op apply writes nothing

    theirs = configmap("settings", {"color": "red"})
    with pytest.raises(client.ApiException) as err:
        core.patch_namespaced_config_map("settings", "default", theirs, field_manager="bob", _content_type=APPLY)
    assert err.value.status == 409
    status = json.loads(err.value.body)
    assert status["reason"] == "Conflict"
    assert status["message"] == 'Apply failed with 1 conflict: conflict with "alice" using v1: .data.color'
    assert status["details"]["causes"][0]["field"] == ".data.color"

    forced = core.patch_namespaced_config_map("settings", "default", theirs, field_manager="bob", force=True,
                                              _content_type=APPLY)
    assert forced.data == {"color": "red", "size": "m"}
    owners = {m.manager: m.fields_v1 for m in forced.metadata.managed_fields}
    assert owners == {"alice": {"f:data": {"f:size": {}}}, "bob": {"f:data": {"f:color": {}}}}

    # alice stops applying `size`: a field only she owned is removed
    shrunk = core.patch_namespaced_config_map("settings", "default", configmap("settings", {}), field_manager="alice",
                                              _content_type=APPLY)
    assert shrunk.data == {"color": "red"}


def test_apply_needs_a_field_manager(ask):
    core = client.CoreV1Api(ask)
    with pytest.raises(client.ApiException) as err:
        core.patch_namespaced_config_map("x", "default", configmap("x", {}), _content_type=APPLY)
    assert err.value.status == 400 and "fieldManager is required" in err.value.body


def test_crud_errors_are_kubernetes_statuses(ask):
    core = client.CoreV1Api(ask)
    core.create_namespaced_config_map("default", configmap("one", {"a": "1"}))
    with pytest.raises(client.ApiException) as err:
        core.create_namespaced_config_map("default", configmap("one", {"a": "1"}))
    assert err.value.status == 409 and '"reason": "AlreadyExists"' in err.value.body
    with pytest.raises(client.ApiException) as err:
        core.read_namespaced_config_map("nope", "default")
    assert err.value.status == 404 and 'configmaps \\"nope\\" not found' in err.value.body
    with pytest.raises(client.ApiException) as err:
        core.create_namespaced_config_map("missing-ns", configmap("one", {}, namespace="missing-ns"))
    assert err.value.status == 404 and "namespaces" in err.value.body

    current = core.read_namespaced_config_map("one", "default")
    stale = copy.deepcopy(current)
    current.data = {"a": "2"}
    updated = core.replace_namespaced_config_map("one", "default", current)
    assert int(updated.metadata.resource_version) > int(stale.metadata.resource_version)
    stale.data = {"a": "3"}
    with pytest.raises(client.ApiException) as err:
        core.replace_namespaced_config_map("one", "default", stale)
    assert err.value.status == 409 and "the object has been modified" in err.value.body

    preview = core.patch_namespaced_config_map("one", "default", {"data": {"c": "dry"}}, dry_run="All")
    assert preview.data["c"] == "dry" and "c" not in core.read_namespaced_config_map("one", "default").data
    merged = core.patch_namespaced_config_map("one", "default", {"data": {"b": "x"}})
    assert merged.data == {"a": "2", "b": "x"}
    status = core.delete_namespaced_config_map("one", "default")
    assert status["kind"] == "Status" and status["status"] == "Success"
    assert core.list_namespaced_config_map("default").items == []


def test_list_with_label_and_field_selectors(ask):
    core = client.CoreV1Api(ask)
    for name, tier in (("a", "web"), ("b", "web"), ("c", "db")):
        core.create_namespaced_config_map("default", configmap(name, {}, {"tier": tier, "app": "shop"}))
    names = lambda items: sorted(i.metadata.name for i in items)
    assert names(core.list_namespaced_config_map("default", label_selector="tier=web").items) == ["a", "b"]
    assert names(core.list_namespaced_config_map("default", label_selector="tier in (db),app").items) == ["c"]
    assert names(core.list_namespaced_config_map("default", label_selector="tier!=web").items) == ["c"]
    assert names(core.list_config_map_for_all_namespaces(field_selector="metadata.name=b").items) == ["b"]


def test_watch_sees_added_modified_deleted(ask):
    core = client.CoreV1Api(ask)
    start = core.list_namespaced_config_map("default").metadata.resource_version
    seen = []

    def follow():
        w = watch.Watch()
        for event in w.stream(core.list_namespaced_config_map, "default", resource_version=start,
                              timeout_seconds=10):
            seen.append((event["type"], event["object"].metadata.name, event["object"].data))
            if event["type"] == "DELETED":
                w.stop()

    t = threading.Thread(target=follow)
    t.start()
    time.sleep(0.2)
    core.create_namespaced_config_map("default", configmap("w", {"v": "1"}))
    core.patch_namespaced_config_map("w", "default", {"data": {"v": "2"}})
    core.delete_namespaced_config_map("w", "default")
    t.join(timeout=10)
    assert not t.is_alive()
    assert seen == [("ADDED", "w", {"v": "1"}), ("MODIFIED", "w", {"v": "2"}), ("DELETED", "w", {"v": "2"})]

    # without a resourceVersion a watch starts with the current objects as ADDED
    core.create_namespaced_config_map("default", configmap("z", {}))
    events = list(watch.Watch().stream(core.list_namespaced_config_map, "default", timeout_seconds=1))
    assert [(e["type"], e["object"].metadata.name) for e in events] == [("ADDED", "z")]


def test_status_subresource_is_separate_from_the_spec(sandbox):
    api, fleet = sandbox
    hub = api_client(api, HUB, fleet.hub)       # no workload controller on a hub: status stays ours
    apps = client.AppsV1Api(hub)
    body = {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "default"},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "d"}},
                     "template": {"metadata": {"labels": {"app": "d"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
            "status": {"replicas": 99}}
    created = apps.create_namespaced_deployment("default", body)
    assert (created.status is None or created.status.replicas != 99) and created.metadata.generation == 1
    patched = apps.patch_namespaced_deployment_status("d", "default", {"status": {"observedGeneration": 7},
                                                                        "spec": {"replicas": 5}})
    assert patched.status.observed_generation == 7 and patched.spec.replicas == 0
    assert patched.metadata.generation == 1
    spec_only = apps.patch_namespaced_deployment("d", "default", {"spec": {"replicas": 0, "paused": True},
                                                                  "status": {"observedGeneration": 1}})
    assert spec_only.metadata.generation == 2 and spec_only.status.observed_generation == 7

    mcs = client.CustomObjectsApi(hub)
    args = ("multicluster.x-k8s.io", "v1alpha1", "default", "serviceimports")
    mcs.create_namespaced_custom_object(*args, {"apiVersion": "multicluster.x-k8s.io/v1alpha1",
                                                "kind": "ServiceImport", "metadata": {"name": "s"},
                                                "spec": {"type": "ClusterSetIP", "ports": [{"port": 80}]}})
    out = mcs.patch_namespaced_custom_object_status(*args, "s", {"status": {"clusters": [{"cluster": "x"}]}})
    assert out["status"] == {"clusters": [{"cluster": "x"}]} and out["spec"]["type"] == "ClusterSetIP"


def test_bad_token_is_401_and_unknown_cluster_is_404(sandbox):
    api, fleet = sandbox
    cfg = api.kubeconfig(ASK, fleet.ask)
    cfg["users"][0]["user"]["token"] = "ccsb.wrong"
    with pytest.raises(client.ApiException) as err:
        client.CoreV1Api(config.new_client_from_config_dict(cfg)).list_namespace()
    assert err.value.status == 401 and '"reason": "Unauthorized"' in err.value.body

    # the ASK cluster's token does not open the hub
    cfg = api.kubeconfig(ASK, fleet.ask)
    cfg["clusters"][0]["cluster"]["server"] = f"{api.url}/clusters/{fleet.hub}"
    with pytest.raises(client.ApiException) as err:
        client.CoreV1Api(config.new_client_from_config_dict(cfg)).list_namespace()
    assert err.value.status == 401

    cfg = api.kubeconfig(ASK, "c" + "0" * 32)
    with pytest.raises(client.ApiException) as err:
        client.CoreV1Api(config.new_client_from_config_dict(cfg)).list_namespace()
    assert err.value.status == 404 and '"kind": "Status"' in err.value.body


def test_clusters_are_separate_and_keys_are_url_safe(sandbox, ask):
    api, fleet = sandbox
    assert cluster_key(GKE, fleet.gke) == "gke-demo-gke-consumer"
    assert cluster_key(ASK, fleet.ask) == fleet.ask
    gke = client.CoreV1Api(api_client(api, GKE, fleet.gke))
    client.CoreV1Api(ask).create_namespaced_config_map("default", configmap("only-ask", {}))
    assert gke.list_namespaced_config_map("default").items == []
    assert api.kubeconfig(GKE, fleet.gke)["clusters"][0]["cluster"]["server"].endswith("/clusters/gke-demo-gke-consumer")


def test_namespace_delete_removes_its_contents(ask):
    core = client.CoreV1Api(ask)
    core.create_namespace({"metadata": {"name": "tmp"}})
    core.create_namespaced_config_map("tmp", configmap("x", {}, namespace="tmp"))
    core.delete_namespace("tmp")
    assert core.list_config_map_for_all_namespaces(field_selector="metadata.namespace=tmp").items == []
    with pytest.raises(client.ApiException) as err:
        core.read_namespace("tmp")
    assert err.value.status == 404


def test_state_survives_a_new_server_and_tokens_are_stable(tmp_path):
    cloud = CloudStore(tmp_path / "cloud.db")
    fleet = populate_fleet(cloud)
    with KubeApiServer(tmp_path, cloud_store=cloud) as first:
        token = first.kubeconfig(ASK, fleet.ask)["users"][0]["user"]["token"]
        client.CoreV1Api(api_client(first, ASK, fleet.ask)).create_namespaced_config_map(
            "default", configmap("kept", {"k": "v"}))
    with KubeApiServer(tmp_path, cloud_store=cloud) as second:
        assert second.kubeconfig(ASK, fleet.ask)["users"][0]["user"]["token"] == token
        kept = client.CoreV1Api(api_client(second, ASK, fleet.ask)).read_namespaced_config_map("kept", "default")
        assert kept.data == {"k": "v"}
    assert token == cluster_token(tmp_path, fleet.ask) != cluster_token(tmp_path, fleet.hub)
    assert stat.S_IMODE(os.stat(tmp_path / "kube-secret").st_mode) == 0o600


def test_written_kubeconfig_is_private(sandbox, tmp_path):
    api, fleet = sandbox
    path = write_kubeconfig(tmp_path / "kube" / "ask.yaml", kubeconfig(api.sandbox_dir, api.url, ASK, fleet.ask))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = config.new_client_from_config(str(path))
    assert client.CoreV1Api(loaded).read_namespace("default").status.phase == "Active"


def test_a_custom_resource_definition_adds_its_kind(ask):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wg"]},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object"}}}]}}
    client.ApiextensionsV1Api(ask).create_custom_resource_definition(crd)
    custom = client.CustomObjectsApi(ask)
    custom.create_namespaced_custom_object("example.com", "v1", "default", "widgets",
                                           {"apiVersion": "example.com/v1", "kind": "Widget",
                                            "metadata": {"name": "w1"}, "spec": {"size": 3}})
    listed = custom.list_namespaced_custom_object("example.com", "v1", "default", "widgets")
    assert [(i["metadata"]["name"], i["spec"]["size"]) for i in listed["items"]] == [("w1", 3)]
    resources = dynamic.DynamicClient(ask).resources.get(api_version="example.com/v1", kind="Widget")
    assert resources.short_names == ["wg"]
