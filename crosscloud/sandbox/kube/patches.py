"""JSON merge patch, strategic merge patch (simplified) and JSON patch (RFC 6902)."""

from __future__ import annotations

import copy
from typing import Any

from .errors import ApiError, bad_request

# Keys that identify items of lists merged item by item (strategic merge / server-side apply).
MERGE_KEYS = ("name", "containerPort", "port", "ip", "type")


def list_key(items: Any) -> str | None:
    """The key field of a list of objects that merges by key, or None for an atomic list."""
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in MERGE_KEYS:
        values = [i.get(key) for i in items]
        if all(v is not None for v in values) and len(set(map(str, values))) == len(values):
            return key
    return None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge, null deletes, everything else (lists too) replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """Merge patch, except lists of keyed objects (containers, ports, env) merge item by item."""
    if isinstance(patch, dict):
        result = copy.deepcopy(target) if isinstance(target, dict) else {}
        for k, v in patch.items():
            if k.startswith("$"):               # directives such as $patch / $retainKeys: not modelled
                continue
            if v is None:
                result.pop(k, None)
            else:
                result[k] = strategic_merge_patch(result.get(k), v)
        return result
    if isinstance(patch, list) and isinstance(target, list):
        key = list_key(patch)
        if key and (not target or list_key(target) == key):
            merged = {str(i[key]): copy.deepcopy(i) for i in target}
            order = [str(i[key]) for i in target]
            for item in patch:
                k = str(item[key])
                if item.get("$patch") == "delete":
                    merged.pop(k, None)
                    continue
                if k not in merged:
                    order.append(k)
                merged[k] = strategic_merge_patch(merged.get(k), item)
            return [merged[k] for k in order if k in merged]
    return copy.deepcopy(patch)


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str]) -> Any:
    for p in parts:
        if isinstance(doc, list):
            doc = doc[int(p)]
        elif isinstance(doc, dict):
            doc = doc[p]
        else:
            raise KeyError(p)
    return doc


def json_patch(target: Any, ops: Any) -> Any:
    if not isinstance(ops, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(target)
    for op in ops:
        kind, parts = op.get("op"), _pointer(op.get("path", ""))
        try:
            if kind == "test":
                if _walk(doc, parts) != op.get("value"):
                    raise ApiError(422, f"testing value {op.get('path')} failed")
                continue
            if kind in ("move", "copy"):
                src = _pointer(op.get("from", ""))
                value = copy.deepcopy(_walk(doc, src))
                if kind == "move":
                    doc = _apply_op(doc, "remove", src, None)
                doc = _apply_op(doc, "add", parts, value)
                continue
            doc = _apply_op(doc, kind, parts, copy.deepcopy(op.get("value")))
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, f"the server rejected our request due to an error in our request: "
                                f"{kind} operation does not apply: doc is missing path: {op.get('path')!r}")
    return doc


def _apply_op(doc: Any, kind: str, parts: list[str], value: Any) -> Any:
    if not parts:
        if kind in ("add", "replace"):
            return value
        raise ValueError("cannot remove the root")
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        idx = len(parent) if last == "-" else int(last)
        if kind == "add":
            parent.insert(idx, value)
        elif kind == "remove":
            del parent[idx]
        elif kind == "replace":
            parent[idx] = value
        else:
            raise ValueError(kind)
    elif isinstance(parent, dict):
        if kind == "add":
            parent[last] = value
        elif kind == "remove":
            del parent[last]
        elif kind == "replace":
            if last not in parent:
                raise KeyError(last)
            parent[last] = value
        else:
            raise ValueError(kind)
    else:
        raise TypeError("not a container")
    return doc
