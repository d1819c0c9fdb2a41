"""A Kubernetes API emulation for every sandbox cluster, with ACK One's fleet behaviour.

    with KubeApiServer(sandbox_dir) as api:
        cfg = kubeconfig(sandbox_dir, api.url, "alicloud_cs_managed_kubernetes", ask_id)
        client = kubernetes.config.new_client_from_config_dict(cfg)
"""

from .clusters import backing_cluster, cluster_key, cluster_token
from .kubeconfig import kubeconfig, write_kubeconfig
from .server import DELAY_ENV, KubeApiServer

__all__ = ["KubeApiServer", "backing_cluster", "cluster_key", "cluster_token", "kubeconfig",
           "write_kubeconfig", "DELAY_ENV"]
