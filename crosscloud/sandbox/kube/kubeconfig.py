"""Kubeconfig documents for the emulated clusters (token auth over plain http on loopback)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .clusters import cluster_key, cluster_token
from .tls import ca_data


def kubeconfig(sandbox_dir: Path | str, base_url: str, store_type: str, cluster_id: str, *,
               user: str = "crosscloud", expires: float | None = None) -> dict:
    """A kubeconfig dict for one cluster: server `<base_url>/clusters/<key>`, bearer token.

    For an https server (the default) it carries the sandbox CA; kubectl only sends tokens over TLS.
    With `expires` the token stops working then (the API server answers 401).
    """
    key = cluster_key(store_type, cluster_id)
    context = f"{user}@{key}"
    cluster = {"server": f"{base_url.rstrip('/')}/clusters/{key}"}
    if base_url.startswith("https:"):
        cluster["certificate-authority-data"] = ca_data(sandbox_dir)
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": key, "cluster": cluster}],
        "users": [{"name": f"{user}-{key}", "user": {"token": cluster_token(Path(sandbox_dir), cluster_id, expires)}}],
        "contexts": [{"name": context, "context": {"cluster": key, "user": f"{user}-{key}"}}],
        "current-context": context,
        "preferences": {},
    }


def write_kubeconfig(path: Path | str, cfg: dict) -> Path:
    """Write `cfg` as YAML readable only by the owner (it holds a bearer token)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    os.chmod(path, 0o600)
    return path
