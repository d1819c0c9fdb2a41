"""ACK One OverridePolicy / ClusterOverridePolicy (Karmada-compatible): per-cluster changes to what
a propagation policy places.

A rule applies to a copy headed for member cluster <id> when its `targetCluster.clusterNames`
names <id> (no targetCluster: every cluster) and the policy's `resourceSelectors` pick the source
object (apiVersion + kind, and name or labelSelector; an OverridePolicy only in its namespace).
`overriders.plaintext` entries are JSON-patch operations (add | replace | remove) on the copy,
applied in policy-name order, as Karmada does. A patch that does not apply is skipped and logged.
"""

from __future__ import annotations

import copy

from ..selectors import match_labels
from .common import log

OPERATORS = ("add", "replace", "remove")


def _selects(selectors: list, source: dict, namespace: str | None) -> bool:
    meta = source.get("metadata") or {}
    if namespace is not None and meta.get("namespace", "") != namespace:
        return False
    for sel in selectors or []:
        if sel.get("apiVersion") != source.get("apiVersion") or sel.get("kind") != source.get("kind"):
            continue
        if sel.get("name") and sel["name"] != meta.get("name"):
            continue
        if sel.get("labelSelector") is not None and not match_labels(sel["labelSelector"], meta.get("labels")):
            continue
        return True
    return False


def _targets(rule: dict, cluster_id: str) -> bool:
    target = rule.get("targetCluster")
    if not target:
        return True
    if cluster_id in [str(c) for c in target.get("exclude") or []]:
        return False
    names = target.get("clusterNames")
    return names is None or cluster_id in [str(c) for c in names]


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise ValueError(f"path {path!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _patch(doc: dict, op: str, path: str, value) -> None:
    parts = _pointer(path)
    parent = doc
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if op == "add":
            parent.insert(index, copy.deepcopy(value))
        elif op == "replace":
            parent[index] = copy.deepcopy(value)
        else:
            del parent[index]
        return
    if op == "add":
        parent[last] = copy.deepcopy(value)
    elif op == "replace":
        if last not in parent:
            raise KeyError(last)
        parent[last] = copy.deepcopy(value)
    else:
        del parent[last]


def apply(body: dict, source: dict, cluster_id: str, policies: list[tuple[bool, dict]]) -> dict:
    """`body` (the copy for `cluster_id`) with every matching override applied. `policies` are
    (namespaced, policy) pairs from the hub."""
    out = body
    for namespaced, policy in sorted(policies, key=lambda np: np[1]["metadata"]["name"]):
        spec = policy.get("spec") or {}
        ns = policy["metadata"].get("namespace", "") if namespaced else None
        if not _selects(spec.get("resourceSelectors") or [], source, ns):
            continue
        for rule in spec.get("overrideRules") or []:
            if not _targets(rule, cluster_id):
                continue
            for item in (rule.get("overriders") or {}).get("plaintext") or []:
                op = item.get("operator")
                if op not in OPERATORS:
                    log.info("override %s: operator %r is not one of %s", policy["metadata"]["name"], op, OPERATORS)
                    continue
                candidate = copy.deepcopy(out)
                try:
                    _patch(candidate, op, str(item.get("path", "")), item.get("value"))
                except (KeyError, IndexError, ValueError, TypeError) as exc:
                    log.info("override %s: %s %s does not apply: %s", policy["metadata"]["name"], op,
                             item.get("path"), exc)
                    continue
                out = candidate
    return out
