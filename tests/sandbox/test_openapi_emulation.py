"""The sandbox OpenAPI emulation: wire shapes the official SDKs send and parse, auth, lifecycle."""

import http.client
import json
import secrets
import socket
import threading

import pytest
import yaml
from alibabacloud_adcp20220101 import models as adcp_models
from alibabacloud_adcp20220101.client import Client as AdcpClient
from alibabacloud_cs20151215 import models as cs_models
from alibabacloud_cs20151215.client import Client as CsClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config

from crosscloud.sandbox.openapi import OpenApiServer
from crosscloud.sandbox.store import CloudStore

REGION = "cn-hongkong"


def _cid() -> str:
    return "c" + secrets.token_hex(16)


@pytest.fixture
def store(tmp_path):
    store = CloudStore(tmp_path / "cloud.db")
    store.put("alicloud_vpc", "vpc-1", {})
    store.put("alicloud_vswitch", "vsw-1", {"vpc_id": "vpc-1"})
    return store


@pytest.fixture
def agents():
    return set()


@pytest.fixture
def server(store, agents):
    with OpenApiServer(store, agent_applied=agents.__contains__) as srv:
        yield srv


def _config(endpoint, **extra):
    return Config(access_key_id="AKID", access_key_secret="secret", region_id=REGION,
                  endpoint=endpoint, protocol="http", **extra)


def _raw(endpoint, method, path, headers=None, body=b""):
    host, port = endpoint.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def _hub(store, status="running"):
    hub = _cid()
    store.put("alicloud_ack_one_cluster", hub, {"cluster_name": "fleet", "status": status}, status=status)
    return hub


def _register(endpoint, **config):
    request = cs_models.CreateClusterRequest(name="gke", cluster_type="ExternalKubernetes",
                                             region_id=REGION, vpcid="vpc-1", vswitch_ids=["vsw-1"])
    body = CsClient(_config(endpoint, **config)).create_cluster(request).body
    assert body.request_id and body.task_id
    return body.cluster_id


def test_requests_without_access_key_are_rejected(server):
    # RPC (ADCP) and ROA (CS), the way a client that forgot to sign would send them
    status, body = _raw(server.endpoint, "POST", "/?ClusterId=c1",
                        {"x-acs-action": "DescribeManagedClusters", "x-acs-version": "2022-01-01"})
    assert status == 404 and body["Code"] == "InvalidAccessKeyId.NotFound" and body["RequestId"]
    status, body = _raw(server.endpoint, "GET", "/clusters/c1")
    assert status == 404 and body["code"] == "InvalidAccessKeyId.NotFound" and body["requestId"]
    # an access key without a signature is still not a signed request
    status, body = _raw(server.endpoint, "GET", "/clusters/c1", {"Authorization": "acs AKID:"})
    assert status == 400 and body["code"] == "IncompleteSignature"


@pytest.mark.parametrize("style, pathname", [("ROA", "/api/v1/clusters"), ("RPC", "/")])
def test_sdk_parses_the_rejection_of_an_unsigned_call(server, style, pathname):
    # auth_type=Anonymous makes the SDK itself send the request unsigned
    from alibabacloud_tea_openapi.utils_models import OpenApiRequest, Params
    from darabonba.runtime import RuntimeOptions

    client = CsClient(_config(server.endpoint))
    action, version = ("DescribeClustersV1", "2015-12-15") if style == "ROA" else ("DescribeManagedClusters", "2022-01-01")
    params = Params(action=action, version=version, protocol="HTTP", pathname=pathname, method="GET" if style == "ROA" else "POST",
                    auth_type="Anonymous", style=style, req_body_type="json", body_type="json")
    with pytest.raises(ClientException) as err:
        client.call_api(params, OpenApiRequest(query={}), RuntimeOptions())
    assert err.value.status_code == 404 and err.value.code == "InvalidAccessKeyId.NotFound"
    assert err.value.request_id not in (None, "None")


def test_legacy_signatures_are_accepted(server, store, agents):
    # signature_algorithm v2: ROA `Authorization: acs AK:sig`, RPC `Action=`/`AccessKeyId=` in the query
    cluster_id = _register(server.endpoint, signature_algorithm="v2", security_token="sts")
    agents.add(cluster_id)
    hub = _hub(store)
    adcp = AdcpClient(_config(server.endpoint, signature_algorithm="v2"))
    adcp.attach_cluster_to_hub(adcp_models.AttachClusterToHubRequest(cluster_id=hub, cluster_ids=json.dumps([cluster_id])))
    [member] = adcp.describe_managed_clusters(adcp_models.DescribeManagedClustersRequest(cluster_id=hub)).body.clusters
    assert member.cluster.cluster_id == cluster_id


def test_cluster_detail_in_the_sdk_model(server, agents):
    cluster_id = _register(server.endpoint)
    cs = CsClient(_config(server.endpoint))
    detail = cs.describe_cluster_detail(cluster_id).body
    assert (detail.cluster_id, detail.name, detail.cluster_type, detail.state) == \
        (cluster_id, "gke", "ExternalKubernetes", "waiting")
    assert (detail.region_id, detail.vpc_id, detail.vswitch_ids) == (REGION, "vpc-1", ["vsw-1"])
    listed = cs.describe_clusters_v1(cs_models.DescribeClustersV1Request(name="gke", cluster_type="ExternalKubernetes")).body
    assert [c.cluster_id for c in listed.clusters] == [cluster_id] and listed.page_info.total_count == 1
    assert cs.describe_clusters_v1(cs_models.DescribeClustersV1Request(name="other")).body.clusters == []


def test_agent_state_running_then_disconnected(server, store, agents):
    cs = CsClient(_config(server.endpoint))
    cluster_id = _register(server.endpoint)
    agents.add(cluster_id)
    assert cs.describe_cluster_detail(cluster_id).body.state == "running"
    assert store.get("cs_registered_cluster", cluster_id)["state"] == "running"
    agents.discard(cluster_id)  # agent Deployment deleted: the real console shows "disconnected"
    assert cs.describe_cluster_detail(cluster_id).body.state == "disconnected"


def test_agent_manifest_restricted_mode(server):
    cluster_id = _register(server.endpoint)
    cs = CsClient(_config(server.endpoint))
    request = cs_models.DescribeExternalAgentRequest(private_ip_address="true", agent_mode="restricted")
    docs = list(yaml.safe_load_all(cs.describe_external_agent(cluster_id, request).body.config))
    [binding] = [d for d in docs if d["kind"] == "ClusterRoleBinding"]
    assert binding["roleRef"]["name"] != "cluster-admin"


def test_unknown_cluster_is_404_error_cluster_not_found(server):
    missing = _cid()
    with pytest.raises(ClientException) as err:
        CsClient(_config(server.endpoint)).describe_cluster_detail(missing)
    assert err.value.status_code == 404 and err.value.code == "ErrorClusterNotFound"
    assert missing in err.value.message and err.value.request_id


def test_create_rejects_unknown_vpc_and_other_cluster_types(server):
    cs = CsClient(_config(server.endpoint))
    with pytest.raises(ClientException, match="vpc-nope"):
        cs.create_cluster(cs_models.CreateClusterRequest(name="x", cluster_type="ExternalKubernetes",
                                                         region_id=REGION, vpcid="vpc-nope"))
    with pytest.raises(ClientException, match="ExternalKubernetes"):
        cs.create_cluster(cs_models.CreateClusterRequest(name="x", cluster_type="ManagedKubernetes",
                                                         region_id=REGION))


def test_hub_kubeconfig_needs_a_running_hub(server, store):
    adcp = AdcpClient(_config(server.endpoint))
    running, creating = _hub(store), _hub(store, status="creating")
    body = adcp.describe_hub_cluster_kubeconfig(
        adcp_models.DescribeHubClusterKubeconfigRequest(cluster_id=running, private_ip_address=False)).body
    assert body.request_id and yaml.safe_load(body.kubeconfig)["kind"] == "Config"
    with pytest.raises(ClientException) as err:
        adcp.describe_hub_cluster_kubeconfig(adcp_models.DescribeHubClusterKubeconfigRequest(cluster_id=creating))
    assert err.value.code == "ClusterNotRunning" and creating in err.value.message


def test_managed_clusters_shape(server, store, agents):
    hub = _hub(store)
    cluster_id = _register(server.endpoint)
    agents.add(cluster_id)
    adcp = AdcpClient(_config(server.endpoint))
    attach = adcp.attach_cluster_to_hub(
        adcp_models.AttachClusterToHubRequest(cluster_id=hub, cluster_ids=json.dumps([cluster_id]))).body
    assert (attach.cluster_id, attach.managed_cluster_ids) == (hub, [cluster_id]) and attach.task_id
    [item] = adcp.describe_managed_clusters(adcp_models.DescribeManagedClustersRequest(cluster_id=hub)).body.clusters
    assert (item.cluster.cluster_id, item.cluster.cluster_type, item.cluster.state, item.cluster.vpc_id) == \
        (cluster_id, "ExternalKubernetes", "running", "vpc-1")
    assert item.status.state == "Successed"
    with pytest.raises(ClientException) as err:
        adcp.attach_cluster_to_hub(adcp_models.AttachClusterToHubRequest(cluster_id=hub, cluster_ids="c1"))
    assert err.value.code == "InvalidParameter"


def test_unknown_action_and_path(server):
    headers = {"Authorization": "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=ab"}
    status, body = _raw(server.endpoint, "POST", "/", {**headers, "x-acs-action": "DeleteHubCluster",
                                                      "x-acs-version": "2022-01-01"})
    assert status == 404 and body["Code"] == "InvalidAction.NotFound"
    status, body = _raw(server.endpoint, "GET", "/nodes", headers)
    assert status == 404 and body["code"] == "InvalidAction.NotFound"


def test_stop_closes_the_port_and_thread(store):
    srv = OpenApiServer(store)
    endpoint = srv.start()
    assert endpoint == srv.endpoint and endpoint.startswith("127.0.0.1:")
    _register(endpoint)
    srv.stop()
    host, port = endpoint.split(":")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=2).close()
    assert not [t for t in threading.enumerate() if t.name == "sandbox-openapi"]
