"""One stack's plan JSON (`terraform show -json`, format 1.x) -> what a reviewer reads.

Masking happens here, once: a value is shown only if Terraform did not mark it sensitive, its
attribute is not a known secret field, and it does not contain a secret crosscloud knows (the
IPsec pre-shared key). Nothing else in the package sees raw plan values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

SENSITIVE = "(sensitive value)"
UNKNOWN = "(known after apply)"
# Attribute names that hold the pre-shared key in the providers we use, masked even where the
# provider schema does not mark them sensitive (alicloud v1.289.0 tunnel_ike_config.psk is not).
SECRET_FIELDS = {"psk", "shared_secret", "ipsec_psk", "kube_config", "client_key", "password"}

# plan JSON actions -> our words (Terraform's own order: create, update, replace, delete)
KINDS = ("add", "change", "replace", "destroy")
SIGNS = {"add": "+", "change": "~", "replace": "-/+", "destroy": "-", "forget": "."}


def action_kind(actions: Sequence[str]) -> str | None:
    """plan JSON `actions` -> add | change | replace | destroy | forget; None for no-op/read."""
    acts = list(actions)
    if acts in (["no-op"], ["read"]) or not acts:
        return None
    if set(acts) == {"create", "delete"}:
        return "replace"
    return {"create": "add", "update": "change", "delete": "destroy", "forget": "forget"}.get(acts[0], acts[0])


@dataclass(frozen=True)
class AttrChange:
    path: str  # e.g. "cidr_block", "tunnel_options_specification[0].status"
    before: str  # display text, already masked
    after: str


@dataclass
class ResourceChange:
    stack: str
    address: str
    type: str
    kind: str  # add | change | replace | destroy | forget
    attributes: list[AttrChange] = field(default_factory=list)
    forced_by: list[str] = field(default_factory=list)  # replace_paths, as attribute paths
    reason: str = ""  # Terraform's action_reason, when it gives one

    @property
    def top_attrs(self) -> set[str]:
        return {a.path.split("[")[0].split(".")[0] for a in self.attributes}

    def as_dict(self) -> dict:
        return {"address": self.address, "type": self.type, "action": self.kind, "forced_by": self.forced_by,
                "reason": self.reason, "attributes": [{"path": a.path, "before": a.before, "after": a.after}
                                                       for a in self.attributes]}


@dataclass
class StackPlan:
    stack: str
    planned: bool
    reason: str = ""  # why it was not planned
    changes: list[ResourceChange] = field(default_factory=list)
    drift: list[ResourceChange] = field(default_factory=list)
    status_only_drift: int = 0  # refreshed objects whose only differences are read-only status
    outputs: dict[str, str] = field(default_factory=dict)  # output name -> add | change | destroy

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for c in self.changes if c.kind == k) for k in KINDS}

    @property
    def changed(self) -> bool:
        return bool(self.changes) or bool(self.outputs)


class Masker:
    def __init__(self, secrets: Sequence[str] = ()):
        self.secrets = [s for s in secrets if s]

    def text(self, value: Any) -> str:
        shown = json.dumps(value, sort_keys=True, separators=(",", ":"))
        raw = value if isinstance(value, str) else shown
        return SENSITIVE if any(s in raw or s in shown for s in self.secrets) else shown


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _sub(tree: Any, key: Any) -> Any:
    """The sensitivity/unknown tree below `key` (a bool applies to the whole subtree)."""
    if isinstance(tree, bool):
        return tree
    if isinstance(tree, dict):
        return tree.get(key, False)
    if isinstance(tree, list) and isinstance(key, int) and key < len(tree):
        return tree[key]
    return False


def _leaves(before: Any, after: Any, unknown: Any, b_sens: Any, a_sens: Any, path: str, masker: Masker,
            out: list[AttrChange], in_secret_field: bool = False) -> None:
    if unknown is True:
        if before is not None or path:
            b = SENSITIVE if (b_sens is True or in_secret_field) and before is not None else _show(before, masker)
            out.append(AttrChange(path, b, UNKNOWN))
        return
    both_dicts = isinstance(before, dict) and isinstance(after, dict)
    both_lists = isinstance(before, list) and isinstance(after, list) and len(before) == len(after)
    if (both_dicts or both_lists) and b_sens is not True and a_sens is not True:
        extra = set(unknown) if both_dicts and isinstance(unknown, dict) else set()  # unknown, absent from after
        keys = sorted(set(before) | set(after) | extra) if both_dicts else range(len(after))
        for k in keys:
            b = before.get(k) if both_dicts else before[k]
            a = after.get(k) if both_dicts else after[k]
            secret = in_secret_field or (isinstance(k, str) and k in SECRET_FIELDS)
            _leaves(b, a, _sub(unknown, k), _sub(b_sens, k), _sub(a_sens, k), _join(path, k), masker, out, secret)
        return
    if isinstance(after, (dict, list)) and not isinstance(unknown, bool) and unknown and before is None:
        # a new block with unknown parts inside: descend so those read "known after apply"
        _leaves({} if isinstance(after, dict) else [None] * len(after), after, unknown, b_sens, a_sens, path,
                masker, out, in_secret_field)
        return
    if before == after:
        return
    masked_b = (b_sens is True or in_secret_field or _has_true(b_sens)) and before is not None
    masked_a = (a_sens is True or in_secret_field or _has_true(a_sens)) and after is not None
    out.append(AttrChange(path, SENSITIVE if masked_b else _show(before, masker),
                          SENSITIVE if masked_a else _show(after, masker)))


def _has_true(tree: Any) -> bool:
    if tree is True:
        return True
    if isinstance(tree, dict):
        return any(_has_true(v) for v in tree.values())
    if isinstance(tree, list):
        return any(_has_true(v) for v in tree)
    return False


def _show(value: Any, masker: Masker) -> str:
    if value is None:
        return "null"
    return masker.text(value)


def attribute_changes(change: dict, masker: Masker) -> list[AttrChange]:
    before, after = change.get("before"), change.get("after")
    out: list[AttrChange] = []
    if after is None:  # destroyed: the address says it all
        return out
    _leaves(before if before is not None else {}, after, change.get("after_unknown") or {},
            change.get("before_sensitive") or {}, change.get("after_sensitive") or {}, "", masker, out)
    # a new object: listing null arguments says nothing
    return [a for a in out if not (before is None and a.after in ("null", "[]", "{}"))]


def path_text(path: Sequence[Any]) -> str:
    text = ""
    for step in path:
        text = _join(text, step)
    return text


def resource_change(stack: str, rc: dict, masker: Masker) -> ResourceChange | None:
    change = rc.get("change") or {}
    kind = action_kind(change.get("actions") or [])
    if kind is None:
        return None
    return ResourceChange(stack=stack, address=rc.get("address", "?"), type=rc.get("type", ""), kind=kind,
                          attributes=attribute_changes(change, masker),
                          forced_by=sorted({path_text(p) for p in change.get("replace_paths") or []}),
                          reason=rc.get("action_reason", ""))


def _configured(config: Any, path: str) -> bool:
    """Whether the synthesized configuration sets the attribute at `path` (so a change there was
    made by someone, not by the cloud's own status reporting)."""
    node = config
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(node, dict) and not part.isdigit():
            if part not in node:
                return False
            node = node[part]
        elif part.isdigit():
            if isinstance(node, dict):  # a max-one block synthesized as one object
                node = node if part == "0" else None
            elif isinstance(node, list) and int(part) < len(node):
                node = node[int(part)]
            else:
                return False
        else:
            return False
    return True


def stack_plan(stack: str, plan: dict, masker: Masker, config: dict | None = None) -> StackPlan:
    """`config`: the stack's synthesized document; with it, drift on attributes the
    configuration does not set (status, timestamps) is counted, not listed."""
    sp = StackPlan(stack, planned=True)
    for rc in sorted(plan.get("resource_changes") or [], key=lambda r: r.get("address", "")):
        c = resource_change(stack, rc, masker)
        if c:
            sp.changes.append(c)
    resources = (config or {}).get("resource") or {}
    for rc in sorted(plan.get("resource_drift") or [], key=lambda r: r.get("address", "")):
        c = resource_change(stack, rc, masker)
        if c is None:
            continue
        body = (resources.get(c.type) or {}).get(rc.get("name", ""), None)
        if c.kind == "change" and config is not None:
            c.attributes = [a for a in c.attributes if body is not None and _configured(body, a.path)]
            if not c.attributes:
                sp.status_only_drift += 1
                continue
        sp.drift.append(c)
    for name, oc in sorted((plan.get("output_changes") or {}).items()):
        kind = action_kind(oc.get("actions") or [])
        if kind:
            sp.outputs[name] = kind
    return sp
