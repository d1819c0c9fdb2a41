"""HTTP emulation of the few Alibaba Cloud OpenAPI actions crosscloud calls outside Terraform.

The official SDKs point at it through their endpoint override, so their real request building,
signing and response parsing run unchanged. Shapes were taken from the SDK sources
(alibabacloud_cs20151215 7.2.3, alibabacloud_adcp20220101 3.1.1) and requests they sent:

- CS 2015-12-15 is ROA: the action is the method + path (POST /clusters, GET /clusters/{id},
  GET /api/v1/clusters, GET /k8s/{id}/external/agent/deployment, DELETE /clusters/{id}); bodies
  are JSON with snake_case fields; errors are {"code", "message", "requestId"}.
- ADCP 2022-01-01 is RPC: POST / with the action in the `x-acs-action` header (V3 signing, the
  SDK default) or `Action=` in the query (legacy signing); parameters in the query and a form
  body; CamelCase fields; errors are {"Code", "Message", "RequestId", "HostId"}.

Cluster state lives in the sandbox `CloudStore`. A registered cluster is stored as
`cs_registered_cluster`; hubs, ASK clusters and memberships are the objects the sandbox
Terraform providers write.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

from crosscloud.sandbox.store import CloudStore

REGISTERED = "cs_registered_cluster"
ASK = "alicloud_cs_managed_kubernetes"
HUB = "alicloud_ack_one_cluster"
MEMBERSHIP = "alicloud_ack_one_membership_attachment"
VPC = "alicloud_vpc"
VSWITCH = "alicloud_vswitch"

CS_VERSION = "2015-12-15"
ADCP_VERSION = "2022-01-01"

# DescribeClusterDetail `state` values (SDK model doc): a registered cluster is `waiting` ("waiting
# for access") until its agent connects, then `running`; `disconnected` once the agent is gone.
WAITING, RUNNING, DISCONNECTED = "waiting", "running", "disconnected"
# DescribeManagedClusters Status.State for a completed attachment (the API's own spelling).
ATTACHED = "Successed"

AGENT_IMAGE = "registry-{region}-vpc.ack.aliyuncs.com/acs/ack-cluster-agent:v1.13.1.2-sandbox"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _truthy(value: Any) -> bool:
    # The CS SDK sends PrivateIpAddress as the string the caller gave; ADCP sends str(bool).
    return str(value).strip().lower() == "true"


def _placeholder_kubeconfig(type_: str, cluster_id: str) -> str:
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": cluster_id,
        "clusters": [{"name": cluster_id, "cluster": {"server": f"https://{cluster_id}.sandbox.invalid:6443"}}],
        "users": [{"name": cluster_id, "user": {"token": "sandbox-placeholder"}}],
        "contexts": [{"name": cluster_id, "context": {"cluster": cluster_id, "user": cluster_id}}],
    }, sort_keys=False)


def agent_manifest(cluster_id: str, region: str, *, private: bool, agent_mode: str = "admin") -> str:
    """The multi-document YAML DescribeExternalAgent returns for a registered cluster."""
    access_mode = "private" if private else "public"
    labels = {"app": "ack-cluster-agent"}
    docs = [
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": "ack-cluster-agent", "namespace": "kube-system"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": "ack-cluster-agent-role-binding"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     # restricted mode gets read-only rights instead of cluster-admin
                     "name": "cluster-admin" if agent_mode != "restricted" else "view"},
         "subjects": [{"kind": "ServiceAccount", "name": "ack-cluster-agent", "namespace": "kube-system"}]},
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "ack-agent-config", "namespace": "kube-system"},
         "data": {"clusterId": cluster_id, "regionId": region, "accessMode": access_mode,
                  "agentMode": agent_mode}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "ack-cluster-agent", "namespace": "kube-system", "labels": labels},
         "spec": {
             "replicas": 2,
             "selector": {"matchLabels": labels},
             "template": {
                 "metadata": {"labels": labels},
                 "spec": {
                     "serviceAccountName": "ack-cluster-agent",
                     "containers": [{
                         "name": "ack-cluster-agent",
                         "image": AGENT_IMAGE.format(region=region),
                         "env": [
                             {"name": "CLUSTER_ID", "value": cluster_id},
                             {"name": "REGION_ID", "value": region},
                             {"name": "ACCESS_MODE", "value": access_mode},
                             {"name": "AGENT_MODE", "value": agent_mode},
                         ],
                     }],
                 },
             },
         }},
    ]
    return yaml.safe_dump_all(docs, sort_keys=False)


class OpenApiServer:
    """CS + ADCP emulation on one local port, backed by a `CloudStore`.

    `kubeconfig_for(type, id)` supplies hub kubeconfigs; `agent_applied(cluster_id)` tells whether
    a registered cluster's agent Deployment is running (asked on every describe).
    """

    def __init__(self, store: CloudStore, *, kubeconfig_for: Callable[[str, str], str] | None = None,
                 agent_applied: Callable[[str], bool] | None = None):
        self.store = store
        self._kubeconfig_for = kubeconfig_for or _placeholder_kubeconfig
        self._agent_applied = agent_applied or (lambda _cluster_id: False)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._roa = [
            ("POST", re.compile(r"/clusters"), self.create_cluster),
            ("GET", re.compile(r"/api/v1/clusters"), self.describe_clusters_v1),
            ("GET", re.compile(r"/clusters/([^/]+)"), self.describe_cluster_detail),
            ("DELETE", re.compile(r"/clusters/([^/]+)"), self.delete_cluster),
            ("GET", re.compile(r"/k8s/([^/]+)/external/agent/deployment"), self.describe_external_agent),
        ]
        self._rpc = {
            "DescribeHubClusterKubeconfig": self.describe_hub_cluster_kubeconfig,
            "AttachClusterToHub": self.attach_cluster_to_hub,
            "DetachClusterFromHub": self.detach_cluster_from_hub,
            "DescribeManagedClusters": self.describe_managed_clusters,
        }

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._httpd is None:
            self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
            self._httpd.daemon_threads = True
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="sandbox-openapi", daemon=True)
            self._thread.start()
        return self.endpoint

    @property
    def endpoint(self) -> str:
        if self._httpd is None:
            raise RuntimeError("OpenApiServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def __enter__(self) -> "OpenApiServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- dispatch --------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        """One HTTP exchange -> (status, JSON body). Header names are lower-cased by the caller."""
        split = urlsplit(target)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        rpc = split.path == "/"
        request_id = str(uuid.uuid4()).upper()
        try:
            _authenticate(headers, query)
            if rpc:
                params = {**query, **_form(headers, body)}
                action = headers.get("x-acs-action") or params.get("Action", "")
                version = headers.get("x-acs-version") or params.get("Version", "")
                if version != ADCP_VERSION or action not in self._rpc:
                    raise ApiError(404, "InvalidAction.NotFound",
                                   f"Specified api is not found, please check your url and method. "
                                   f"(action {action!r}, version {version!r})")
                result = self._rpc[action](params)
                return 200, {"RequestId": request_id, **result}
            for verb, pattern, fn in self._roa:
                match = pattern.fullmatch(split.path)
                if verb == method and match:
                    args = [unquote(g) for g in match.groups()]
                    return 200, fn(*args, query=query, body=_json(body), request_id=request_id)
            raise ApiError(404, "InvalidAction.NotFound",
                           f"Specified api is not found, please check your url and method. ({method} {split.path})")
        except ApiError as e:
            if rpc:
                return e.status, {"RequestId": request_id, "HostId": "adcp.aliyuncs.com",
                                  "Code": e.code, "Message": e.message}
            return e.status, {"code": e.code, "message": e.message, "requestId": request_id,
                              "status": e.status}

    # -- CS (ROA) --------------------------------------------------------------------------

    def create_cluster(self, *, query, body, request_id) -> dict:
        if body.get("cluster_type") != "ExternalKubernetes":
            raise ApiError(400, "InvalidParameter",
                           f"cluster_type {body.get('cluster_type')!r}: the sandbox API creates only "
                           "registered clusters (ExternalKubernetes); other clusters come from Terraform")
        name, region = body.get("name"), body.get("region_id")
        if not name or not region:
            raise ApiError(400, "MissingParameter", "name and region_id are required")
        vpc_id, vswitch_ids = body.get("vpcid", ""), list(body.get("vswitch_ids") or [])
        if vpc_id and self.store.get(VPC, vpc_id) is None:
            raise ApiError(400, "InvalidParameter", f"vpcid {vpc_id} does not exist")
        for vsw in vswitch_ids:
            attrs = self.store.get(VSWITCH, vsw)
            if attrs is None or (vpc_id and attrs.get("vpc_id", vpc_id) != vpc_id):
                raise ApiError(400, "InvalidParameter", f"vswitch {vsw} does not exist in vpc {vpc_id or '(none)'}")
        cluster_id = "c" + secrets.token_hex(16)
        now = _now()
        attrs = {"name": name, "cluster_type": "ExternalKubernetes", "region_id": region, "vpc_id": vpc_id,
                 "vswitch_ids": vswitch_ids, "state": WAITING, "created": now, "updated": now}
        self.store.put(REGISTERED, cluster_id, attrs, name=name, status=WAITING)
        return {"cluster_id": cluster_id, "request_id": request_id, "task_id": _task_id()}

    def describe_clusters_v1(self, *, query, body, request_id) -> dict:
        found = [c for c in self._all_cs_clusters()
                 if all(not query.get(k) or c[k] == query[k]
                        for k in ("name", "cluster_type", "cluster_id", "profile", "region_id"))]
        size = int(query.get("page_size") or 10)
        number = int(query.get("page_number") or 1)
        page = found[(number - 1) * size: number * size]
        return {"clusters": [_cs_view(c) for c in page],
                "page_info": {"page_number": number, "page_size": size, "total_count": len(found)}}

    def describe_cluster_detail(self, cluster_id, *, query, body, request_id) -> dict:
        return _cs_view(self._cs_cluster(cluster_id))

    def describe_external_agent(self, cluster_id, *, query, body, request_id) -> dict:
        cluster = self._cs_cluster(cluster_id)
        if cluster["cluster_type"] != "ExternalKubernetes":
            raise ApiError(400, "InvalidParameter",
                           f"cluster {cluster_id} is {cluster['cluster_type']}; the external agent "
                           "exists only for registered (ExternalKubernetes) clusters")
        return {"config": agent_manifest(cluster_id, cluster["region_id"],
                                         private=_truthy(query.get("PrivateIpAddress", "false")),
                                         agent_mode=query.get("AgentMode") or "admin")}

    def delete_cluster(self, cluster_id, *, query, body, request_id) -> dict:
        cluster = self._cs_cluster(cluster_id)
        for m in self.store.find(MEMBERSHIP, sub_cluster_id=cluster_id):
            self.store.delete(MEMBERSHIP, m["id"])
        self.store.delete(cluster["store_type"], cluster_id)
        return {"cluster_id": cluster_id, "request_id": request_id, "task_id": _task_id()}

    # -- ADCP (RPC) ------------------------------------------------------------------------

    def describe_hub_cluster_kubeconfig(self, params) -> dict:
        hub = self._hub(params.get("ClusterId", ""))
        return {"Kubeconfig": self._kubeconfig_for(HUB, hub["id"])}

    def attach_cluster_to_hub(self, params) -> dict:
        hub = self._hub(params.get("ClusterId", ""))
        members = _cluster_ids(params)
        for member_id in members:
            cluster = self._cs_cluster(member_id, rpc=True)
            if cluster["state"] != RUNNING:
                raise ApiError(400, "ClusterNotRunning",
                               f"cluster {member_id} is {cluster['state']}, not running; a registered "
                               "cluster runs once its ack-cluster-agent has connected")
        for member_id in members:
            self.store.put(MEMBERSHIP, f"{hub['id']}:{member_id}",
                           {"cluster_id": hub["id"], "sub_cluster_id": member_id}, status=ATTACHED)
        return {"ClusterId": hub["id"], "ManagedClusterIds": members, "TaskId": _task_id()}

    def detach_cluster_from_hub(self, params) -> dict:
        hub = self._hub(params.get("ClusterId", ""))
        members = _cluster_ids(params)
        for member_id in members:  # detaching a non-member is a no-op, like a repeated detach
            self.store.delete(MEMBERSHIP, f"{hub['id']}:{member_id}")
        return {"ClusterId": hub["id"], "ManagedClusterIds": members, "TaskId": _task_id()}

    def describe_managed_clusters(self, params) -> dict:
        hub = self._hub(params.get("ClusterId", ""), need_running=False)
        clusters = []
        for m in self.store.find(MEMBERSHIP, cluster_id=hub["id"]):
            member = self._find_cs_cluster(m["attrs"]["sub_cluster_id"])
            if member is None:  # deleted behind the hub's back: the real API drops it too
                continue
            clusters.append({
                "Cluster": {"ClusterID": member["id"], "Name": member["name"],
                            "ClusterType": member["cluster_type"], "Profile": member["profile"],
                            "State": member["state"], "Region": member["region_id"],
                            "VpcID": member["vpc_id"], "VSwitchID": ",".join(member["vswitch_ids"]),
                            "Created": member["created"], "Updated": member["updated"]},
                "Status": {"State": ATTACHED, "Message": ""},
                "MeshStatus": {"InMesh": False},
            })
        return {"Clusters": clusters}

    # -- store lookups ---------------------------------------------------------------------

    def _hub(self, hub_id: str, *, need_running: bool = True) -> dict:
        obj = _object(self.store, HUB, hub_id)
        if obj is None:
            raise ApiError(404, "Cluster.NotFound", f"The fleet (hub) cluster {hub_id!r} does not exist.")
        state = obj["attrs"].get("status") or obj["status"] or ""
        if need_running and state != RUNNING:
            raise ApiError(400, "ClusterNotRunning", f"The fleet (hub) cluster {hub_id} is {state or 'not ready'}, not running.")
        return obj

    def _cs_cluster(self, cluster_id: str, *, rpc: bool = False) -> dict:
        cluster = self._find_cs_cluster(cluster_id)
        if cluster is None:
            if rpc:
                raise ApiError(404, "Cluster.NotFound", f"The cluster {cluster_id!r} does not exist.")
            raise ApiError(404, "ErrorClusterNotFound", f"The cluster {cluster_id!r} does not exist.")
        return cluster

    def _find_cs_cluster(self, cluster_id: str) -> dict | None:
        for type_ in (REGISTERED, ASK):
            obj = _object(self.store, type_, cluster_id)
            if obj is not None:
                return self._normalise(obj)
        return None

    def _all_cs_clusters(self) -> list[dict]:
        return [self._normalise(o) for t in (REGISTERED, ASK) for o in self.store.list(t)]

    def _normalise(self, obj: dict) -> dict:
        """One view over registered clusters (ours) and ASK clusters (the Terraform provider's)."""
        a = obj["attrs"]
        if obj["type"] == REGISTERED:
            state = self._registered_state(obj)
            return {"store_type": REGISTERED, "id": obj["id"], "name": a["name"],
                    "cluster_type": "ExternalKubernetes", "profile": "Default", "state": state,
                    "region_id": a["region_id"], "vpc_id": a["vpc_id"], "vswitch_ids": a["vswitch_ids"],
                    "created": a["created"], "updated": a["updated"]}
        vswitch_ids = list(a.get("vswitch_ids") or [])
        vpc_id = a.get("vpc_id") or ""
        if not vpc_id and vswitch_ids:  # computed from the vSwitches, as the provider does
            vpc_id = (self.store.get(VSWITCH, vswitch_ids[0]) or {}).get("vpc_id", "")
        return {"store_type": ASK, "id": obj["id"], "name": a.get("name") or obj["name"] or "",
                "cluster_type": "ManagedKubernetes", "profile": a.get("profile") or "Serverless",
                "state": a.get("state") or obj["status"] or RUNNING,
                "region_id": a.get("region_id") or a.get("region") or "", "vpc_id": vpc_id,
                "vswitch_ids": vswitch_ids, "created": a.get("created", ""), "updated": a.get("updated", "")}

    def _registered_state(self, obj: dict) -> str:
        attrs = obj["attrs"]
        stored = attrs.get("state", WAITING)
        if self._agent_applied(obj["id"]):
            state = RUNNING
        else:
            state = DISCONNECTED if stored in (RUNNING, DISCONNECTED) else WAITING
        if state != stored:
            attrs.update(state=state, updated=_now())
            self.store.put(REGISTERED, obj["id"], attrs, name=attrs["name"], status=state)
        return state


def _cs_view(c: dict) -> dict:
    """A cluster in the CS response shape (DescribeClusterDetail / DescribeClustersV1 item)."""
    return {"cluster_id": c["id"], "name": c["name"], "cluster_type": c["cluster_type"],
            "profile": c["profile"], "state": c["state"], "region_id": c["region_id"],
            "vpc_id": c["vpc_id"], "vswitch_ids": c["vswitch_ids"], "vswitch_id": ",".join(c["vswitch_ids"]),
            "created": c["created"], "updated": c["updated"], "size": 0, "deletion_protection": False,
            "resource_group_id": "", "tags": [], "meta_data": "{}"}


def _object(store: CloudStore, type_: str, id_: str) -> dict | None:
    # store.get returns attrs only; memberships and hubs also need the status column
    return next((o for o in store.list(type_) if o["id"] == id_), None)


def _cluster_ids(params: dict) -> list[str]:
    raw = params.get("ClusterIds", "")
    try:
        ids = json.loads(raw)
    except ValueError:
        ids = None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ApiError(400, "InvalidParameter", f"ClusterIds must be a JSON list of cluster ids, got {raw!r}")
    return ids


def _task_id() -> str:
    return "T-" + secrets.token_hex(12)


def _authenticate(headers: dict[str, str], query: dict[str, str]) -> None:
    """Require what the SDK's signers send: V3 `Authorization: ACS3-... Credential=<AK>,...`,
    legacy ROA `Authorization: acs <AK>:<sig>`, or legacy RPC `AccessKeyId` + `Signature` in the query.
    Signatures are not verified: the sandbox does not know any secret."""
    auth = headers.get("authorization", "")
    access_key_id, signed = "", False
    if auth.startswith("ACS3-"):
        fields = dict(p.strip().partition("=")[::2] for p in auth.split(" ", 1)[-1].split(","))
        access_key_id, signed = fields.get("Credential", ""), bool(fields.get("Signature"))
    elif auth.startswith("acs "):
        access_key_id, _, signature = auth[4:].partition(":")
        signed = bool(signature)
    elif query.get("AccessKeyId"):
        access_key_id = query["AccessKeyId"]
        signed = bool(query.get("Signature") and query.get("SignatureMethod"))
    if not access_key_id:
        raise ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    if not signed:
        raise ApiError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")


def _form(headers: dict[str, str], body: bytes) -> dict[str, str]:
    if body and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {}


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body) if body else {}
    except ValueError:
        raise ApiError(400, "InvalidParameter", "request body is not valid JSON") from None
    return value if isinstance(value, dict) else {}


def _handler_for(server: OpenApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so no idle keep-alive thread outlives stop()

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, payload = server.handle(self.command, self.path, headers, body)
            except Exception as e:  # a bug here must reach the client as a server error, not a hang
                status, payload = 500, {"code": "InternalError", "message": f"sandbox emulation: {e!r}"}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json;charset=utf-8")
            self.send_header("content-length", str(len(data)))
            request_id = payload.get("RequestId") or payload.get("requestId") or payload.get("request_id")
            if request_id:
                self.send_header("x-acs-request-id", request_id)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines carry cluster ids only, but keep test and CLI output clean

    return Handler
