"""Label and field selectors in the query-string syntax the API server accepts."""

from __future__ import annotations

import re
from typing import Callable

from .errors import bad_request

_SET = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\((.*)\)\s*$")
_CMP = re.compile(r"^\s*([^\s!=]+)\s*(==|=|!=)\s*(.*?)\s*$")


def _split(text: str) -> list[str]:
    """Split on commas that are not inside `( )`."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p for p in (p.strip() for p in parts) if p]


def label_matcher(selector: str | None) -> Callable[[dict], bool]:
    if not selector:
        return lambda labels: True
    tests: list[Callable[[dict], bool]] = []
    for req in _split(selector):
        if m := _SET.match(req):
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",") if v.strip()}
            if op == "in":
                tests.append(lambda l, k=key, vs=values: l.get(k) in vs)
            else:
                tests.append(lambda l, k=key, vs=values: l.get(k) not in vs)
        elif m := _CMP.match(req):
            key, op, value = m.groups()
            if op == "!=":
                tests.append(lambda l, k=key, v=value: l.get(k) != v)
            else:
                tests.append(lambda l, k=key, v=value: k in l and l[k] == v)
        elif re.match(r"^!\s*[^\s!=(),]+$", req):
            key = req[1:].strip()
            tests.append(lambda l, k=key: k not in l)
        elif re.match(r"^[^\s!=(),]+$", req):
            tests.append(lambda l, k=req: k in l)
        else:
            raise bad_request(f"unable to parse requirement: {req!r}")
    return lambda labels: all(t(labels or {}) for t in tests)


def _field(obj: dict, path: str) -> str:
    value = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def field_matcher(selector: str | None) -> Callable[[dict], bool]:
    """`metadata.name=x`, `metadata.namespace!=y`, `status.phase=Running`."""
    if not selector:
        return lambda obj: True
    tests: list[Callable[[dict], bool]] = []
    for req in _split(selector):
        m = _CMP.match(req)
        if not m:
            raise bad_request(f"invalid selector: {req!r}; can't understand {req!r}")
        path, op, value = m.groups()
        if op == "!=":
            tests.append(lambda o, p=path, v=value: _field(o, p) != v)
        else:
            tests.append(lambda o, p=path, v=value: _field(o, p) == v)
    return lambda obj: all(t(obj) for t in tests)


def match_labels(selector: dict | None, labels: dict | None) -> bool:
    """A LabelSelector object (`matchLabels` + `matchExpressions`) against a label map."""
    if not selector:
        return False
    labels = labels or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
