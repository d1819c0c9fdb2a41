"""The registered-cluster agent: `kube-system/ack-cluster-agent` in a cluster connects it.

Its pod template's env `CLUSTER_ID` names the registered cluster (`cs_registered_cluster` in the
CloudStore); while the Deployment exists that registered cluster is backed by this cluster and its
state is `running`; once it is gone the registered cluster is `disconnected`.
"""

from __future__ import annotations

from ..clusters import REGISTERED
from ..resources import DEPLOYMENT
from .common import Env, log

AGENT_NAMESPACE, AGENT_NAME = "kube-system", "ack-cluster-agent"
RUNNING, DISCONNECTED = "running", "disconnected"


def agent_env(deployment: dict) -> dict[str, str]:
    containers = (((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    out: dict[str, str] = {}
    for c in containers:
        for e in c.get("env") or []:
            if "value" in e and e.get("name") not in out:
                out[e["name"]] = str(e["value"])
    return out


def reconcile(env: Env) -> None:
    wanted: dict[str, tuple[str, str | None]] = {}
    for cluster in env.workload_clusters():
        d = env.objects(cluster).find(DEPLOYMENT, AGENT_NAMESPACE, AGENT_NAME)
        if d is None:
            continue
        values = agent_env(d)
        if values.get("CLUSTER_ID"):
            wanted[values["CLUSTER_ID"]] = (cluster.key, values.get("ACCESS_MODE"))

    known = env.kube.agents()
    for reg_id, (key, mode) in wanted.items():
        if env.kube.set_agent(reg_id, key, mode):
            log.info("registered cluster %s is now backed by %s", reg_id, key)
        _set_state(env, reg_id, RUNNING)
    for reg_id in set(known) - set(wanted):
        env.kube.drop_agent(reg_id)
        _set_state(env, reg_id, DISCONNECTED)
    env.directory.agents = env.kube.agents()


def _set_state(env: Env, reg_id: str, state: str) -> None:
    obj = next((o for o in env.cloud.list(REGISTERED) if o["id"] == reg_id), None)
    if obj is None or obj["attrs"].get("state") == state:
        return
    env.cloud.put(REGISTERED, reg_id, dict(obj["attrs"], state=state), name=obj["name"], status=state)
