"""Which clusters exist (read from the sandbox CloudStore), their URL keys, tokens and fleets.

A cluster's key is the path segment under `/clusters/`: Alibaba ids (`c` + 32 hex) are URL-safe
and used as they are; a GKE id (`projects/<p>/locations/<l>/clusters/<name>`) becomes
`gke-<name>`. A registered cluster (`cs_registered_cluster`) has no API server of its own: its
key is an alias of the cluster that runs its `ack-cluster-agent` (the GKE cluster), as the real
registered-cluster endpoint proxies to the agent.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..store import CloudStore
from .storage import KubeStore

ASK = "alicloud_cs_managed_kubernetes"
GKE = "google_container_cluster"
HUB = "alicloud_ack_one_cluster"
REGISTERED = "cs_registered_cluster"
MEMBERSHIP = "alicloud_ack_one_membership_attachment"

# Store types that run an API server, and what kind of cluster each is.
SERVED_TYPES = {
    ASK: "ask",
    "alicloud_cs_serverless_kubernetes": "ask",
    "alicloud_cs_kubernetes": "ack",
    GKE: "gke",
    HUB: "hub",
}
VERSIONS = {"gke": "v1.33.4-gke.1172000", "ask": "v1.33.3-aliyun.1", "acs": "v1.33.3-aliyun.1",
            "ack": "v1.33.3-aliyun.1", "hub": "v1.33.3-aliyun.1"}
# alicloud_cs_managed_kubernetes: the profile decides what the cluster is and where pods get IPs.
#   Serverless (ASK), Acs (ACS): every pod has its own ENI in the cluster's vSwitches (VPC IPs).
#   Default (ACK) with Terway: pod IPs from the pod vSwitches (VPC IPs); pods need capacity, an
#   ECS node pool with nodes or virtual nodes (the ack-virtual-node addon, ECI).
PROFILE_FLAVOURS = {"Serverless": "ask", "Acs": "acs", "Default": "ack"}
NODE_POOL = "alicloud_cs_kubernetes_node_pool"
VIRTUAL_NODE_ADDON = "ack-virtual-node"

SECRET_FILE = "kube-secret"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def cluster_key(store_type: str, cluster_id: str) -> str:
    """The stable, URL-safe key of a cluster: its id, or `gke-<name>` for GKE's path-shaped ids."""
    if store_type == GKE or "/" in cluster_id:
        return "gke-" + cluster_id.rstrip("/").rsplit("/", 1)[-1]
    if not _SAFE.match(cluster_id):
        return "k-" + hashlib.sha256(cluster_id.encode()).hexdigest()[:16]
    return cluster_id


def _secret(sandbox_dir: Path) -> bytes:
    path = Path(sandbox_dir) / SECRET_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode()
    # Publish the file whole (write aside, then link): a process that loses the race must
    # never read a half-written secret.
    tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(value)
    try:
        os.link(tmp, path)
    except FileExistsError:           # another process won the race: use its secret
        value = path.read_bytes().strip()
    finally:
        tmp.unlink()
    return value


def cluster_token(sandbox_dir: Path, cluster_id: str, expires: float | None = None) -> str:
    """The bearer token of one cluster: an HMAC of its id under the per-sandbox secret; with
    `expires` (epoch seconds) a temporary one, like the ASK/ACS kubeconfigs that
    alicloud_cs_cluster_credential issues for temporary_duration_minutes."""
    if expires is None:
        digest = hmac.new(_secret(sandbox_dir), cluster_id.encode(), hashlib.sha256).hexdigest()
        return "ccsb." + digest[:48]
    stamp = str(int(expires))
    digest = hmac.new(_secret(sandbox_dir), f"{cluster_id}\0{stamp}".encode(), hashlib.sha256).hexdigest()
    return f"ccsbt.{stamp}.{digest[:40]}"


def token_error(sandbox_dir: Path, cluster_id: str, token: str, now: float) -> str | None:
    """None if `token` opens `cluster_id` at time `now`, else why not."""
    if token and hmac.compare_digest(token, cluster_token(sandbox_dir, cluster_id)):
        return None
    parts = token.split(".")
    if len(parts) == 3 and parts[0] == "ccsbt" and parts[1].isdigit():
        if not hmac.compare_digest(token, cluster_token(sandbox_dir, cluster_id, int(parts[1]))):
            return "invalid bearer token"
        if int(parts[1]) <= now:
            return "the credential has expired"
        return None
    return "invalid bearer token"


@dataclass(frozen=True)
class Cluster:
    key: str
    store_type: str
    id: str
    name: str
    flavour: str                 # ask | acs | ack | gke | hub
    pod_cidr: str
    service_cidr: str
    version: str
    schedulable: bool = True     # False: an ACK cluster with no nodes and no virtual nodes
    node_kind: str = ""          # "virtual" (ECI), "ecs" (node pool) or "" (GKE's own nodes)

    @property
    def is_hub(self) -> bool:
        return self.flavour == "hub"


def _first(attrs: dict, *paths: str) -> str | None:
    for path in paths:
        value = attrs
        for part in path.split("."):
            if isinstance(value, list):
                value = value[0] if value else None
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value:
            try:
                ipaddress.ip_network(value, strict=False)
                return value
            except ValueError:
                continue
    return None


def _default_pod_cidr(key: str) -> str:
    # Pod range unknown (ASK with Terway has none): a stable 10.x/16 per cluster.
    n = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return f"10.{64 + n % 128}.0.0/16"


def _alibaba_pods(attrs: dict, flavour: str, vswitches: dict[str, dict], pools: list[dict]) -> tuple[str | None, bool, str]:
    """(pod range, schedulable, node kind) of an ACK-family cluster, per its profile."""
    def cidr(ids) -> str | None:
        return next(((vswitches.get(v) or {}).get("cidr_block") for v in ids or [] if vswitches.get(v)), None)

    if flavour in ("ask", "acs"):
        return cidr(attrs.get("vswitch_ids")), True, "virtual"
    addons = {a.get("name") for a in attrs.get("addons") or [] if isinstance(a, dict) and not a.get("disabled")}
    virtual = VIRTUAL_NODE_ADDON in addons
    nodes = any(int(str(p.get("desired_size") or 0) or 0) > 0 for p in pools)
    pod = cidr(attrs.get("pod_vswitch_ids")) or attrs.get("pod_cidr")
    return pod, virtual or nodes, "ecs" if nodes else ("virtual" if virtual else "")


def _to_cluster(obj: dict, vswitches: dict[str, dict] | None = None, pools: list[dict] | None = None) -> Cluster:
    attrs, type_ = obj["attrs"], obj["type"]
    flavour = SERVED_TYPES[type_]
    key = cluster_key(type_, obj["id"])
    pod = _first(attrs, "pod_cidr", "cluster_ipv4_cidr", "ip_allocation_policy.cluster_ipv4_cidr_block")
    schedulable, node_kind = True, ""
    if type_ == ASK:
        flavour = PROFILE_FLAVOURS.get(attrs.get("profile") or "Default", "ack")
        pod, schedulable, node_kind = _alibaba_pods(attrs, flavour, vswitches or {}, [
            p for p in pools or [] if p.get("cluster_id") == obj["id"]])
    svc = _first(attrs, "service_cidr", "services_ipv4_cidr", "ip_allocation_policy.services_ipv4_cidr_block")
    name = attrs.get("name") or attrs.get("cluster_name") or obj.get("name") or obj["id"].rsplit("/", 1)[-1]
    version = attrs.get("master_version") or attrs.get("version") or VERSIONS[flavour]
    if not str(version).startswith("v"):
        version = "v" + str(version)
    return Cluster(key, type_, obj["id"], name, flavour, pod or _default_pod_cidr(key),
                   svc or ("172.21.0.0/20" if flavour != "gke" else "10.44.0.0/20"), str(version),
                   schedulable, node_kind)


class Directory:
    """A view of the clouds' clusters for one request or one reconcile pass."""

    def __init__(self, cloud: CloudStore, kube: KubeStore):
        self.cloud, self.kube = cloud, kube
        self.clusters: dict[str, Cluster] = {}
        vswitches = {o["id"]: o["attrs"] for o in cloud.list("alicloud_vswitch")}
        pools = [o["attrs"] for o in cloud.list(NODE_POOL)]
        for type_ in SERVED_TYPES:
            for obj in cloud.list(type_):
                c = _to_cluster(obj, vswitches, pools)
                self.clusters[c.key] = c
        self.registered = {o["id"]: o for o in cloud.list(REGISTERED)}
        self.agents = kube.agents()
        self.memberships = [o["attrs"] for o in cloud.list(MEMBERSHIP)]

    def resolve(self, key: str) -> tuple[Cluster | None, str | None, str | None]:
        """(cluster, the id the caller addressed, why it is unavailable) for a URL key."""
        if key in self.clusters:
            c = self.clusters[key]
            return c, c.id, None
        if key in self.registered:
            backing = self.backing(key)
            if backing is None:
                return None, key, (f"registered cluster {key} is not connected: its ack-cluster-agent "
                                   "is not running in any cluster")
            return backing, key, None
        return None, None, None

    def backing(self, registered_id: str) -> Cluster | None:
        agent = self.agents.get(registered_id)
        return self.clusters.get(agent[0]) if agent else None

    def hubs(self) -> list[Cluster]:
        return [c for c in self.clusters.values() if c.is_hub]

    def members(self, hub: Cluster) -> dict[str, Cluster | None]:
        """Fleet member id → the cluster holding its objects (None: registered but not connected)."""
        out: dict[str, Cluster | None] = {}
        for m in self.memberships:
            if m.get("cluster_id") != hub.id or not m.get("sub_cluster_id"):
                continue
            member_id = m["sub_cluster_id"]
            if member_id in self.registered:
                out[member_id] = self.backing(member_id)
            else:
                out[member_id] = next((c for c in self.clusters.values() if c.id == member_id), None)
        return out

    def why_not_member(self, hub: Cluster, cluster_id: str) -> str | None:
        """None if `cluster_id` is a connected member of `hub`, else the reason it cannot be used."""
        members = self.members(hub)
        if cluster_id not in members:
            known = cluster_id in self.registered or any(c.id == cluster_id for c in self.clusters.values())
            if not known:
                return f"cluster {cluster_id} not found"
            return f"cluster {cluster_id} is not a member of fleet {hub.id}"
        if members[cluster_id] is None:
            return f"cluster {cluster_id} is not connected (its ack-cluster-agent is not running)"
        return None


def backing_cluster(sandbox_dir: Path | str, registered_id: str) -> str | None:
    """The key of the cluster running the agent of registered cluster `registered_id`, if any."""
    path = Path(sandbox_dir) / "kube.db"
    if not path.exists():
        return None
    agent = KubeStore(path).agents().get(registered_id)
    return agent[0] if agent else None
