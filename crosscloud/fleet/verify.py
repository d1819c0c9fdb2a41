"""`crosscloud verify`: subctl-style checks, each pass/fail with the reason, ending with the
tutorial's final check — the consumer reaches the provider through the consumer Service
(`<svc>` with a MultiClusterService, `amcs-<svc>` with ServiceExport/ServiceImport)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Callable

from ..k8s_manifests import names_for
from . import kube
from .context import FleetContext
from .phase import MEMBER_OK, consumer_service_state, hub_id, registered_name

CONSUMER_PORT = 8080  # the demo consumer's local web app, which calls amcs-<svc> (the tutorial's curl 127.0.0.1:8080)
PROBE_TIMEOUT = 10


@dataclass
class Check:
    name: str
    passed: bool
    detail: str
    warning: str = ""  # passed, but something the user should know (e.g. one tunnel of two down)


def _run(name: str, fn: Callable[[], tuple]) -> Check:
    try:
        passed, detail, *warning = fn()
    except Exception as err:  # a check that cannot run has failed, with the reason
        passed, detail, warning = False, f"{type(err).__name__}: {err}", []
    return Check(name, passed, detail, (warning or [""])[0])


def run_checks(ctx: FleetContext, report: Callable[[Check], None]) -> list[Check]:
    t = ctx.runner.topology
    checks: list[Check] = []

    def add(name: str, fn: Callable[[], tuple[bool, str]]) -> None:
        check = _run(name, fn)
        checks.append(check)
        report(check)

    link = ctx.runner.link_state()

    def vpn() -> tuple[bool, str, str]:
        # Dual mode is active/standby: one tunnel pair up carries the traffic (a warning, not a failure).
        down = "; ".join(f"{d['side']} {d['tunnel']}: {d['why']}" for d in link.down_tunnels())
        return link.carrying, link.describe(), (f"degraded: {down}; `crosscloud deploy` restores it" if link.degraded else "")

    add("vpn link up on both sides", vpn)
    add("policy routes published", lambda: (link.routes_published, ", ".join(f"{r['dest']}: {r['status']}" for r in link.routes) or "no routes"))

    registered: dict[str, str] = {}

    def members() -> tuple[bool, str]:
        hub = hub_id(ctx)
        for gke in t.clusters_of("gke"):
            found = ctx.api.find_registered_clusters(registered_name(ctx, gke.name))
            if found:
                registered[gke.name] = found[0].id
        ids = ctx.outputs("clusters").get("cluster_ids") or {}
        expected = {c.name: (registered.get(c.name) if c.kind == "gke" else ids.get(c.name)) for c in t.clusters}
        joined = {m.id: str(m.attach_state or m.state).lower() for m in ctx.api.hub_members(hub)}
        missing = [f"{n} ({i or 'not registered'})" for n, i in expected.items() if not i or joined.get(i) not in MEMBER_OK]
        return not missing, ("all joined: " + ", ".join(expected)) if not missing else "not joined: " + ", ".join(missing)

    add("fleet members joined", members)

    for service in t.services:
        names = names_for(service)
        ns = service.namespace
        provider = kube.api_client(ctx.cluster_kubeconfig(service.provider))

        discovery = t.fleet.service_discovery

        def exported() -> tuple[bool, str]:
            ok, state = kube.deployment_available(provider, names.deployment, ns)
            if discovery == "multicluster-service":  # the provider needs only its Service
                svc = kube.get(provider, "v1", "Service", names.service, ns)
                return bool(svc) and ok, f"Service {names.service} {'present' if svc else 'missing'} in {service.provider}; {names.deployment}: {state}"
            exp = kube.get(provider, "multicluster.x-k8s.io/v1alpha1", "ServiceExport", names.service, ns)
            return bool(exp) and ok, f"ServiceExport {'present' if exp else 'missing'} in {service.provider}; {names.deployment}: {state}"

        add(f"{ns}/{service.name} exported from {service.provider}", exported)
        for consumer in service.consumers:
            client = kube.api_client(ctx.cluster_kubeconfig(consumer))

            def imported(client=client, consumer=consumer) -> tuple[bool, str]:
                ok, detail = consumer_service_state(client, names, ns, discovery)
                return ok, f"{detail} in {consumer}"

            add(f"{ns}/{service.name} imported in {consumer}", imported)
            add(f"{consumer} reaches {names.consumer_host(ns, discovery)}",
                lambda client=client: probe(client, service, names, discovery))
    return checks


def probe(client, service, names, discovery: str = "service-export") -> tuple[bool, str]:
    """HTTP through the API server's pod proxy to the consumer's web app, which calls the
    consumer Service (`<svc>` or `amcs-<svc>`)."""
    from kubernetes import client as k8s
    from kubernetes.client.exceptions import ApiException

    core = k8s.CoreV1Api(client)
    pods = core.list_namespaced_pod(service.namespace, label_selector=f"app={names.consumer}").items
    running = [p for p in pods if (p.status and p.status.phase) == "Running"]
    if not running:
        return False, f"no running {names.consumer} pod"
    pod = running[0].metadata.name
    try:
        body = core.connect_get_namespaced_pod_proxy_with_path(f"{pod}:{CONSUMER_PORT}", service.namespace, "",
                                                               _request_timeout=PROBE_TIMEOUT)
    except ApiException as err:
        return False, f"{pod}: HTTP {err.status}: {_message(err.body) or err.reason}"
    expected = service.env.get("ENV_NAME")
    text = body if isinstance(body, str) else json.dumps(body)
    if expected and expected not in text:
        return False, f"{pod}: answered, but not with the provider's response ({text[:120]})"
    return True, f"{pod} -> {names.consumer_host(service.namespace, discovery)}: {text[:160]}"


def _message(body) -> str:
    """The API server's message, and in the sandbox the twin's reason (the first hop that blocks)."""
    try:
        status = json.loads(body)
    except (TypeError, ValueError):
        return str(body or "")[:200]
    causes = [c.get("message") for c in (status.get("details") or {}).get("causes") or [] if c.get("message")]
    return status.get("message", "") + "".join(f" [{c}]" for c in causes)


def as_json(checks: list[Check]) -> dict:
    return {"passed": all(c.passed for c in checks), "warnings": [f"{c.name}: {c.warning}" for c in checks if c.warning],
            "checks": [asdict(c) for c in checks]}
