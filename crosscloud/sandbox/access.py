"""What a user's own clients need to reach the running twin: kubeconfigs for kubectl (contexts
named after the topology's clusters) and the endpoint and credentials for the Alibaba SDKs."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from . import services
from .kube.clusters import SERVED_TYPES
from .kube.kubeconfig import kubeconfig
from .store import CloudStore

HUB_CONTEXT = "hub"
ENTRY_PREFIX = "crosscloud-sandbox-"      # cluster/user entries, so a merge never clobbers others
# The official SDKs' credential chain reads these (aliyun/credentials-python, environment provider);
# the emulation requires a key but cannot check a secret, like LocalStack's "test" keys.
SDK_CREDENTIALS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "sandbox-access-key-id",
                   "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sandbox-access-key-secret"}
# No SDK reads an endpoint from the environment: a script passes this to Config(endpoint=..., protocol="http").
OPENAPI_ENDPOINT_ENV = "CROSSCLOUD_SANDBOX_OPENAPI_ENDPOINT"
KUBE_URL_ENV = "CROSSCLOUD_SANDBOX_KUBE_URL"


class AccessError(ValueError):
    pass


def clusters(sandbox_dir: Path | str, topology_name: str | None = None) -> dict[str, tuple[str, str]]:
    """{context name: (store type, id)} for every cluster with an API server in the sandbox.

    With a topology name, only that deployment's clusters, named as the topology names them
    (`<topology>-<cluster>` in the cloud is `<cluster>`) and its ACK One hub as `hub`.
    """
    db = Path(sandbox_dir) / "cloud.db"
    if not db.exists():
        return {}
    prefix = f"{topology_name}-" if topology_name else ""
    found: dict[str, tuple[str, str]] = {}
    store = CloudStore(db)
    for store_type, flavour in SERVED_TYPES.items():
        for obj in store.list(store_type):
            name = obj["name"] or obj["id"]
            if not name.startswith(prefix):
                continue
            context = HUB_CONTEXT if (flavour == "hub" and topology_name) else name[len(prefix):]
            found[context] = (store_type, obj["id"])
    return dict(sorted(found.items(), key=lambda kv: (kv[0] != HUB_CONTEXT, kv[0])))


def kubeconfig_document(sandbox_dir: Path | str, topology_name: str | None = None, only: str | None = None) -> dict:
    """One kubeconfig with a context per cluster (or just `only`); current context the hub's."""
    found = clusters(sandbox_dir, topology_name)
    if not found:
        where = f" of topology {topology_name!r}" if topology_name else ""
        raise AccessError(f"the sandbox at {sandbox_dir} has no clusters{where} yet: run crosscloud deploy first")
    if only is not None:
        if only not in found:
            raise AccessError(f"cluster {only!r}: not in the sandbox; allowed: {', '.join(found)}")
        found = {only: found[only]}
    url = services.kube_api_url(sandbox_dir)
    doc = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": [], "preferences": {}}
    for context, (store_type, cid) in found.items():
        one = kubeconfig(sandbox_dir, url, store_type, cid)
        entry = ENTRY_PREFIX + context
        doc["clusters"].append({"name": entry, "cluster": one["clusters"][0]["cluster"]})
        doc["users"].append({"name": entry, "user": one["users"][0]["user"]})
        doc["contexts"].append({"name": context, "context": {"cluster": entry, "user": entry}})
    doc["current-context"] = next(iter(found))
    return doc


def default_kubeconfig_path() -> Path:
    """Where kubectl reads by default: the first file of $KUBECONFIG, else ~/.kube/config."""
    first = next((p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p), None)
    return Path(first) if first else Path.home() / ".kube" / "config"


def merge_into(path: Path, doc: dict) -> list[str]:
    """Add or replace the sandbox's entries in the kubeconfig at `path` (others are kept); the
    context names written. The current context becomes the document's."""
    from .kube.kubeconfig import write_kubeconfig

    existing = yaml.safe_load(path.read_text()) if path.exists() else None
    if existing is not None and not isinstance(existing, dict):
        raise AccessError(f"{path}: not a kubeconfig (a YAML mapping expected)")
    merged = existing or {"apiVersion": "v1", "kind": "Config", "preferences": {}}
    for section in ("clusters", "users", "contexts"):
        ours = {e["name"] for e in doc[section]}
        merged[section] = [e for e in merged.get(section) or [] if e.get("name") not in ours] + doc[section]
    merged["current-context"] = doc["current-context"]
    write_kubeconfig(path, merged)
    return [c["name"] for c in doc["contexts"]]


def sdk_env(sandbox_dir: Path | str) -> dict[str, str]:
    p = services.ports(sandbox_dir)
    return {**SDK_CREDENTIALS, OPENAPI_ENDPOINT_ENV: f"127.0.0.1:{p['openapi']}",
            KUBE_URL_ENV: services.kube_api_url(sandbox_dir)}
