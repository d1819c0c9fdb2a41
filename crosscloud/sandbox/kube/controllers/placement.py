"""Fleet placement on an ACK One hub: KubeVela Applications and ACK One propagation policies.

An Application's `ref-objects` components name hub objects (in the Application's namespace);
its `topology` policies name member clusters by id. A PropagationPolicy selects hub objects by
apiVersion/kind/name (or labels) and places them on `placement.clusterAffinity.clusterIds`
(`clusterNames`, Karmada's spelling, is read too). Copies are server-side applied into each
member (creating the namespace first) and carry a `placed-by` annotation; copies no longer
wanted by any owner are deleted, which is how deleting an Application removes what it placed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ..clusters import Cluster
from ..errors import ApiError
from ..objects import timestamp
from ..resources import APPLICATION, OVERRIDE_POLICIES, PROPAGATION_POLICIES, ResourceType
from ..selectors import match_labels
from . import overrides
from .common import PLACED_BY, Env, condition, ensure_namespace, log, set_status

MANAGER = "kubevela"
POLICY_MANAGER = "ack-one-fleet"
DROP_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


@dataclass
class Want:
    owner: str                     # "<hub key>/<Kind>/<namespace>/<name>"
    labels: dict
    rt: ResourceType
    source: dict
    cluster_id: str = ""           # set for policy placements: OverridePolicies apply to those


@dataclass
class Plan:
    wants: dict[str, list[Want]] = field(default_factory=dict)      # target cluster key -> copies

    def add(self, target: Cluster, want: Want) -> None:
        self.wants.setdefault(target.key, []).append(want)


def _resolve_targets(env: Env, hub: Cluster, ids: list[str]) -> tuple[list[tuple[str, Cluster]], list[str]]:
    targets, problems = [], []
    members = env.directory.members(hub)
    for cid in ids:
        why = env.directory.why_not_member(hub, cid)
        if why:
            problems.append(why)
        else:
            targets.append((cid, members[cid]))
    return targets, problems


def _app_clusters(app: dict, members: dict) -> list[str]:
    ids: list[str] = []
    for p in (app.get("spec") or {}).get("policies") or []:
        if p.get("type") != "topology":
            continue
        props = p.get("properties") or {}
        ids += [str(c) for c in props.get("clusters") or []]
        if "clusterLabelSelector" in props and not props["clusterLabelSelector"]:
            ids += list(members)            # an empty selector picks every member
    return list(dict.fromkeys(ids))


def _plan_application(env: Env, hub: Cluster, app: dict, plan: Plan) -> None:
    co = env.objects(hub)
    meta = app["metadata"]
    ns, name = meta["namespace"], meta["name"]
    owner = f"{hub.key}/Application/{ns}/{name}"
    labels = {"app.oam.dev/name": name, "app.oam.dev/namespace": ns}
    problems, sources = [], []
    catalogue = co.catalogue()
    for comp in (app.get("spec") or {}).get("components") or []:
        if comp.get("type") != "ref-objects":
            problems.append(f'component "{comp.get("name")}": type "{comp.get("type")}" is not supported by the sandbox')
            continue
        for ref in (comp.get("properties") or {}).get("objects") or []:
            rt = catalogue.by_name(str(ref.get("resource", "")))
            if rt is None:
                problems.append(f'resource "{ref.get("resource")}" is not known on the hub')
                continue
            src = co.find(rt, ref.get("namespace") or ns, str(ref.get("name", "")))
            if src is None:
                problems.append(f'{rt.qualified} "{ref.get("name")}" not found in namespace "{ref.get("namespace") or ns}"')
                continue
            sources.append((rt, src, dict(labels, **{"app.oam.dev/component": comp.get("name", "")})))
    clusters = _app_clusters(app, env.directory.members(hub))
    if not clusters:
        problems.append("no topology policy names a cluster")
    targets, bad = _resolve_targets(env, hub, clusters)
    problems += bad
    applied = []
    for cid, target in targets:
        for rt, src, lbl in sources:
            plan.add(target, Want(owner, lbl, rt, src))
            applied.append({"cluster": cid, "creator": "workflow", "apiVersion": rt.api_version, "kind": rt.kind,
                            "namespace": src["metadata"].get("namespace", ""), "name": src["metadata"]["name"]})
    old = app.get("status") or {}
    ok = not problems
    message = "; ".join(problems)
    status = {
        "status": "running" if ok else "runningWorkflow",
        "observedGeneration": meta.get("generation", 1),
        "appliedResources": applied,
        "services": [{"name": comp.get("name", ""), "namespace": ns, "cluster": cid, "healthy": ok}
                     for cid, _ in targets for comp in (app.get("spec") or {}).get("components") or []],
        "workflow": {"mode": "DAG-DAG", "finished": ok, "suspend": False, "terminated": False,
                     "message": message},
        "conditions": [condition("Ready", ok, "Running" if ok else "WorkflowFailed", message,
                                 old.get("conditions"), timestamp())],
    }
    set_status(co, APPLICATION, app, status, MANAGER)


def _plan_policy(env: Env, hub: Cluster, rt_policy: ResourceType, policy: dict, plan: Plan) -> None:
    co = env.objects(hub)
    catalogue = co.catalogue()
    meta, spec = policy["metadata"], policy.get("spec") or {}
    pns = meta.get("namespace", "")
    owner = f"{hub.key}/{rt_policy.kind}/{pns}/{meta['name']}"
    affinity = (spec.get("placement") or {}).get("clusterAffinity") or {}
    ids = [str(c) for c in (affinity.get("clusterIds") or affinity.get("clusterNames") or [])]
    targets, _problems = _resolve_targets(env, hub, ids)
    for sel in spec.get("resourceSelectors") or []:
        rt = catalogue.by_kind(str(sel.get("apiVersion", "")), str(sel.get("kind", "")))
        if rt is None:
            continue
        ns = pns if rt_policy.namespaced else (sel.get("namespace") or None)
        if sel.get("name"):
            found = co.find(rt, ns or "", sel["name"])
            candidates = [found] if found else []
        else:
            candidates = [o for o in co.list(rt, ns) if match_labels(sel.get("labelSelector"),
                                                                      o["metadata"].get("labels"))]
        for src in candidates:
            for cid, target in targets:
                plan.add(target, Want(owner, {}, rt, src, cluster_id=cid))


def _copy(want: Want) -> dict:
    src = want.source
    meta = src["metadata"]
    out = {k: copy.deepcopy(v) for k, v in src.items() if k not in ("metadata", "status")}
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in DROP_ANNOTATIONS}
    annotations[PLACED_BY] = want.owner
    out["metadata"] = {"name": meta["name"], "labels": dict(meta.get("labels") or {}, **want.labels),
                       "annotations": annotations}
    if meta.get("namespace"):
        out["metadata"]["namespace"] = meta["namespace"]
    if src.get("kind") == "Service":         # the member allocates its own ClusterIP
        for k in ("clusterIP", "clusterIPs"):
            out.get("spec", {}).pop(k, None)
    return out


def reconcile(env: Env, hub: Cluster) -> None:
    co = env.objects(hub)
    plan = Plan()
    for app in co.list(APPLICATION):
        _plan_application(env, hub, app, plan)
    for rt in PROPAGATION_POLICIES:
        for policy in co.list(rt):
            _plan_policy(env, hub, rt, policy, plan)

    overriding = [(rt.namespaced, p) for rt in OVERRIDE_POLICIES for p in co.list(rt)]
    members = {c.key: c for c in env.directory.members(hub).values() if c is not None}
    for key, wants in plan.wants.items():
        target = members[key]
        tco = env.objects(target)
        tcat = tco.catalogue()
        for want in wants:
            body = _copy(want)
            if want.cluster_id and overriding:
                body = overrides.apply(body, want.source, want.cluster_id, overriding)
            trt = tcat.by_kind(body["apiVersion"], body["kind"])
            if trt is None:
                log.info("%s: %s %s is not served by cluster %s", want.owner, body["apiVersion"], body["kind"], key)
                continue
            ns = body["metadata"].get("namespace", "")
            try:
                if trt.namespaced:
                    ensure_namespace(tco, ns, MANAGER)
                tco.apply(trt, ns, body["metadata"]["name"], body, manager=MANAGER, force=True)
            except ApiError as exc:
                log.info("%s: placing %s/%s in %s failed: %s", want.owner, ns, body["metadata"]["name"], key, exc.message)

    # Remove copies this hub placed that nobody wants any more.
    wanted = {(key, w.rt.group, w.rt.plural, w.source["metadata"].get("namespace", ""), w.source["metadata"]["name"])
              for key, ws in plan.wants.items() for w in ws}
    workload = {c.key: c for c in env.workload_clusters()}
    for key, grp, plural, ns, name, obj in env.kube.find_text(PLACED_BY):
        owner = (obj["metadata"].get("annotations") or {}).get(PLACED_BY, "")
        if key not in workload or not owner.startswith(hub.key + "/") or grp == "" and plural == "namespaces":
            continue
        if (key, grp, plural, ns, name) not in wanted:
            tco = env.objects(workload[key])
            rt = next((t for t in tco.catalogue().types if t.group == grp and t.plural == plural), None)
            if rt is not None:
                try:
                    tco.delete(rt, ns, name)
                except ApiError:
                    pass
