"""What the fleet phase talks to, for either target: the Alibaba OpenAPI (official SDKs) and the
clusters' Kubernetes APIs, at the endpoints the target gives (runner/targets.py): for the sandbox
that is its background service, reached exactly as the clouds are."""

from __future__ import annotations

import base64
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..runner.deploy import Runner
from . import kube

GKE_TOKEN_ENV = "GOOGLE_OAUTH_ACCESS_TOKEN"


class FleetError(RuntimeError):
    pass


@dataclass
class FleetContext:
    runner: Runner
    api: object  # crosscloud.fleet.alibaba_api.AlibabaApi
    gke_kubeconfig: Callable[[str, dict], dict]  # (cluster name, gke stack outputs) -> kubeconfig
    _outputs: dict = field(default_factory=dict)
    _fresh: dict = field(default_factory=dict)
    _accepted: dict = field(default_factory=dict)  # cluster name -> stored kubeconfig the cluster accepted

    def outputs(self, stack: str) -> dict:
        if stack not in self._outputs:
            self._outputs[stack] = self.runner.outputs(stack)
        return self._outputs[stack]

    def cluster_kubeconfig(self, name: str) -> dict | str:
        cluster = self.runner.topology.cluster(name)
        if cluster.cloud == "alibaba":  # ask, acs, ack: Terraform reads their kubeconfigs
            # alicloud_cs_cluster_credential kubeconfigs expire (temporary_duration_minutes). The one
            # the last apply stored serves while the cluster still accepts it (one authenticated
            # request); otherwise Terraform reads them again (a refresh-only plan), once per command.
            if name in self._accepted:
                return self._accepted[name]
            stored = (self.outputs("clusters").get("ask_kubeconfigs") or {}).get(name)
            if "clusters" not in self._fresh and stored and kube.accepts(stored):
                self._accepted[name] = stored
                return stored
            if "clusters" not in self._fresh:
                self._fresh["clusters"] = self.runner.fresh_outputs("clusters")
            kubeconfigs = self._fresh["clusters"].get("ask_kubeconfigs") or {}
            if not kubeconfigs.get(name):
                raise FleetError(f"no kubeconfig for {cluster.kind.upper()} cluster {name} in the clusters stack outputs (ask_kubeconfigs)")
            return kubeconfigs[name]
        return self.gke_kubeconfig(name, self.outputs("gke"))


def _gke_kubeconfig_from_outputs(name: str, outputs: dict) -> dict:
    """endpoint + CA from Terraform, a short-lived token from the environment (gcloud auth print-access-token)."""
    token = os.environ.get(GKE_TOKEN_ENV)
    if not token:
        raise FleetError(f"set {GKE_TOKEN_ENV} (gcloud auth print-access-token) so crosscloud can reach GKE")
    endpoint = (outputs.get("gke_endpoints") or {}).get(name)
    ca = (outputs.get("gke_ca_certificates") or {}).get(name)
    if not endpoint or not ca:
        raise FleetError(f"GKE cluster {name}: endpoint or CA certificate missing from the gke stack outputs")
    base64.b64decode(ca, validate=True)
    return {"apiVersion": "v1", "kind": "Config", "current-context": name,
            "clusters": [{"name": name, "cluster": {"server": f"https://{endpoint}", "certificate-authority-data": ca}}],
            "users": [{"name": name, "user": {"token": token}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}]}


@contextmanager
def fleet_context(runner: Runner) -> Iterator[FleetContext]:
    from .alibaba_api import AlibabaApi

    from ..runner.targets import TargetError

    try:
        conn = runner.target.connect(lambda message: runner.report.event("sandbox", "service", message))
    except TargetError as err:
        raise FleetError(str(err)) from None
    api = AlibabaApi(runner.topology.alibaba.region, endpoint_cs=conn.alibaba_endpoint,
                     endpoint_adcp=conn.alibaba_endpoint, credentials=conn.alibaba_credentials)
    if conn.gke_kubeconfig is None:
        yield FleetContext(runner, api, _gke_kubeconfig_from_outputs)
        return

    def gke(name: str, outputs: dict) -> dict:
        gke_id = (outputs.get("cluster_ids") or {}).get(name)
        if not gke_id:
            raise FleetError(f"GKE cluster {name} is not in the gke stack outputs; deploy the gke stack first")
        return conn.gke_kubeconfig(gke_id)

    yield FleetContext(runner, api, gke)
