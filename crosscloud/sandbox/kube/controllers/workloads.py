"""Deployments run Pods (one per replica) that turn Running after the sandbox delay."""

from __future__ import annotations

import copy
import hashlib
import json

from ..clusters import Cluster
from ..errors import ApiError
from ..objects import timestamp
from ..resources import DEPLOYMENT, POD
from .common import Env, condition, log, set_status

MANAGER = "kube-controller-manager"
_ALNUM = "bcdfghjklmnpqrstvwxz2456789"   # the alphabet Kubernetes uses for generated suffixes


def template_hash(template: dict) -> str:
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


def _suffix(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:5])


def _node_name(cluster: Cluster) -> str:
    if cluster.flavour == "gke":
        return f"gke-{cluster.name}-default-pool-{hashlib.sha256(cluster.key.encode()).hexdigest()[:8]}-x1k2"
    if cluster.node_kind == "ecs":                  # an ACK node pool's ECS node
        return f"cn-node-{cluster.key[-8:]}"
    return "virtual-kubelet-" + cluster.key[-8:]    # ASK / ACS / ACK virtual nodes: pods on ECI


def reconcile(env: Env, cluster: Cluster) -> None:
    co = env.objects(cluster)
    deployments = co.list(DEPLOYMENT)
    pod_rows = env.kube.list_rows(cluster.key, POD.group, POD.plural)
    by_owner: dict[str, list[tuple[dict, float]]] = {}
    for pod, created in pod_rows:
        for ref in pod["metadata"].get("ownerReferences") or []:
            if ref.get("kind") == "Deployment":
                by_owner.setdefault(ref.get("uid"), []).append((pod, created))

    live_uids = {d["metadata"]["uid"] for d in deployments}
    for uid, pods in by_owner.items():           # garbage-collect pods of deleted deployments
        if uid not in live_uids:
            for pod, _ in pods:
                _delete(co, pod)

    for d in deployments:
        _reconcile_deployment(env, co, cluster, d, by_owner.get(d["metadata"]["uid"], []))


def _delete(co, pod: dict) -> None:
    try:
        co.delete(POD, pod["metadata"]["namespace"], pod["metadata"]["name"])
    except ApiError:
        pass


def _reconcile_deployment(env: Env, co, cluster: Cluster, d: dict, pods: list[tuple[dict, float]]) -> None:
    meta, spec = d["metadata"], d.get("spec") or {}
    ns, name = meta["namespace"], meta["name"]
    template = spec.get("template") or {}
    h = template_hash(template)
    want = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)

    current = [(p, c) for p, c in pods if (p["metadata"].get("labels") or {}).get("pod-template-hash") == h]
    for p, _ in pods:
        if (p["metadata"].get("labels") or {}).get("pod-template-hash") != h:
            _delete(co, p)                      # the template changed: replace every old pod
    current.sort(key=lambda pc: pc[0]["metadata"]["name"])
    while len(current) > want:
        _delete(co, current.pop()[0])
    taken = {p["metadata"]["name"] for p, _ in current}
    i = 0
    while len(current) < want:
        seed = meta["uid"] + f"/{h}/{i}"
        pod_name = f"{name}-{h}-{_suffix(seed)}"
        i += 1
        if pod_name in taken:
            continue
        taken.add(pod_name)
        created = _create_pod(co, cluster, d, h, pod_name)
        if created is not None:
            current.append((created, env.now))

    ready = 0
    for pod, created_at in current:
        if not cluster.schedulable:                 # an ACK cluster with no nodes: pods wait
            _unschedulable(co, pod)
            continue
        if pod.get("status", {}).get("phase") == "Running":
            ready += 1
        elif env.now - created_at >= env.delay:
            _start_pod(co, cluster, pod, created_at)
            ready += 1
        else:
            env.wake(created_at + env.delay)
    _write_status(co, d, want, len(current), ready)


def _create_pod(co, cluster: Cluster, d: dict, h: str, pod_name: str) -> dict | None:
    template = copy.deepcopy(d["spec"].get("template") or {})
    labels = dict((template.get("metadata") or {}).get("labels") or {}, **{"pod-template-hash": h})
    pod_spec = template.get("spec") or {}
    pod_spec.setdefault("restartPolicy", "Always")
    pod_spec.setdefault("dnsPolicy", "ClusterFirst")
    pod_spec.setdefault("serviceAccountName", pod_spec.get("serviceAccountName") or "default")
    if cluster.schedulable:
        pod_spec["nodeName"] = _node_name(cluster)
    body = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": pod_name, "namespace": d["metadata"]["namespace"], "labels": labels,
            "annotations": dict((template.get("metadata") or {}).get("annotations") or {}),
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": d["metadata"]["name"],
                                 "uid": d["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": pod_spec,
        "status": {"phase": "Pending", "qosClass": "BestEffort",
                   "conditions": [{"type": "PodScheduled", "status": "True"}]},
    }
    try:
        return co.create(POD, d["metadata"]["namespace"], body, manager=MANAGER, keep_status=True)
    except ApiError as exc:
        log.debug("pod %s not created: %s", pod_name, exc.message)
        return None


def _unschedulable(co, pod: dict) -> None:
    status = {"phase": "Pending", "qosClass": "BestEffort",
              "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                              "message": "0/0 nodes are available: no nodes in the cluster (add a node pool "
                                         "or the ack-virtual-node addon)."}]}
    set_status(co, POD, pod, status, MANAGER)


def _start_pod(co, cluster: Cluster, pod: dict, created_at: float) -> None:
    started = timestamp(created_at)
    containers = pod.get("spec", {}).get("containers") or []
    status = {
        "phase": "Running", "qosClass": "BestEffort",
        "podIP": co.allocate_ip("pod"), "hostIP": _host_ip(cluster), "startTime": started,
        "conditions": [{"type": t, "status": "True", "lastTransitionTime": started}
                       for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
        "containerStatuses": [{
            "name": c.get("name", "app"), "image": c.get("image", ""), "imageID": "",
            "ready": True, "started": True, "restartCount": 0,
            "containerID": "containerd://" + hashlib.sha256((pod["metadata"]["uid"] + c.get("name", "")).encode()).hexdigest(),
            "state": {"running": {"startedAt": started}},
        } for c in containers],
    }
    status["podIPs"] = [{"ip": status["podIP"]}]
    set_status(co, POD, pod, status, MANAGER)


def _host_ip(cluster: Cluster) -> str:
    # A node address inside the cluster's VPC-ish range; only shown, never dialled.
    return "192.168.1.10" if cluster.flavour != "gke" else "10.146.0.10"


def _write_status(co, d: dict, want: int, have: int, ready: int) -> None:
    old = d.get("status") or {}
    now = timestamp()
    available = ready >= want
    conds = [
        condition("Available", available, "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                  "Deployment has minimum availability." if available else
                  "Deployment does not have minimum availability.", old.get("conditions"), now),
        condition("Progressing", True, "NewReplicaSetAvailable" if available else "ReplicaSetUpdated",
                  f'ReplicaSet "{d["metadata"]["name"]}-{template_hash(d["spec"].get("template") or {})}" '
                  + ("has successfully progressed." if available else "is progressing."),
                  old.get("conditions"), now),
    ]
    for c in conds:
        c["lastUpdateTime"] = c["lastTransitionTime"]
    status = {"observedGeneration": d["metadata"].get("generation", 1), "replicas": have,
              "updatedReplicas": have, "conditions": conds}
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    if have - ready > 0:
        status["unavailableReplicas"] = have - ready
    set_status(co, DEPLOYMENT, d, status, MANAGER)


def deployment_available(d: dict | None) -> bool:
    if not d:
        return False
    want = (d.get("spec") or {}).get("replicas", 1)
    st = d.get("status") or {}
    return st.get("observedGeneration") == d["metadata"].get("generation") and \
        st.get("availableReplicas", 0) >= max(want, 1 if want else 0)
