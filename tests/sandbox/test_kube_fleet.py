"""ACK One behaviour of the emulated clusters: workloads, the registered-cluster agent, fleet
placement (KubeVela Application, PropagationPolicy), Multi-cluster Services and the proxy the
tutorial's final check goes through."""

import json
import threading
import time

import pytest
import yaml
from kubernetes import client, config, dynamic

from crosscloud.sandbox.kube import KubeApiServer, backing_cluster
from crosscloud.sandbox.kube.clusters import ASK, GKE, HUB, REGISTERED
from crosscloud.sandbox.kube.testing import populate_fleet
from crosscloud.sandbox.store import CloudStore
from support import wait_for

# The tutorial's manifests (ack-vpc-app-meta.yaml, ack-vpc-mcs-service-policy.yaml, gke-consumer.yaml).
APP_META = """
apiVersion: v1
kind: Service
metadata: {name: service1, namespace: provider-ns}
spec:
  ports: [{port: 80, protocol: TCP, targetPort: 8080}]
  selector: {app: web-demo, department: demo}
  sessionAffinity: None
  type: ClusterIP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels: {app: web-demo, department: demo}
  name: web-demo
  namespace: provider-ns
spec:
  replicas: 1
  selector: {matchLabels: {app: web-demo, department: demo}}
  template:
    metadata: {labels: {app: web-demo, department: demo}}
    spec:
      containers:
      - image: bwbw723/ack_one_demo_provider:1.0
        name: web-demo
        env: [{name: ENV_NAME, value: cluster1-jp-for-gke}]
---
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: web-demo
  namespace: provider-ns
  annotations: {app.oam.dev/publishVersion: version1}
spec:
  components:
    - name: web-demo
      type: ref-objects
      properties:
        objects:
          - {resource: deployment, name: web-demo}
          - {resource: service, name: service1}
  policies:
    - type: topology
      name: cluster2
      properties: {clusters: ["ASK_ID"]}
"""
MCS_POLICY = """
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceExport
metadata: {name: service1, namespace: provider-ns}
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceImport
metadata: {name: service1, namespace: provider-ns}
spec:
  ports: [{port: 80, protocol: TCP}]
  type: ClusterSetIP
---
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: amcs-export-service1
  namespace: provider-ns
  labels: {amcs: export, amcs-service: service1, app: web-demo, department: demo}
spec:
  components:
    - name: export-service
      type: ref-objects
      properties: {objects: [{resource: serviceexport, name: service1}]}
  policies:
    - type: topology
      name: export-clusters
      properties: {clusters: ["ASK_ID"]}
---
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: amcs-import-service1
  namespace: provider-ns
  labels: {amcs: import, amcs-service: service1, app: web-demo, department: demo}
spec:
  components:
    - name: import-service
      type: ref-objects
      properties: {objects: [{resource: serviceimport, name: service1}]}
  policies:
    - type: topology
      name: import-clusters
      properties: {clusters: ["REGISTERED_ID"]}
"""
GKE_CONSUMER = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo-consumer
  namespace: provider-ns
  labels: {app: web-demo, department: demo}
spec:
  selector: {matchLabels: {app: web-demo, department: demo}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: web-demo, department: demo}}
    spec:
      containers:
      - image: bwbw723/ack_one_demo_consumer:1.0
        name: demo-consumer
        ports: [{containerPort: 8080, name: demo-consumer}]
"""


def agent_deployment(registered_id):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "ack-cluster-agent", "namespace": "kube-system"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "ack-cluster-agent"}},
                     "template": {"metadata": {"labels": {"app": "ack-cluster-agent"}},
                                  "spec": {"containers": [{"name": "agent", "image": "ack-cluster-agent:sandbox",
                                                           "env": [{"name": "CLUSTER_ID", "value": registered_id},
                                                                   {"name": "ACCESS_MODE", "value": "private"}]}]}}}}


class Sandbox:
    def __init__(self, tmp_path):
        self.cloud = CloudStore(tmp_path / "cloud.db")
        self.fleet = populate_fleet(self.cloud, outsider=True)
        self.network = {"up": True}
        self.api = KubeApiServer(tmp_path, cloud_store=self.cloud, delay=0.05,
                                 network_ok=lambda flow=None: (self.network["up"], "IPsec tunnel is down"))

    def dynamic(self, store_type, cluster_id):
        return dynamic.DynamicClient(config.new_client_from_config_dict(self.api.kubeconfig(store_type, cluster_id)))

    def typed(self, store_type, cluster_id):
        return config.new_client_from_config_dict(self.api.kubeconfig(store_type, cluster_id))

    def apply(self, dyn, text_or_docs):
        docs = yaml.safe_load_all(text_or_docs) if isinstance(text_or_docs, str) else text_or_docs
        for doc in docs:
            res = dyn.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
            dyn.server_side_apply(res, body=doc, namespace=doc["metadata"].get("namespace"),
                                  field_manager="crosscloud", force_conflicts=True)

    def tutorial_text(self, text):
        return text.replace("ASK_ID", self.fleet.ask).replace("REGISTERED_ID", self.fleet.registered)


@pytest.fixture
def sb(tmp_path):
    before = set(threading.enumerate())
    s = Sandbox(tmp_path)
    s.api.start()
    yield s
    s.api.stop()
    deadline = time.time() + 5
    while time.time() < deadline and set(threading.enumerate()) - before:
        time.sleep(0.05)
    assert not (set(threading.enumerate()) - before)


def connect_gke(sb):
    """What the fleet phase does first: the registered cluster's agent goes into GKE."""
    sb.apply(sb.dynamic(GKE, sb.fleet.gke), [agent_deployment(sb.fleet.registered)])


def test_deployment_runs_pods_and_becomes_available(sb):
    apps = client.AppsV1Api(sb.typed(ASK, sb.fleet.ask))
    core = client.CoreV1Api(sb.typed(ASK, sb.fleet.ask))
    core.create_namespace({"metadata": {"name": "provider-ns"}})
    sb.apply(sb.dynamic(ASK, sb.fleet.ask), [d for d in yaml.safe_load_all(APP_META) if d["kind"] == "Deployment"])
    apps.patch_namespaced_deployment("web-demo", "provider-ns", {"spec": {"replicas": 2}})
    ready = wait_for(lambda: (d := apps.read_namespaced_deployment("web-demo", "provider-ns")).status.available_replicas == 2 and d)
    assert {(c.type, c.status) for c in ready.status.conditions} >= {("Available", "True")}
    pods = core.list_namespaced_pod("provider-ns", label_selector="app=web-demo").items
    assert len(pods) == 2 and all(p.status.phase == "Running" for p in pods)
    for p in pods:
        deploy, hash_, suffix = p.metadata.name.rsplit("-", 2)
        assert deploy == "web-demo" and len(hash_) == 10 and len(suffix) == 5
        assert p.status.pod_ip.startswith("10.") and p.metadata.owner_references[0].name == "web-demo"
    apps.delete_namespaced_deployment("web-demo", "provider-ns")
    assert core.list_namespaced_pod("provider-ns").items == []


def test_agent_deployment_connects_the_registered_cluster(sb):
    assert backing_cluster(sb.api.sandbox_dir, sb.fleet.registered) is None
    with pytest.raises(client.ApiException) as err:    # not connected yet: its endpoint has nothing behind it
        client.CoreV1Api(sb.typed(REGISTERED, sb.fleet.registered)).list_namespace()
    assert err.value.status == 503
    connect_gke(sb)
    assert backing_cluster(sb.api.sandbox_dir, sb.fleet.registered) == sb.fleet.gke_key
    assert sb.cloud.get(REGISTERED, sb.fleet.registered)["state"] == "running"
    # the registered cluster's own endpoint reaches the GKE cluster through the agent
    via_registered = client.AppsV1Api(sb.typed(REGISTERED, sb.fleet.registered))
    assert [d.metadata.name for d in via_registered.list_namespaced_deployment("kube-system").items] == ["ack-cluster-agent"]
    client.AppsV1Api(sb.typed(GKE, sb.fleet.gke)).delete_namespaced_deployment("ack-cluster-agent", "kube-system")
    assert backing_cluster(sb.api.sandbox_dir, sb.fleet.registered) is None
    assert sb.cloud.get(REGISTERED, sb.fleet.registered)["state"] == "disconnected"


def deploy_tutorial(sb):
    connect_gke(sb)
    hub = sb.dynamic(HUB, sb.fleet.hub)
    sb.apply(hub, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "provider-ns"}}])
    sb.apply(hub, sb.tutorial_text(APP_META))
    sb.apply(hub, sb.tutorial_text(MCS_POLICY))
    sb.apply(sb.dynamic(GKE, sb.fleet.gke), GKE_CONSUMER)
    return hub


def test_application_places_the_tutorial_objects_into_member_clusters(sb):
    hub = deploy_tutorial(sb)
    apps_res = hub.resources.get(api_version="core.oam.dev/v1beta1", kind="Application")
    statuses = {a.metadata.name: a.status.status for a in apps_res.get(namespace="provider-ns").items}
    assert statuses == {"web-demo": "running", "amcs-export-service1": "running", "amcs-import-service1": "running"}

    ask = client.AppsV1Api(sb.typed(ASK, sb.fleet.ask))
    web = ask.read_namespaced_deployment("web-demo", "provider-ns")
    assert web.metadata.labels["app.oam.dev/name"] == "web-demo"
    assert web.spec.template.spec.containers[0].env[0].value == "cluster1-jp-for-gke"
    ask_core = client.CoreV1Api(sb.typed(ASK, sb.fleet.ask))
    svc = ask_core.read_namespaced_service("service1", "provider-ns")
    assert svc.spec.cluster_ip.startswith("172.21.")            # allocated from the ASK service range
    custom = client.CustomObjectsApi(sb.typed(ASK, sb.fleet.ask))
    assert custom.get_namespaced_custom_object("multicluster.x-k8s.io", "v1alpha1", "provider-ns",
                                               "serviceexports", "service1")
    # the ServiceImport went to the registered cluster, i.e. into GKE; nothing of web-demo did
    gke_custom = client.CustomObjectsApi(sb.typed(GKE, sb.fleet.gke))
    assert gke_custom.get_namespaced_custom_object("multicluster.x-k8s.io", "v1alpha1", "provider-ns",
                                                   "serviceimports", "service1")
    gke_apps = client.AppsV1Api(sb.typed(GKE, sb.fleet.gke))
    assert [d.metadata.name for d in gke_apps.list_namespaced_deployment("provider-ns").items] == ["demo-consumer"]

    # deleting the Application removes what it placed
    apps_res.delete(name="web-demo", namespace="provider-ns")
    with pytest.raises(client.ApiException) as err:
        ask.read_namespaced_deployment("web-demo", "provider-ns")
    assert err.value.status == 404


def test_application_reports_clusters_that_are_not_members(sb):
    hub = sb.dynamic(HUB, sb.fleet.hub)
    sb.apply(hub, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "provider-ns"}}])
    sb.apply(hub, APP_META.replace("ASK_ID", "c" + "9" * 32))
    app = hub.resources.get(api_version="core.oam.dev/v1beta1", kind="Application").get(
        name="web-demo", namespace="provider-ns")
    assert app.status.status != "running"
    assert f"cluster {'c' + '9' * 32} is not a member of fleet {sb.fleet.hub}" in app.status.workflow.message
    assert client.AppsV1Api(sb.typed(ASK, "c" + "9" * 32)).list_deployment_for_all_namespaces().items == []


def test_propagation_policy_places_selected_objects(sb):
    hub = sb.dynamic(HUB, sb.fleet.hub)
    docs = [d for d in yaml.safe_load_all(APP_META) if d["kind"] != "Application"]
    sb.apply(hub, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "provider-ns"}}] + docs)
    policy = {"apiVersion": "policy.one.alibabacloud.com/v1alpha1", "kind": "PropagationPolicy",
              "metadata": {"name": "web-demo", "namespace": "provider-ns"},
              "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web-demo"},
                                             {"apiVersion": "v1", "kind": "Service", "name": "service1"}],
                       "placement": {"clusterAffinity": {"clusterIds": [sb.fleet.ask]}}}}
    sb.apply(hub, [policy])
    ask = client.CoreV1Api(sb.typed(ASK, sb.fleet.ask))
    assert ask.read_namespaced_service("service1", "provider-ns").spec.ports[0].target_port == 8080
    hub.resources.get(api_version="policy.one.alibabacloud.com/v1alpha1", kind="PropagationPolicy").delete(
        name="web-demo", namespace="provider-ns")
    assert ask.list_namespaced_service("provider-ns").items == []


def test_service_export_and_import_create_amcs_service_in_the_consumer(sb):
    deploy_tutorial(sb)
    gke = client.CoreV1Api(sb.typed(GKE, sb.fleet.gke))
    amcs = gke.read_namespaced_service("amcs-service1", "provider-ns")
    assert amcs.spec.type == "ClusterIP" and amcs.spec.selector is None
    assert [(p.port, p.protocol) for p in amcs.spec.ports] == [(80, "TCP")]
    assert sb.fleet.ask in json.dumps(amcs.metadata.annotations)
    custom = client.CustomObjectsApi(sb.typed(GKE, sb.fleet.gke))
    imported = custom.get_namespaced_custom_object("multicluster.x-k8s.io", "v1alpha1", "provider-ns",
                                                   "serviceimports", "service1")
    assert imported["status"]["clusters"] == [{"cluster": sb.fleet.ask}]
    exported = client.CustomObjectsApi(sb.typed(ASK, sb.fleet.ask)).get_namespaced_custom_object(
        "multicluster.x-k8s.io", "v1alpha1", "provider-ns", "serviceexports", "service1")
    assert {c["type"]: c["status"] for c in exported["status"]["conditions"]} == {"Valid": "True", "Exported": "True"}


def consumer_pod(sb):
    gke = client.CoreV1Api(sb.typed(GKE, sb.fleet.gke))
    return gke, wait_for(lambda: [p for p in gke.list_namespaced_pod("provider-ns", label_selector="app=web-demo").items
                                  if p.metadata.name.startswith("demo-consumer") and p.status.phase == "Running"])[0]


def test_consumer_reaches_the_provider_when_the_network_is_up(sb):
    deploy_tutorial(sb)
    ask_apps = client.AppsV1Api(sb.typed(ASK, sb.fleet.ask))
    wait_for(lambda: ask_apps.read_namespaced_deployment("web-demo", "provider-ns").status.available_replicas)
    gke, pod = consumer_pod(sb)
    body = json.loads(gke.connect_get_namespaced_pod_proxy_with_path(f"{pod.metadata.name}:8080", "provider-ns", "/"))
    assert (body["provider"], body["cluster"], body["env"]) == ("web-demo", sb.fleet.ask, "cluster1-jp-for-gke")
    assert body["order"]["id"].startswith("order-")
    via_service = json.loads(gke.connect_get_namespaced_service_proxy_with_path("amcs-service1:80", "provider-ns", "/"))
    assert via_service["env"] == "cluster1-jp-for-gke"


def test_consumer_times_out_when_the_network_is_down(sb):
    deploy_tutorial(sb)
    gke, pod = consumer_pod(sb)
    sb.network["up"] = False
    started = time.time()
    with pytest.raises(client.ApiException) as err:
        gke.connect_get_namespaced_pod_proxy_with_path(f"{pod.metadata.name}:8080", "provider-ns", "/")
    assert time.time() - started >= 0.5
    assert err.value.status == 503
    status = json.loads(err.value.body)
    assert status["reason"] == "ServiceUnavailable"
    # kube-proxy sends to a provider pod IP on the Service's target port, not to the ClusterIP
    provider_ips = {p.status.pod_ip for p in client.CoreV1Api(sb.typed(ASK, sb.fleet.ask))
                    .list_namespaced_pod("provider-ns").items}
    assert status["message"] in {f"error trying to reach service: dial tcp {ip}:8080: i/o timeout" for ip in provider_ips}
    assert status["details"]["causes"][0]["message"] == "IPsec tunnel is down"


def test_multi_cluster_service_creates_the_same_name_service(sb):
    connect_gke(sb)
    hub = sb.dynamic(HUB, sb.fleet.hub)
    sb.apply(hub, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "provider-ns"}}])
    sb.apply(hub, sb.tutorial_text(APP_META))
    sb.apply(hub, [{"apiVersion": "networking.one.alibabacloud.com/v1alpha1", "kind": "MultiClusterService",
                    "metadata": {"name": "service1", "namespace": "provider-ns"},
                    "spec": {"providerClusters": [{"name": sb.fleet.ask}],
                             "consumerClusters": [{"name": sb.fleet.registered}]}}])
    gke = client.CoreV1Api(sb.typed(GKE, sb.fleet.gke))
    svc = gke.read_namespaced_service("service1", "provider-ns")
    assert svc.spec.selector is None and svc.spec.ports[0].port == 80
    mcs = hub.resources.get(api_version="networking.one.alibabacloud.com/v1alpha1", kind="MultiClusterService")
    assert mcs.get(name="service1", namespace="provider-ns").status.conditions[0].status == "True"
    mcs.delete(name="service1", namespace="provider-ns")
    assert gke.list_namespaced_service("provider-ns").items == []
