"""A minimal OpenAPI v3 discovery: enough for kubectl to see that the server validates fields.

kubectl (apply, create) asks `/openapi/v3` whether PATCH of a kind takes `fieldValidation`; if so
it lets the server validate and sends `fieldValidation=Strict`, otherwise it downloads full
schemas. Each group-version document lists, per kind, the PATCH operation with its parameters and
its `x-kubernetes-group-version-kind`, and no schemas.
"""

from __future__ import annotations

import hashlib
import json

from .resources import Catalogue, ResourceType

_PARAMS = ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")


def _gv_path(rt: ResourceType) -> str:
    return f"api/{rt.version}" if not rt.group else f"apis/{rt.group}/{rt.version}"


def _doc(types: list[ResourceType]) -> dict:
    paths = {}
    for rt in types:
        base = "/" + _gv_path(rt) + ("/namespaces/{namespace}" if rt.namespaced else "")
        paths[f"{base}/{rt.plural}/{{name}}"] = {"patch": {
            "operationId": f"patch{rt.kind}",
            "parameters": [{"name": p, "in": "query", "schema": {"type": "string"}} for p in _PARAMS],
            "responses": {"200": {"description": "OK"}},
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        }}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1"}, "paths": paths,
            "components": {"schemas": {}}}


def documents(cat: Catalogue) -> dict[str, dict]:
    """group-version path (`api/v1`, `apis/apps/v1`) → its OpenAPI v3 document."""
    by_gv: dict[str, list[ResourceType]] = {}
    for rt in cat.types:
        by_gv.setdefault(_gv_path(rt), []).append(rt)
    return {gv: _doc(types) for gv, types in by_gv.items()}


def index(cat: Catalogue) -> dict:
    out = {}
    for gv, doc in documents(cat).items():
        digest = hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper()
        out[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={digest}"}
    return {"paths": out}
