"""AlibabaApi (the real CS/ADCP SDK clients) against the sandbox OpenAPI emulation."""

import secrets
import socket

import pytest
import yaml

from crosscloud.fleet.alibaba_api import (
    AlibabaApi, AlibabaApiError, ClusterInfo, MemberInfo, MissingCredentialsError,
)
from crosscloud.sandbox.openapi import OpenApiServer
from crosscloud.sandbox.store import CloudStore

REGION = "cn-hongkong"
SECRET = "sandbox-secret-" + secrets.token_hex(4)


def _cid() -> str:
    return "c" + secrets.token_hex(16)


@pytest.fixture
def creds(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-sandbox")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)


@pytest.fixture
def cloud(tmp_path):
    """A store with what the Terraform stacks would have made: VPC, vSwitch, ASK cluster, hub."""
    store = CloudStore(tmp_path / "cloud.db")
    ids = {"vpc": "vpc-" + secrets.token_hex(8), "vsw": "vsw-" + secrets.token_hex(8),
           "ask": _cid(), "hub": _cid()}
    store.put("alicloud_vpc", ids["vpc"], {"cidr_block": "10.0.0.0/16"})
    store.put("alicloud_vswitch", ids["vsw"], {"vpc_id": ids["vpc"], "cidr_block": "10.0.1.0/24"})
    store.put("alicloud_cs_managed_kubernetes", ids["ask"], {"name": "ask", "vswitch_ids": [ids["vsw"]]},
              name="ask", status="running")
    store.put("alicloud_ack_one_cluster", ids["hub"],
              {"cluster_name": "fleet", "status": "running",
               "network": [{"vpc_id": ids["vpc"], "vswitches": [ids["vsw"]]}]},
              name="fleet", status="running")
    return store, ids


@pytest.fixture
def env(cloud, creds):
    """(api, store, ids, applied agents, kubeconfig calls) with the emulation running."""
    store, ids = cloud
    applied: set[str] = set()
    kubeconfig_calls: list[tuple[str, str]] = []

    def kubeconfig_for(type_, id_):
        kubeconfig_calls.append((type_, id_))
        return f"apiVersion: v1\nkind: Config\n# hub {id_}\n"

    with OpenApiServer(store, kubeconfig_for=kubeconfig_for, agent_applied=applied.__contains__) as srv:
        api = AlibabaApi(REGION, endpoint_cs=srv.endpoint, endpoint_adcp=f"http://{srv.endpoint}")
        yield api, store, ids, applied, kubeconfig_calls


def _register(api, ids, name="gke"):
    return api.ensure_registered_cluster(name, ids["vpc"], [ids["vsw"]])


def test_ensure_registered_cluster_creates_then_reuses(env):
    api, store, ids, *_ = env
    first, created = _register(api, ids)
    again, created_again = _register(api, ids)
    assert (created, created_again) == (True, False)
    assert again == first and first.startswith("c") and len(first) == 33
    [obj] = store.list("cs_registered_cluster")
    assert obj["id"] == first
    assert obj["attrs"]["cluster_type"] == "ExternalKubernetes"
    assert obj["attrs"]["vswitch_ids"] == [ids["vsw"]] and obj["attrs"]["region_id"] == REGION
    # a different name is a different cluster
    other, created_other = _register(api, ids, name="gke-2")
    assert created_other and other != first


def test_ensure_refuses_a_same_named_cluster_in_another_vpc(env):
    api, store, ids, *_ = env
    _register(api, ids)
    store.put("alicloud_vpc", "vpc-other", {})
    with pytest.raises(AlibabaApiError, match="vpc-other"):
        api.ensure_registered_cluster("gke", "vpc-other", [])


def test_describe_state_follows_the_agent(env):
    api, _, ids, applied, _ = env
    cluster_id, _ = _register(api, ids)
    assert api.describe_cluster(cluster_id) == ClusterInfo(cluster_id, "gke", "ExternalKubernetes",
                                                           "waiting", ids["vpc"])
    applied.add(cluster_id)
    assert api.describe_cluster(cluster_id).state == "running"
    # ASK clusters written by the Terraform provider are visible too, vpc from the vSwitch
    ask = api.describe_cluster(ids["ask"])
    assert (ask.cluster_type, ask.state, ask.vpc_id) == ("ManagedKubernetes", "running", ids["vpc"])


def test_external_agent_manifest_is_yaml_with_the_agent_deployment(env):
    api, _, ids, *_ = env
    cluster_id, _ = _register(api, ids)
    docs = [d for d in yaml.safe_load_all(api.external_agent_manifest(cluster_id)) if d]
    assert {"ServiceAccount", "ClusterRoleBinding", "ConfigMap", "Deployment"} <= {d["kind"] for d in docs}
    [deploy] = [d for d in docs if d["kind"] == "Deployment"]
    assert (deploy["metadata"]["name"], deploy["metadata"]["namespace"]) == ("ack-cluster-agent", "kube-system")
    env_vars = {e["name"]: e["value"] for e in deploy["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env_vars["CLUSTER_ID"] == cluster_id and env_vars["ACCESS_MODE"] == "private"
    public = [d for d in yaml.safe_load_all(api.external_agent_manifest(cluster_id, private_ip=False))
              if d and d["kind"] == "Deployment"]
    assert {"name": "ACCESS_MODE", "value": "public"} in public[0]["spec"]["template"]["spec"]["containers"][0]["env"]


def test_agent_manifest_of_unknown_cluster_is_cluster_not_found(env):
    api, *_ = env
    missing = _cid()
    with pytest.raises(AlibabaApiError) as err:
        api.external_agent_manifest(missing)
    assert err.value.code == "ErrorClusterNotFound" and err.value.request_id
    assert "DescribeExternalAgent" in str(err.value) and missing in str(err.value)


def test_hub_kubeconfig_for_a_running_hub(env):
    api, _, ids, _, calls = env
    text = api.hub_kubeconfig(ids["hub"])
    assert yaml.safe_load(text)["kind"] == "Config" and ids["hub"] in text
    assert calls == [("alicloud_ack_one_cluster", ids["hub"])]


def test_hub_kubeconfig_for_an_unknown_hub_names_it(env):
    api, *_ = env
    missing = _cid()
    with pytest.raises(AlibabaApiError) as err:
        api.hub_kubeconfig(missing)
    assert err.value.action == "DescribeHubClusterKubeconfig"
    assert err.value.code == "Cluster.NotFound" and err.value.request_id
    assert missing in str(err.value) and "Cluster.NotFound" in str(err.value)


def test_attach_waits_for_the_agent_then_members_and_detach(env):
    api, store, ids, applied, _ = env
    cluster_id, _ = _register(api, ids)
    with pytest.raises(AlibabaApiError) as err:
        api.attach_to_hub(ids["hub"], cluster_id)
    assert err.value.code == "ClusterNotRunning" and "waiting" in str(err.value)
    assert api.hub_members(ids["hub"]) == []

    applied.add(cluster_id)
    api.attach_to_hub(ids["hub"], cluster_id)
    api.attach_to_hub(ids["hub"], ids["ask"])
    membership = store.get("alicloud_ack_one_membership_attachment", f"{ids['hub']}:{cluster_id}")
    assert membership == {"cluster_id": ids["hub"], "sub_cluster_id": cluster_id}
    members = {m.id: m for m in api.hub_members(ids["hub"])}
    assert members[cluster_id] == MemberInfo(cluster_id, "gke", "running", "ExternalKubernetes", "Successed")
    assert members[ids["ask"]].cluster_type == "ManagedKubernetes"

    api.detach_from_hub(ids["hub"], cluster_id)
    assert [m.id for m in api.hub_members(ids["hub"])] == [ids["ask"]]
    assert store.get("alicloud_ack_one_membership_attachment", f"{ids['hub']}:{cluster_id}") is None


def test_attach_of_unknown_cluster_fails(env):
    api, _, ids, *_ = env
    missing = _cid()
    with pytest.raises(AlibabaApiError, match=missing) as err:
        api.attach_to_hub(ids["hub"], missing)
    assert err.value.code == "Cluster.NotFound"


def test_delete_removes_cluster_and_memberships(env):
    api, store, ids, applied, _ = env
    cluster_id, _ = _register(api, ids)
    applied.add(cluster_id)
    api.attach_to_hub(ids["hub"], cluster_id)
    api.delete_cluster(cluster_id)
    assert store.list("cs_registered_cluster") == []
    assert store.list("alicloud_ack_one_membership_attachment") == []
    with pytest.raises(AlibabaApiError) as err:
        api.describe_cluster(cluster_id)
    assert err.value.code == "ErrorClusterNotFound"
    # and the next ensure creates afresh
    assert _register(api, ids)[1] is True


@pytest.mark.parametrize("missing", ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"])
def test_missing_credentials_name_the_env_vars(creds, monkeypatch, missing):
    monkeypatch.delenv(missing)
    with pytest.raises(MissingCredentialsError) as err:
        AlibabaApi(REGION, endpoint_cs="127.0.0.1:1", endpoint_adcp="127.0.0.1:1")
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in str(err.value)
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in str(err.value)
    assert isinstance(err.value, AlibabaApiError)


def test_unreachable_endpoint_is_an_api_error_without_secrets(creds):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = AlibabaApi(REGION, endpoint_cs=f"127.0.0.1:{port}", endpoint_adcp=f"127.0.0.1:{port}")
    with pytest.raises(AlibabaApiError) as err:
        api.hub_kubeconfig(_cid())
    assert err.value.code == "RequestFailed" and "DescribeHubClusterKubeconfig" in str(err.value)
    assert SECRET not in str(err.value) and err.value.__cause__ is None
