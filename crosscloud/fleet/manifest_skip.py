"""Skip re-applying a rendered manifest file when nothing it depends on changed.

A file is skipped when the digest of its rendered text, its target and the cluster ids (the
synth's idea: hash the inputs) equals the one recorded after its last successful apply, *and*
every object in it still exists (one GET per object through the kubernetes client): an object
deleted out of band is noticed and the file is applied again. What this trades: a field of an
object edited out of band (kubectl edit) is not put back by a no-op deploy; a changed manifest,
changed ids or a deleted object always re-apply.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

RECORD = "fleet-manifests.json"


def digest(f, ids) -> str:
    return hashlib.sha256(json.dumps({"file": f.filename, "target": f.target, "text": f.text,
                                      "ids": {"clusters": ids.clusters, "fleet": ids.fleet}},
                                     sort_keys=True).encode()).hexdigest()


def recorded(state_dir: Path) -> dict[str, str]:
    try:
        return json.loads((state_dir / RECORD).read_text())
    except (OSError, ValueError):
        return {}


def remember(state_dir: Path, digests: dict[str, str]) -> None:
    (state_dir / RECORD).write_text(json.dumps(digests, indent=2, sort_keys=True))


def forget(state_dir: Path) -> None:
    (state_dir / RECORD).unlink(missing_ok=True)


def all_present(client, docs: list[dict]) -> bool:
    """Whether every object of `docs` exists (one discovery, one GET each)."""
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import NotFoundError

    dyn = DynamicClient(client)
    for doc in docs:
        resource = dyn.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
        meta = doc["metadata"]
        try:
            resource.get(name=meta["name"], namespace=meta.get("namespace") if resource.namespaced else None)
        except NotFoundError:
            return False
    return True
