"""What every controller sees during one reconcile pass."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ...store import CloudStore
from ..clusters import Cluster, Directory
from ..errors import ApiError
from ..objects import ClusterObjects
from ..resources import NAMESPACE, ResourceType
from ..storage import KubeStore

log = logging.getLogger("crosscloud.sandbox.kube")

# Annotations the sandbox's fleet controllers put on what they create, so they can find it again.
PLACED_BY = "sandbox.crosscloud.dev/placed-by"
MCS_PROVIDERS = "sandbox.crosscloud.dev/mcs-provider-clusters"
MCS_PROVIDER_KEYS = "sandbox.crosscloud.dev/mcs-provider-keys"
MCS_OWNER = "sandbox.crosscloud.dev/mcs-owner"


@dataclass
class Env:
    cloud: CloudStore
    kube: KubeStore
    delay: float
    now: float
    directory: Directory = field(init=False)
    wake_at: float | None = None      # earliest time a time-based change is due

    def __post_init__(self):
        self.directory = Directory(self.cloud, self.kube)

    def objects(self, cluster: Cluster) -> ClusterObjects:
        return ClusterObjects(self.kube, cluster)

    def wake(self, at: float) -> None:
        self.wake_at = at if self.wake_at is None else min(self.wake_at, at)

    def workload_clusters(self) -> list[Cluster]:
        """Clusters that run Pods: everything but fleet hubs (a Fleet instance has no nodes)."""
        return [c for c in self.directory.clusters.values() if not c.is_hub]


def ensure_namespace(co: ClusterObjects, name: str, manager: str) -> None:
    if co.find(NAMESPACE, "", name) is None:
        try:
            co.create(NAMESPACE, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                      manager=manager)
        except ApiError as exc:
            if exc.reason != "AlreadyExists":
                raise


def set_status(co: ClusterObjects, rt: ResourceType, obj: dict, status: dict, manager: str) -> None:
    """Write `status` unless it is what the object already has (no-op writes bump nothing)."""
    if obj.get("status") == status:
        return
    body = dict(obj, status=status)
    try:
        co.replace(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], body, manager=manager,
                   subresource="status")
    except ApiError as exc:       # changed or deleted meanwhile: the next pass redoes it
        log.debug("status of %s/%s not written: %s", rt.kind, obj["metadata"]["name"], exc.message)


def condition(type_: str, ok: bool, reason: str, message: str, previous: list | None, now: str) -> dict:
    """A condition that keeps its lastTransitionTime while its status does not change."""
    status = "True" if ok else "False"
    old = next((c for c in previous or [] if c.get("type") == type_), None)
    since = old["lastTransitionTime"] if old and old.get("status") == status and old.get("lastTransitionTime") else now
    return {"type": type_, "status": status, "reason": reason, "message": message, "lastTransitionTime": since}
