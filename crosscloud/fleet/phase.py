"""The ACK One phase (the tutorial's steps 10-12):

1. as soon as the GKE clusters and the hub exist: register each GKE cluster in ACK One (CS
   CreateCluster, ExternalKubernetes; reused if it exists) and apply the agent manifest into GKE;
   after the VPN is up and the members are attached: wait until the registered cluster runs,
   attach it to the fleet;
2. render the multi-cluster manifests with the real cluster ids and apply them (server-side apply)
   to the fleet hub and to the consumer clusters;
3. wait until the app runs in the provider cluster and the consumer Service exists in every
   consumer (`<svc>` for a MultiClusterService, `amcs-<svc>` for ServiceExport/ServiceImport).

The agent manifest comes from CS DescribeExternalAgent, deprecated since 2024-12-10 with no
replacement API. While it answers it is used; when it fails, a registered cluster this run
created is deleted again and the error names the console's manual registration steps (README).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..k8s_manifests import ClusterIds, names_for, render_checked
from . import kube, manifest_skip
from .context import FleetContext, FleetError

MANUAL_REGISTRATION = "README.md, section 'Registering a GKE cluster by hand'"

REGISTRATION_TIMEOUT = 300.0
READY_TIMEOUT = 300.0
MEMBER_OK = {"running", "successed", "succeeded", "attached"}


def registered_name(ctx: FleetContext, gke_name: str) -> str:
    return f"{ctx.runner.topology.name}-{gke_name}"


def hub_id(ctx: FleetContext) -> str:
    hub = ctx.outputs("fleet").get("fleet_id")
    if not hub:
        raise FleetError("the fleet stack has no fleet_id output; deploy the fleet stack first")
    return hub


def register_gke_clusters(ctx: FleetContext) -> dict[str, str]:
    """GKE cluster name -> registered cluster id, with the agent applied into GKE. Needs only the
    network, the GKE clusters and the hub, so deploy runs it beside the members and the link wait."""
    report, api, t = ctx.runner.report, ctx.api, ctx.runner.topology
    network = ctx.outputs("network")
    registered = {}
    for gke in t.clusters_of("gke"):
        reg_id, created = api.ensure_registered_cluster(registered_name(ctx, gke.name), network["alibaba_vpc_id"],
                                                        list(network["alibaba_vswitch_ids"]))
        report.event("fleet", "register", f"{gke.name}: registered cluster {reg_id} ({'created' if created else 'reused'})")
        if api.describe_cluster(reg_id).state != "running":
            agent = _agent_manifest(ctx, gke.name, reg_id, created)
            kube.apply(kube.api_client(ctx.cluster_kubeconfig(gke.name)), agent)
            report.event("fleet", "agent", f"{gke.name}: applied the ACK One agent ({len(agent)} objects)")
        registered[gke.name] = reg_id
    return registered


def join_fleet(ctx: FleetContext, registered: dict[str, str]) -> None:
    """Wait until each registered cluster runs (its agent reaches ACK One over the VPN: private
    access), attach it to the hub and wait until it is a member."""
    report, api = ctx.runner.report, ctx.api
    hub = hub_id(ctx)
    for name, reg_id in registered.items():
        kube.wait_until(lambda: (api.describe_cluster(reg_id).state == "running", api.describe_cluster(reg_id).state),
                        what=f"registered cluster {reg_id} to run", timeout=REGISTRATION_TIMEOUT,
                        report=lambda s: report.event("fleet", "waiting", s))
        if reg_id not in {m.id for m in api.hub_members(hub)}:
            api.attach_to_hub(hub, reg_id)
            report.event("fleet", "attach", f"{name}: attached {reg_id} to fleet {hub}")

        def member_state() -> tuple[bool, str]:
            member = next((m for m in api.hub_members(hub) if m.id == reg_id), None)
            state = (member.attach_state or member.state) if member else "not a member"
            return bool(member) and str(state).lower() in MEMBER_OK, str(state)

        kube.wait_until(member_state, what=f"{reg_id} to join fleet {hub}", timeout=REGISTRATION_TIMEOUT,
                        report=lambda s: report.event("fleet", "waiting", s))


def _agent_manifest(ctx: FleetContext, gke_name: str, reg_id: str, created: bool) -> list[dict]:
    """The agent's objects from DescribeExternalAgent (private access: the agent reaches ACK One
    over the VPN). On failure nothing half-made stays: a registration made by this run is deleted
    (one made earlier is kept and reused), and the error says how to register by hand."""
    from .alibaba_api import AlibabaApiError

    try:
        return kube.documents(ctx.api.external_agent_manifest(reg_id, private_ip=True))
    except AlibabaApiError as err:
        cause = str(err)
    if created:
        ctx.api.delete_cluster(reg_id)
        left = f"registered cluster {reg_id} (created by this run) was deleted again"
    else:
        left = f"registered cluster {reg_id} (from an earlier run) is kept and reused by the next deploy"
    raise FleetError(
        f"{gke_name}: the ACK One agent manifest could not be read: {cause}. DescribeExternalAgent is "
        f"deprecated (2024-12-10) with no replacement API; register the cluster in the ACK One console "
        f"instead and apply its agent YAML to GKE ({MANUAL_REGISTRATION}), then re-run deploy. {left}.")


def cluster_ids(ctx: FleetContext, registered: dict[str, str]) -> ClusterIds:
    outputs = ctx.outputs("clusters").get("cluster_ids") or {}
    alibaba = {c.name: outputs[c.name] for c in ctx.runner.topology.clusters_on("alibaba") if outputs.get(c.name)}
    return ClusterIds(clusters={**alibaba, **registered}, fleet=hub_id(ctx))


def _client_for(ctx: FleetContext, target: str, clients: dict):
    if target not in clients:
        if target == "hub":
            clients[target] = kube.api_client(ctx.api.hub_kubeconfig(hub_id(ctx)))
        else:
            clients[target] = kube.api_client(ctx.cluster_kubeconfig(target.split(":", 1)[1]))
    return clients[target]


def apply_manifests(ctx: FleetContext, registered: dict[str, str]) -> None:
    report, t = ctx.runner.report, ctx.runner.topology
    ids = cluster_ids(ctx, registered)
    files = render_checked(t, ids)
    clients: dict = {}
    state_dir = ctx.runner.ws.state_dir
    done, digests = manifest_skip.recorded(state_dir), {}
    for f in files:
        client, docs, digests[f.filename] = _client_for(ctx, f.target, clients), f.documents(), manifest_skip.digest(f, ids)
        if done.get(f.filename) == digests[f.filename] and manifest_skip.all_present(client, docs):
            report.event("fleet", "unchanged", f"{f.filename} -> {f.target} (rendered the same as last applied; all {len(docs)} objects present)")
            continue
        applied, changed = kube.apply(client, docs)
        report.event("fleet", "apply" if changed else "unchanged", f"{f.filename} -> {f.target} ({changed} of {applied} objects changed)")
    manifest_skip.remember(state_dir, digests)
    for service in t.services:
        names = names_for(service)
        ns = service.namespace
        provider = _client_for(ctx, f"cluster:{service.provider}", clients)
        kube.wait_until(lambda: kube.deployment_available(provider, names.deployment, ns),
                        what=f"{ns}/{names.deployment} in {service.provider}", timeout=READY_TIMEOUT,
                        report=lambda s: report.event("fleet", "waiting", s))
        discovery = t.fleet.service_discovery
        consumer_service = names.consumer_service(discovery)
        for consumer in service.consumers:
            client = _client_for(ctx, f"cluster:{consumer}", clients)
            imported = lambda client=client: consumer_service_state(client, names, ns, discovery)
            kube.wait_until(imported, what=f"{consumer_service} in {consumer}", timeout=READY_TIMEOUT,
                            report=lambda s: report.event("fleet", "waiting", s))
            kube.wait_until(lambda client=client: kube.deployment_available(client, names.consumer, ns),
                            what=f"{ns}/{names.consumer} in {consumer}", timeout=READY_TIMEOUT,
                            report=lambda s: report.event("fleet", "waiting", s))
        report.event("fleet", "ready", f"{ns}/{service.name}: {service.provider} -> {', '.join(service.consumers)}")


def consumer_service_state(client, names, ns: str, discovery: str) -> tuple[bool, str]:
    """Whether a consumer has the Service the discovery mode gives it (and, for ServiceExport,
    its ServiceImport), with what is present or missing."""
    svc_name = names.consumer_service(discovery)
    svc = kube.get(client, "v1", "Service", svc_name, ns)
    if discovery == "multicluster-service":
        return bool(svc), f"Service {svc_name} {'present' if svc else 'missing'}"
    imp = kube.get(client, "multicluster.x-k8s.io/v1alpha1", "ServiceImport", names.service, ns)
    return bool(imp and svc), f"ServiceImport {'present' if imp else 'missing'}, Service {svc_name} {'present' if svc else 'missing'}"


def deployed_ids(state_dir: Path, topology) -> ClusterIds:
    """The cluster ids a deploy recorded in this state dir (local state outputs and fleet.json);
    whatever is missing stays missing, and rendering names it."""
    from ..runner.deploy import Workspace

    ws = Workspace(state_dir)

    def outputs(stack: str) -> dict:
        path = ws.stack_dir(stack) / f"terraform.{stack}.tfstate"
        if not path.exists():
            return {}
        return {k: v.get("value") for k, v in json.loads(path.read_text()).get("outputs", {}).items()}

    ids = outputs("clusters").get("cluster_ids") or {}
    recorded = state_dir / "fleet.json"
    registered = json.loads(recorded.read_text()).get("registered", {}) if recorded.exists() else {}
    clusters = {c.name: ids[c.name] for c in topology.clusters_on("alibaba") if ids.get(c.name)}
    return ClusterIds(clusters={**clusters, **registered}, fleet=outputs("fleet").get("fleet_id"))


def record(state_dir: Path, registered: dict[str, str], hub: str) -> None:
    (state_dir / "fleet.json").write_text(json.dumps({"hub": hub, "registered": registered}, indent=2, sort_keys=True))


def run_fleet_phase(ctx: FleetContext, registered: dict[str, str] | None = None) -> dict[str, str]:
    """Everything after the registration (which it does too unless given its result)."""
    registered = register_gke_clusters(ctx) if registered is None else registered
    join_fleet(ctx, registered)
    record(ctx.runner.ws.state_dir, registered, hub_id(ctx))
    apply_manifests(ctx, registered)
    return registered


def teardown(ctx: FleetContext) -> None:
    """Before the stacks go: remove the manifests from the hub, detach and delete the registrations."""
    report, api, t = ctx.runner.report, ctx.api, ctx.runner.topology
    hub = hub_id(ctx)
    registered = {}
    for gke in t.clusters_of("gke"):
        found = api.find_registered_clusters(registered_name(ctx, gke.name))
        if found:
            registered[gke.name] = found[0].id
    try:
        files = render_checked(t, cluster_ids(ctx, registered))
    except Exception as err:  # ids missing: nothing of ours can have been applied with them
        report.event("fleet", "skipped", f"manifests not removed: {err}")
        files = []
    clients: dict = {}
    for f in reversed(files):
        if f.target != "hub":
            continue  # member clusters are destroyed with their stacks
        client = _client_for(ctx, "hub", clients)
        removed = sum(kube.delete(client, d) for d in reversed(f.documents()) if d["kind"] != "Namespace")
        report.event("fleet", "removed", f"{f.filename}: {removed} objects from the hub")
    for name, reg_id in registered.items():
        if reg_id in {m.id for m in api.hub_members(hub)}:
            api.detach_from_hub(hub, reg_id)
        api.delete_cluster(reg_id)
        report.event("fleet", "deregistered", f"{name}: registered cluster {reg_id} deleted")
    (ctx.runner.ws.state_dir / "fleet.json").unlink(missing_ok=True)
    manifest_skip.forget(ctx.runner.ws.state_dir)
