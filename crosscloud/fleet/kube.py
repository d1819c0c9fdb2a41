"""Kubernetes access for the fleet phase: clients from kubeconfigs, server-side apply, waits.

Kubeconfigs stay in memory (dicts); nothing here writes or prints them.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable

import yaml

from ..runner import interrupt

FIELD_MANAGER = "crosscloud"
# Apply order: what others live in or refer to first.
KIND_ORDER = ["Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
              "RoleBinding", "ConfigMap", "Secret", "Service", "Deployment"]


class WaitTimeout(RuntimeError):
    pass


def api_client(kubeconfig: dict | str):
    from kubernetes import config

    cfg = yaml.safe_load(kubeconfig) if isinstance(kubeconfig, str) else kubeconfig
    return config.new_client_from_config_dict(cfg)


def accepts(kubeconfig: dict | str) -> bool:
    """Whether the cluster answers GET /api with these credentials; an expired or revoked
    credential (401), an endpoint that moved or any other failure is False. /api, unlike /version,
    is not public: the default system:discovery binding is for authenticated users only (KEP-789,
    https://www.kubernetes.dev/resources/keps/789/, read 2026-12-02)."""
    from kubernetes.client import CoreApi

    try:
        CoreApi(api_client(kubeconfig)).get_api_versions(_request_timeout=10)
        return True
    except Exception:  # noqa: BLE001  (the caller then reads the credentials again)
        return False


def documents(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d]


def ordered(docs: Iterable[dict]) -> list[dict]:
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(docs, key=lambda d: rank.get(d.get("kind"), len(KIND_ORDER)))


def apply(client, docs: Iterable[dict]) -> tuple[int, int]:
    """Server-side apply each document (force: crosscloud owns these fields).
    Returns (objects applied, objects that changed)."""
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import NotFoundError

    dyn = DynamicClient(client)
    applied = changed = 0
    for doc in ordered(docs):
        resource = dyn.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
        meta = doc["metadata"]
        namespace = meta.get("namespace") if resource.namespaced else None
        try:
            before = resource.get(name=meta["name"], namespace=namespace).metadata.resourceVersion
        except NotFoundError:
            before = None
        after = resource.server_side_apply(body=doc, name=meta["name"], namespace=namespace,
                                           field_manager=FIELD_MANAGER, force_conflicts=True)
        applied += 1
        changed += after.metadata.resourceVersion != before
    return applied, changed


def get(client, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None:
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import NotFoundError

    resource = DynamicClient(client).resources.get(api_version=api_version, kind=kind)
    try:
        return resource.get(name=name, namespace=namespace).to_dict()
    except NotFoundError:
        return None


def delete(client, doc: dict) -> bool:
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import NotFoundError

    resource = DynamicClient(client).resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
    meta = doc["metadata"]
    try:
        resource.delete(name=meta["name"], namespace=meta.get("namespace") if resource.namespaced else None)
        return True
    except NotFoundError:
        return False


def wait_until(check: Callable[[], tuple[bool, str]], *, what: str, timeout: float, report: Callable[[str], None],
               interval: float = 0.5) -> str:
    """Poll check() -> (done, state in words) until done; on timeout say what was awaited and the last state."""
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        done, state = check()
        if done:
            return state
        if state != last:
            report(f"{what}: {state}")
            last = state
        if time.monotonic() > deadline:
            raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {what}; last state: {state}")
        interrupt.sleep(interval, f"waiting for {what}")  # ends at once on Ctrl-C/SIGTERM
        interval = min(interval * 1.5, 5.0)


def deployment_available(client, name: str, namespace: str) -> tuple[bool, str]:
    d = get(client, "apps/v1", "Deployment", name, namespace)
    if d is None:
        return False, "not created yet"
    status: dict[str, Any] = d.get("status") or {}
    want = (d.get("spec") or {}).get("replicas", 1)
    ready = status.get("availableReplicas") or 0
    return ready >= want, f"{ready}/{want} available"
