"""Field ownership for server-side apply: field sets in FieldsV1 notation and managedFields.

A field set is a set of paths; a path is a tuple of FieldsV1 tokens: `f:<field>`, `k:{"name":"x"}`
(an item of a keyed list) and `.` (the list item itself). Lists whose items carry a merge key
(see `patches.list_key`) are owned item by item; other lists are owned as a whole.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

from .patches import list_key, strategic_merge_patch

Path = tuple[str, ...]
UNTRACKED_METADATA = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                      "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
                      "generateName"}


def tracked(obj: dict | None, subresource: str = "") -> dict:
    """The part of an object whose fields have owners (identity and bookkeeping excluded)."""
    if not obj:
        return {}
    if subresource == "status":
        return {"status": copy.deepcopy(obj["status"])} if "status" in obj else {}
    out = {k: copy.deepcopy(v) for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")}
    meta = {k: copy.deepcopy(v) for k, v in (obj.get("metadata") or {}).items() if k not in UNTRACKED_METADATA}
    if meta:
        out["metadata"] = meta
    return out


def _key_token(key: str, item: dict) -> str:
    return "k:" + json.dumps({key: item[key]}, separators=(",", ":"))


def fields_of(value: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(value, dict):
        return out
    for k, v in value.items():
        p = prefix + (f"f:{k}",)
        if isinstance(v, dict) and v:
            out |= fields_of(v, p)
        elif key := list_key(v):
            for item in v:
                kp = p + (_key_token(key, item),)
                out.add(kp + (".",))
                out |= fields_of(item, kp)
        else:
            out.add(p)
    return out


_MISSING = object()


def value_at(obj: Any, path: Path) -> Any:
    cur = obj
    for tok in path:
        if tok == ".":
            return cur
        if tok.startswith("f:"):
            if not isinstance(cur, dict) or tok[2:] not in cur:
                return _MISSING
            cur = cur[tok[2:]]
        elif tok.startswith("k:"):
            (key, want), = json.loads(tok[2:]).items()
            if not isinstance(cur, list):
                return _MISSING
            cur = next((i for i in cur if isinstance(i, dict) and i.get(key) == want), _MISSING)
            if cur is _MISSING:
                return _MISSING
        else:
            return _MISSING
    return cur


def delete_path(obj: Any, path: Path) -> None:
    if path and path[-1] == ".":
        parent, tok = value_at(obj, path[:-2]), path[-2]
        (key, want), = json.loads(tok[2:]).items()
        if isinstance(parent, list):
            parent[:] = [i for i in parent if not (isinstance(i, dict) and i.get(key) == want)]
        return
    parent = value_at(obj, path[:-1])
    if isinstance(parent, dict) and path[-1].startswith("f:"):
        parent.pop(path[-1][2:], None)


def to_fields_v1(paths: set[Path]) -> dict:
    root: dict = {}
    for path in sorted(paths):
        node = root
        for tok in path:
            node = node.setdefault(tok, {})
    return root


def from_fields_v1(tree: dict, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for tok, sub in (tree or {}).items():
        if tok == ".":
            out.add(prefix + (".",))
        elif tok.startswith("v:"):          # set-list items: we own such lists as a whole
            out.add(prefix)
        elif not sub:
            out.add(prefix + (tok,))
        else:
            out |= from_fields_v1(sub, prefix + (tok,))
    return out


def path_text(path: Path) -> str:
    """`.spec.template.spec.containers[name="web"].image`, the way conflicts name a field."""
    out = ""
    for tok in path:
        if tok.startswith("f:"):
            out += "." + tok[2:]
        elif tok.startswith("k:"):
            (key, want), = json.loads(tok[2:]).items()
            out += f"[{key}={json.dumps(want)}]"
    return out


@dataclass
class Entry:
    manager: str
    operation: str            # Apply | Update
    api_version: str
    subresource: str = ""
    fields: set[Path] = field(default_factory=set)
    time: str = ""

    def to_json(self) -> dict:
        out = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version,
               "time": self.time, "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(self.fields)}
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def read_entries(obj: dict | None) -> list[Entry]:
    out = []
    for e in ((obj or {}).get("metadata") or {}).get("managedFields") or []:
        out.append(Entry(e.get("manager", ""), e.get("operation", "Update"), e.get("apiVersion", ""),
                         e.get("subresource", ""), from_fields_v1(e.get("fieldsV1") or {}), e.get("time", "")))
    return out


def write_entries(obj: dict, entries: list[Entry]) -> None:
    obj.setdefault("metadata", {})["managedFields"] = [e.to_json() for e in entries if e.fields]


class ApplyConflict(Exception):
    def __init__(self, conflicts: dict[tuple[str, str, str], list[Path]]):
        self.conflicts = conflicts
        n = sum(len(v) for v in conflicts.values())
        parts = []
        for (manager, api_version, sub), paths in conflicts.items():
            who = f'"{manager}"' + (f' with subresource "{sub}"' if sub else "") + f" using {api_version}"
            if n == 1:
                parts.append(f"conflict with {who}: {path_text(paths[0])}")
            else:
                parts.append(f"conflicts with {who}:\n" + "\n".join(f"- {path_text(p)}" for p in sorted(paths)))
        self.message = f"Apply failed with {n} conflict{'s' if n > 1 else ''}: " + "\n".join(parts)
        self.causes = [{"reason": "FieldManagerConflict", "message": f'conflict with "{m}" using {v}',
                        "field": path_text(p)}
                       for (m, v, _s), paths in conflicts.items() for p in sorted(paths)]
        super().__init__(self.message)


def apply(live: dict | None, applied: dict, manager: str, *, force: bool, subresource: str,
          api_version: str) -> dict:
    """Server-side apply of `applied` by `manager` onto `live`; returns the new object.

    Raises ApplyConflict when another manager owns a field this one sets to a different value.
    """
    entries = read_entries(live)
    part = tracked(applied, subresource)
    new_set = fields_of(part)
    others = [e for e in entries if e.manager != manager and e.subresource == subresource]

    conflicts: dict[tuple[str, str, str], list[Path]] = {}
    for path in sorted(new_set):
        if path[-1] == ".":
            continue
        current = value_at(live, path)
        if current is _MISSING or current == value_at(part, path):
            continue
        for e in others:
            if path in e.fields:
                conflicts.setdefault((e.manager, e.api_version, e.subresource), []).append(path)
    if conflicts and not force:
        raise ApplyConflict(conflicts)
    for e in others:
        e.fields -= {p for paths in conflicts.values() for p in paths}

    result = copy.deepcopy(live) if live else {}
    mine = next((e for e in entries if e.manager == manager and e.operation == "Apply"
                 and e.subresource == subresource), None)
    owned_by_others = set().union(*(e.fields for e in others)) if others else set()
    if mine:
        for path in sorted(mine.fields - new_set, key=len, reverse=True):
            if path not in owned_by_others:
                delete_path(result, path)
    result = strategic_merge_patch(result, part)
    if mine is None:
        mine = Entry(manager, "Apply", api_version, subresource)
        entries.append(mine)
    if mine.fields != new_set or mine.api_version != api_version:
        mine.fields, mine.api_version, mine.time = new_set, api_version, now()
    write_entries(result, entries)
    return result


def record_update(old: dict | None, new: dict, manager: str, *, subresource: str, api_version: str) -> None:
    """Give `manager` (operation Update) the fields it changed, taking them from everyone else."""
    entries = read_entries(old)
    before, after = tracked(old, subresource), tracked(new, subresource)
    old_set, new_set = fields_of(before), fields_of(after)
    changed = {p for p in new_set
               if (p[-1] == "." and p not in old_set) or (p[-1] != "." and value_at(before, p) != value_at(after, p))}
    removed = old_set - new_set
    mine = None
    for e in entries:
        if e.subresource != subresource:
            continue
        if e.manager == manager and e.operation == "Update":
            mine = e
        e.fields -= removed
        if e is not mine:
            e.fields -= changed
    if changed:
        if mine is None:
            mine = Entry(manager, "Update", api_version, subresource)
            entries.append(mine)
        mine.fields |= changed
        mine.time, mine.api_version = now(), api_version
    write_entries(new, entries)
