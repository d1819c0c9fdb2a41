"""A Kubernetes API emulation for every sandbox cluster, with ACK One's fleet behaviour.

    with KubeApiServer(sandbox_dir) as api:
        cfg = kubeconfig(sandbox_dir, api.url, "alicloud_cs_managed_kubernetes", ask_id)
        client = kubernetes.config.new_client_from_config_dict(cfg)
"""

from .clusters import backing_cluster, cluster_key, cluster_token
from .kubeconfig import kubeconfig, write_kubeconfig


def __getattr__(name: str):
    # the API server (and its controllers) loads only where it runs: the CLI needs kubeconfigs only
    if name in ("DELAY_ENV", "KubeApiServer"):
        from . import server  # noqa: PLC0415

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["KubeApiServer", "backing_cluster", "cluster_key", "cluster_token", "kubeconfig",
           "write_kubeconfig", "DELAY_ENV"]
