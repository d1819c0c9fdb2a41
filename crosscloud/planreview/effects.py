"""What changes next: the stacks' reference graph, read from the synthesized documents.

A stack's plan is made against its upstream stacks' *current* state, so it cannot show what an
upstream change will do to it. This follows references instead: a changed upstream resource
-> the outputs that read it -> the downstream resources whose arguments read those outputs
(`terraform_remote_state`) -> the resources in that stack that read those, and so on. A changed
argument that is ForceNew in the real provider means a replacement.

ForceNew facts: alicloud from the provider schema file (aliyun/alicloud v1.289.0, `force_new`),
google from the ForceNew table kept beside the google schema (hashicorp/google 6.x) — both are
data about the real providers, also used by the sandbox.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..stackgraph import STACK_ORDER

REMOTE = re.compile(r"data\.terraform_remote_state\.cross-stack-reference-input-([\w-]+)\.outputs\.([\w-]+)")
RESOURCE = re.compile(r"\b((?:alicloud|google)_\w+\.\w+)\.(\w+)")
EVERY = "*"  # a replaced resource: every attribute (its id first of all) changes


@dataclass(frozen=True)
class Reader:
    stack: str
    address: str
    path: tuple[str, ...]  # the argument that holds the reference (block names, no indices)


@dataclass(frozen=True)
class Predicted:
    stack: str
    address: str
    kind: str  # replace | change
    path: str  # the argument that changes
    because: str  # e.g. "network output cross-stack-output-alicloud_vswitchvswitch_0id changes"


def _refs(value: Any, path: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        for expr in re.findall(r"\$\{([^}]*)\}", value):
            yield path, expr
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("//", "depends_on", "lifecycle", "provider"):
                yield from _refs(v, path + (k,))
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v, path)


class Graph:
    """Who reads what, across and within stacks."""

    def __init__(self, documents: dict[str, dict]):
        # (stack, output) -> [(resource address, attribute)] it reads
        self.output_sources: dict[tuple[str, str], set[tuple[str, str]]] = {}
        # (upstream stack, output) -> readers in downstream stacks
        self.output_readers: dict[tuple[str, str], list[Reader]] = {}
        # (stack, resource address) -> [(attribute read, reader)] within the stack
        self.resource_readers: dict[tuple[str, str], list[tuple[str, Reader]]] = {}
        self.types: dict[tuple[str, str], str] = {}
        for stack, doc in documents.items():
            for name, out in (doc.get("output") or {}).items():
                for _p, expr in _refs(out.get("value")):
                    for addr, attr in RESOURCE.findall(expr):
                        self.output_sources.setdefault((stack, name), set()).add((addr, attr))
            for rtype, bodies in (doc.get("resource") or {}).items():
                for rname, body in bodies.items():
                    address = f"{rtype}.{rname}"
                    self.types[(stack, address)] = rtype
                    for path, expr in _refs(body):
                        reader = Reader(stack, address, path)
                        for up, output in REMOTE.findall(expr):
                            self.output_readers.setdefault((up, output), []).append(reader)
                        for addr, attr in RESOURCE.findall(expr):
                            if addr != address:
                                self.resource_readers.setdefault((stack, addr), []).append((attr, reader))

    def outputs_reading(self, stack: str, address: str, attrs: set[str]) -> list[str]:
        return sorted(name for (s, name), sources in self.output_sources.items() if s == stack and any(
            a == address and (EVERY in attrs or attr in attrs) for a, attr in sources))

    def type_of(self, stack: str, address: str) -> str:
        return self.types.get((stack, address), address.split(".")[0])


@lru_cache(maxsize=1)
def _alicloud_schema() -> dict:
    path = Path(__file__).resolve().parent.parent / "sandbox" / "schemas" / "alicloud.json"
    return json.loads(path.read_text()).get("resources", {})


def force_new(rtype: str, path: tuple[str, ...]) -> bool:
    """Whether changing this argument replaces the object in the real provider."""
    if rtype.startswith("google_"):
        from ..sandbox.semantics import google_force_new

        return google_force_new(rtype)(path)
    node = _alicloud_schema().get(rtype) or {}
    for i, name in enumerate(path):
        if name in (node.get("attributes") or {}):
            return bool(node["attributes"][name].get("force_new"))
        block = (node.get("blocks") or {}).get(name)
        if block is None:
            return False
        if block.get("force_new"):
            return True
        node = block.get("block", block)
    return False


def predict(graph: Graph, changed: dict[tuple[str, str], set[str]],
            changed_outputs: dict[str, set[str]]) -> tuple[list[Predicted], set[tuple[str, str]]]:
    """Changes that follow once the planned ones are applied.

    changed: (stack, address) -> attributes that change (EVERY for a replacement), from the plans.
    changed_outputs: stack -> outputs its plan changes. Within a planned stack Terraform has
    already followed the references, so the planned changes are followed only across stacks."""
    out: dict[tuple[str, str], Predicted] = {}
    queue_outputs = [(s, o, f"{s} output {o} changes") for s in STACK_ORDER for o in sorted(changed_outputs.get(s, ()))]
    seen_outputs: set[tuple[str, str]] = set()
    pending: list[tuple[str, str, set[str], str]] = []  # stack, address, attributes that change, why

    def reach(reader: Reader, why: str) -> None:
        kind = "replace" if force_new(graph.type_of(reader.stack, reader.address), reader.path) else "change"
        key = (reader.stack, reader.address)
        old = out.get(key)
        if old and (old.kind == "replace" or kind == "change"):
            return
        if key in changed and (EVERY in changed[key] or kind == "change"):
            return  # the plan already has it
        out[key] = Predicted(reader.stack, reader.address, kind, ".".join(reader.path), why)
        pending.append((reader.stack, reader.address, {EVERY} if kind == "replace" else {reader.path[0]}, why))

    while queue_outputs or pending:
        while queue_outputs:
            stack, output, why = queue_outputs.pop(0)
            if (stack, output) in seen_outputs:
                continue
            seen_outputs.add((stack, output))
            for reader in graph.output_readers.get((stack, output), []):
                reach(reader, why)
        while pending:
            stack, address, attrs, why = pending.pop(0)
            for name in graph.outputs_reading(stack, address, attrs):
                queue_outputs.append((stack, name, f"{stack} output {name} changes ({address} {'is replaced' if EVERY in attrs else 'changes'})"))
            for attr, reader in graph.resource_readers.get((stack, address), []):
                if EVERY in attrs or attr in attrs:
                    reach(reader, f"{address}.{attr} changes")
    ordered = sorted(out.values(), key=lambda p: (STACK_ORDER.index(p.stack) if p.stack in STACK_ORDER else 99, p.address))
    return ordered, seen_outputs
