"""Multi-cluster Services among the members of one ACK One fleet.

ServiceExport/ServiceImport (multicluster.x-k8s.io/v1alpha1): a ServiceExport S in a member
where Service S exists exports it; a ServiceImport S (same namespace) in another member gets a
Service `amcs-S` there (ClusterIP, the import's ports, no selector), annotated with the provider
clusters. MultiClusterService (on the hub): the same-name Service S in each consumer cluster,
backed by the provider clusters.
"""

from __future__ import annotations

from ..clusters import Cluster
from ..errors import ApiError
from ..objects import timestamp
from ..resources import MULTI_CLUSTER_SERVICE, SERVICE, SERVICE_EXPORT, SERVICE_IMPORT
from .common import MCS_OWNER, MCS_PROVIDER_KEYS, MCS_PROVIDERS, Env, condition, ensure_namespace, set_status

MANAGER = "ack-one-mcs"
PREFIX = "amcs-"


def _ports(ports: list | None) -> list[dict]:
    out = []
    for p in ports or []:
        port = {"port": p.get("port"), "protocol": p.get("protocol", "TCP")}
        if p.get("name"):
            port["name"] = p["name"]
        out.append(port)
    return out


def _service(name: str, ns: str, ports: list[dict], providers: list[tuple[str, Cluster]], extra: dict) -> dict:
    annotations = {MCS_PROVIDERS: ",".join(pid for pid, _ in providers),
                   MCS_PROVIDER_KEYS: ",".join(c.key for _, c in providers), **extra}
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "annotations": annotations},
            "spec": {"type": "ClusterIP", "ports": ports}}


def _put_service(env: Env, consumer: Cluster, body: dict) -> None:
    co = env.objects(consumer)
    ns = body["metadata"]["namespace"]
    try:
        ensure_namespace(co, ns, MANAGER)
        co.apply(SERVICE, ns, body["metadata"]["name"], body, manager=MANAGER, force=True)
    except ApiError:
        pass


def reconcile(env: Env, hub: Cluster) -> set[tuple[str, str, str]]:
    """Returns the (cluster key, namespace, name) of every Service this fleet wants to exist."""
    members = [(mid, c) for mid, c in env.directory.members(hub).items() if c is not None]
    now = timestamp()
    wanted: set[tuple[str, str, str]] = set()

    exported: dict[tuple[str, str], list[tuple[str, Cluster, dict]]] = {}
    for mid, c in members:
        co = env.objects(c)
        for se in co.list(SERVICE_EXPORT):
            ns, name = se["metadata"]["namespace"], se["metadata"]["name"]
            svc = co.find(SERVICE, ns, name)
            old = (se.get("status") or {}).get("conditions")
            if svc is None:
                conds = [condition("Valid", False, "ServiceNotFound", f'Service "{name}" not found', old, now),
                         condition("Exported", False, "ServiceNotFound", "nothing to export", old, now)]
            else:
                exported.setdefault((ns, name), []).append((mid, c, svc))
                conds = [condition("Valid", True, "ServiceFound", "the Service is exportable", old, now),
                         condition("Exported", True, "Exported", f"exported by cluster {mid}", old, now)]
            set_status(co, SERVICE_EXPORT, se, {"conditions": conds}, MANAGER)

    for mid, c in members:
        co = env.objects(c)
        for si in co.list(SERVICE_IMPORT):
            ns, name = si["metadata"]["namespace"], si["metadata"]["name"]
            providers = [(pid, pc) for pid, pc, _ in exported.get((ns, name), []) if pc.key != c.key]
            old = (si.get("status") or {}).get("conditions")
            if providers:
                ports = _ports((si.get("spec") or {}).get("ports")) or \
                    _ports((exported[(ns, name)][0][2].get("spec") or {}).get("ports"))
                _put_service(env, c, _service(PREFIX + name, ns, ports, providers, {}))
                wanted.add((c.key, ns, PREFIX + name))
                status = {"clusters": [{"cluster": pid} for pid, _ in providers],
                          "conditions": [condition("Ready", True, "Imported",
                                                   f'Service "{PREFIX}{name}" serves it', old, now)]}
            else:
                status = {"conditions": [condition("Ready", False, "NoExport",
                                                   f'no other member cluster exports Service "{name}"', old, now)]}
            set_status(co, SERVICE_IMPORT, si, status, MANAGER)

    hub_co = env.objects(hub)
    by_id = dict(members)
    for mcs in hub_co.list(MULTI_CLUSTER_SERVICE):
        ns, name = mcs["metadata"]["namespace"], mcs["metadata"]["name"]
        spec = mcs.get("spec") or {}
        ids = lambda key: [str(e.get("name") if isinstance(e, dict) else e) for e in spec.get(key) or []]
        providers = []
        for pid in ids("providerClusters"):
            pc = by_id.get(pid)
            svc = env.objects(pc).find(SERVICE, ns, name) if pc else None
            if svc is not None:
                providers.append((pid, pc, svc))
        problems = [f"cluster {cid} is not a connected member" for cid in ids("providerClusters") + ids("consumerClusters")
                    if cid not in by_id]
        if not providers:
            problems.append(f'no provider cluster has Service "{name}"')
        placed = []
        for cid in ids("consumerClusters"):
            cc = by_id.get(cid)
            if cc is None or not providers:
                continue
            backing = [(pid, pc) for pid, pc, _ in providers if pc.key != cc.key]
            if not backing:
                continue
            existing = env.objects(cc).find(SERVICE, ns, name)
            owner = f"{hub.key}/{ns}/{name}"
            if existing is not None and (existing["metadata"].get("annotations") or {}).get(MCS_OWNER) != owner:
                problems.append(f'cluster {cid} already has its own Service "{name}"')
                continue
            body = _service(name, ns, _ports(providers[0][2]["spec"].get("ports")), backing, {MCS_OWNER: owner})
            _put_service(env, cc, body)
            wanted.add((cc.key, ns, name))
            placed.append(cid)
        old = (mcs.get("status") or {}).get("conditions")
        status = {"consumerClusters": [{"name": cid} for cid in placed],
                  "conditions": [condition("Ready", not problems, "Synced" if not problems else "Failed",
                                           "; ".join(problems), old, now)]}
        set_status(hub_co, MULTI_CLUSTER_SERVICE, mcs, status, MANAGER)
    return wanted


def collect_garbage(env: Env, wanted: set[tuple[str, str, str]]) -> None:
    """Delete fleet-made Services (amcs-* or MultiClusterService copies) no fleet wants."""
    workload = {c.key: c for c in env.workload_clusters()}
    for key, grp, plural, ns, name, obj in env.kube.find_text(MCS_PROVIDER_KEYS):
        if key not in workload or (grp, plural) != ("", "services"):
            continue
        if MCS_PROVIDER_KEYS in (obj["metadata"].get("annotations") or {}) and (key, ns, name) not in wanted:
            try:
                env.objects(workload[key]).delete(SERVICE, ns, name)
            except ApiError:
                pass
