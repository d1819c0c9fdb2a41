"""The API server's pod and service proxy, answering as the tutorial's demo images would.

- A provider pod (the demo provider image: env `ENV_NAME`) answers "generated order
  information" as JSON naming its Deployment, cluster and `ENV_NAME`.
- A consumer pod (any pod in a namespace that has a fleet-made Service, `amcs-S` or a
  MultiClusterService copy) answers on its web port with what the provider behind that Service
  answers (Deployment `S-consumer` calls S when there are several): across the VPN, so
  `network_ok()` decides whether it gets through or times out.
- A Service proxies to the pods its selector picks, or, if fleet-made, to the provider cluster.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Callable

from .clusters import Cluster, Directory
from .controllers.common import MCS_OWNER, MCS_PROVIDER_KEYS, MCS_PROVIDERS
from .controllers.workloads import deployment_available
from .errors import ApiError
from .objects import ClusterObjects
from .resources import DEPLOYMENT, POD, SERVICE
from .selectors import match_labels
from .storage import KubeStore

# (flow) -> (allowed, why): the twin's hop-by-hop path check (sandbox.netpath); flow None asks
# only whether the VPN carries traffic at all.
NetworkCheck = Callable[..., "tuple[bool, str]"]
TIMEOUT_DELAY = 0.5      # how long a dial through a broken VPN hangs before the proxy gives up


class Proxy:
    def __init__(self, kube: KubeStore, directory_factory: Callable[[], Directory],
                 network_ok: NetworkCheck | None):
        self.kube = kube
        self.directory = directory_factory
        self.network_ok = network_ok or (lambda flow=None: (True, "up"))
        self._orders = 0

    # -- entry points -----------------------------------------------------------------------
    def pod(self, cluster: Cluster, ns: str, name_port: str, path: str) -> tuple[int, dict]:
        name, _, port = name_port.partition(":")
        co = ClusterObjects(self.kube, cluster)
        pod = co.get(POD, ns, name)
        if (pod.get("status") or {}).get("phase") != "Running":
            raise ApiError(503, f'error trying to reach service: pod "{name}" is not running')
        deployment = self._owner(co, pod)
        env = _env(pod.get("spec") or {})
        if "ENV_NAME" in env:
            return 200, self._provider_answer(cluster, deployment, env, path)
        remote = self._fleet_services(co, ns)
        if remote:
            return self._remote(consumed_service(remote, deployment, env), path,
                                source=(cluster, (pod.get("status") or {}).get("podIP")))
        return 200, {"pod": name, "namespace": ns, "port": port or None, "path": "/" + path.lstrip("/"),
                     "cluster": cluster.id}

    def service(self, cluster: Cluster, ns: str, name_port: str, path: str) -> tuple[int, dict]:
        parts = name_port.split(":")
        name = parts[1] if len(parts) == 3 else parts[0]     # [scheme:]name[:port]
        co = ClusterObjects(self.kube, cluster)
        svc = co.get(SERVICE, ns, name)
        if MCS_PROVIDER_KEYS in (svc["metadata"].get("annotations") or {}):
            return self._remote(svc, path, source=(cluster, None))   # from one of the cluster's nodes
        pods = self._endpoints(co, svc)
        if not pods:
            raise ApiError(503, f'no endpoints available for service "{name}"')
        pod = pods[0]
        deployment = self._owner(co, pod)
        env = _env(pod.get("spec") or {})
        if "ENV_NAME" in env:
            return 200, self._provider_answer(cluster, deployment, env, path)
        return 200, {"service": name, "namespace": ns, "pod": pod["metadata"]["name"],
                     "path": "/" + path.lstrip("/"), "cluster": cluster.id}

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _owner(co: ClusterObjects, pod: dict) -> dict | None:
        for ref in pod["metadata"].get("ownerReferences") or []:
            if ref.get("kind") == "Deployment":
                return co.find(DEPLOYMENT, pod["metadata"]["namespace"], ref["name"])
        return None

    @staticmethod
    def _endpoints(co: ClusterObjects, svc: dict) -> list[dict]:
        selector = (svc.get("spec") or {}).get("selector")
        if not selector:
            return []
        return [p for p in co.list(POD, svc["metadata"]["namespace"])
                if match_labels({"matchLabels": selector}, p["metadata"].get("labels"))
                and (p.get("status") or {}).get("phase") == "Running"]

    @staticmethod
    def _fleet_services(co: ClusterObjects, ns: str) -> list[dict]:
        return [s for s in co.list(SERVICE, ns) if MCS_PROVIDER_KEYS in (s["metadata"].get("annotations") or {})]

    def _remote(self, svc: dict, path: str, source: tuple[Cluster, str | None]) -> tuple[int, dict]:
        """Cross the VPN to the first provider cluster behind a fleet-made Service: the
        consumer's kube-proxy sends to a provider pod IP on the Service's target port."""
        ann = svc["metadata"].get("annotations") or {}
        keys = [k for k in ann.get(MCS_PROVIDER_KEYS, "").split(",") if k]
        ids = [i for i in ann.get(MCS_PROVIDERS, "").split(",") if i]
        name = svc["metadata"]["name"]
        # amcs-S fronts the provider's S; a MultiClusterService copy has the provider's own name.
        base = name[len("amcs-"):] if name.startswith("amcs-") and MCS_OWNER not in ann else name
        directory = self.directory()
        for key, cid in zip(keys, ids):
            provider = directory.clusters.get(key)
            if provider is None:
                continue
            pco = ClusterObjects(self.kube, provider)
            psvc = pco.find(SERVICE, svc["metadata"]["namespace"], base)
            if psvc is None:
                continue
            spec_port = ((psvc.get("spec") or {}).get("ports") or [{}])[0]
            pods = self._endpoints(pco, psvc)
            if not pods:
                raise ApiError(503, f'no endpoints available for service "{name}"')
            pod_ip = (pods[0].get("status") or {}).get("podIP", "")
            target_port = _target_port(spec_port, pods[0])
            target = f"{pod_ip}:{target_port}"
            from ..netpath import Endpoint, Flow  # noqa: PLC0415

            src_cluster, src_ip = source
            flow = Flow(Endpoint(src_cluster.store_type, src_cluster.id, src_ip),
                        Endpoint(provider.store_type, provider.id, pod_ip), target_port)
            ok, reason = self.network_ok(flow)
            if not ok:
                time.sleep(TIMEOUT_DELAY)
                raise ApiError(503, f"error trying to reach service: dial tcp {target}: i/o timeout",
                               details={"causes": [{"reason": "NetworkUnreachable", "message": reason}]})
            deployment = self._owner(pco, pods[0])
            if not deployment_available(deployment):
                raise ApiError(503, f"error trying to reach service: dial tcp {target}: connect: connection refused")
            env = _env(pods[0].get("spec") or {})
            return 200, self._provider_answer(provider, deployment, env, path, cluster_id=cid)
        raise ApiError(503, f'no endpoints available for service "{name}"')

    def _provider_answer(self, cluster: Cluster, deployment: dict | None, env: dict, path: str,
                         cluster_id: str | None = None) -> dict:
        self._orders += 1
        seed = f"{cluster.key}/{self._orders}"
        digest = hashlib.sha256(seed.encode()).hexdigest()
        return {
            "provider": (deployment or {}).get("metadata", {}).get("name", ""),
            "cluster": cluster_id or cluster.id,
            "env": env.get("ENV_NAME", ""),
            "path": "/" + path.lstrip("/"),
            "order": {"id": f"order-{digest[:12]}", "item": ["tea", "coffee", "rice", "noodles"][int(digest[12], 16) % 4],
                      "quantity": 1 + int(digest[13], 16) % 5, "amount": round(1 + int(digest[14:18], 16) / 100, 2)},
        }


CONSUMER_SUFFIX = "-consumer"  # crosscloud's consumer Deployment is "<service>-consumer" (k8s_manifests.render)


def consumed_service(fleet_services: list[dict], deployment: dict | None, env: dict[str, str]) -> dict:
    """The fleet-made Service a consumer pod calls, of those in its namespace: the one its env
    names (a URL or host), else the one its Deployment is named for ("<S>-consumer" calls amcs-S
    or the MultiClusterService copy S), else the only one (the tutorial's fixed "demo-consumer")."""
    by_name = {svc["metadata"]["name"]: svc for svc in fleet_services}
    for value in env.values():
        for name, svc in by_name.items():
            if re.search(rf"(^|[/@.:\s]){re.escape(name)}($|[.:/\s])", value):
                return svc
    owner = ((deployment or {}).get("metadata") or {}).get("name", "")
    if owner.endswith(CONSUMER_SUFFIX):
        base = owner[: -len(CONSUMER_SUFFIX)]
        for name in (f"amcs-{base}", base):
            if name in by_name:
                return by_name[name]
    if len(fleet_services) == 1:
        return fleet_services[0]
    raise ApiError(503, f"error trying to reach service: the consumer {owner or 'pod'} names none of the services "
                        f"{', '.join(sorted(by_name))} (its env or a Deployment named <service>{CONSUMER_SUFFIX})")


def _target_port(spec_port: dict, pod: dict) -> int:
    """A Service port's targetPort as a number (a name resolves through the pod's containerPorts)."""
    target = spec_port.get("targetPort", spec_port.get("port", 80))
    if isinstance(target, int):
        return target
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target:
                return int(p.get("containerPort"))
    return int(spec_port.get("port", 80)) if not str(target).isdigit() else int(target)


def _env(pod_spec: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in pod_spec.get("containers") or []:
        for e in c.get("env") or []:
            if "value" in e:
                out.setdefault(e["name"], str(e["value"]))
    return out
