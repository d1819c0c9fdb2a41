"""Compare two synth output directories resource by resource, attribute by attribute — what a
reviewer of a pull request wants to see when the synthesized Terraform changes. cdktf metadata
("//") is ignored; each side may be JSON (cdk.tf.json) or HCL (cdk.tf)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SENSITIVE_KEYS = {"psk", "shared_secret", "kube_config", "client_key", "access_token"}
_MISSING = object()


class DiffError(RuntimeError):
    pass


@dataclass
class StackDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[dict]] = field(default_factory=dict)  # address -> [{path, old, new}]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def load_stacks(outdir: Path) -> dict[str, dict]:
    stacks_dir = Path(outdir) / "stacks"
    if not stacks_dir.is_dir():
        raise DiffError(f"{outdir}: not a synth output directory (no stacks/ inside); run crosscloud synth -o {outdir}")
    stacks = {}
    for d in sorted(p for p in stacks_dir.iterdir() if p.is_dir()):
        if (d / "cdk.tf.json").exists():
            stacks[d.name] = json.loads((d / "cdk.tf.json").read_text())
        elif (d / "cdk.tf").exists():
            stacks[d.name] = _from_hcl((d / "cdk.tf").read_text())
    return stacks


def _from_hcl(text: str) -> dict:
    import hcl2
    from hcl2 import SerializationOptions

    parsed = hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True, explicit_blocks=False))
    doc: dict[str, Any] = {}
    for kind in ("resource", "data"):
        for entry in parsed.get(kind, []):
            for rtype, named in entry.items():
                for body in named.values():
                    if "depends_on" in body:  # HCL references parse as "${ref}"; JSON writes "ref"
                        body["depends_on"] = [d[2:-1] if d.startswith("${") else d for d in body["depends_on"]]
                doc.setdefault(kind, {}).setdefault(rtype, {}).update(named)
    for kind in ("output", "variable"):
        for entry in parsed.get(kind, []):
            doc.setdefault(kind, {}).update(entry)
    for entry in parsed.get("provider", []):
        for name, body in entry.items():
            doc.setdefault("provider", {}).setdefault(name, []).append(body)
    if parsed.get("terraform"):
        doc["terraform"] = parsed["terraform"][0]
    return doc


def _items(doc: dict) -> dict[str, Any]:
    """Everything addressable in a stack, keyed by a Terraform-style address."""
    items: dict[str, Any] = {}
    for rtype, named in doc.get("resource", {}).items():
        items.update({f"{rtype}.{n}": body for n, body in named.items()})
    for rtype, named in doc.get("data", {}).items():
        items.update({f"data.{rtype}.{n}": body for n, body in named.items()})
    items.update({f"output.{n}": body for n, body in doc.get("output", {}).items()})
    items.update({f"variable.{n}": body for n, body in doc.get("variable", {}).items()})
    for name, configs in doc.get("provider", {}).items():
        items.update({f"provider.{name}[{i}]": c for i, c in enumerate(configs)})
    if "terraform" in doc:
        items["terraform"] = doc["terraform"]
    return items


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]  # HCL parses a single block as a one-item list; JSON writes an object
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k != "//" and k != "__is_block__":
                out.update(_flatten(v, f"{path}.{k}" if path else k))
        return out
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{path}[{i}]"))
        return out
    return {path: value}


def _shown(path: str, value: Any) -> Any:
    leaf = path.rsplit(".", 1)[-1].split("[")[0]
    if value is _MISSING:
        return None
    return "(sensitive)" if leaf in SENSITIVE_KEYS and not str(value).startswith("${") else value


def diff_dirs(old: Path, new: Path) -> dict[str, StackDiff]:
    a, b = load_stacks(old), load_stacks(new)
    result = {}
    for stack in sorted(set(a) | set(b)):
        ia, ib = _items(a.get(stack, {})), _items(b.get(stack, {}))
        d = StackDiff(added=sorted(set(ib) - set(ia)), removed=sorted(set(ia) - set(ib)))
        for address in sorted(set(ia) & set(ib)):
            fa, fb = _flatten(ia[address]), _flatten(ib[address])
            changes = [{"path": p, "old": _shown(p, fa.get(p, _MISSING)), "new": _shown(p, fb.get(p, _MISSING))}
                       for p in sorted(set(fa) | set(fb)) if fa.get(p, _MISSING) != fb.get(p, _MISSING)]
            if changes:
                d.changed[address] = changes
        result[stack] = d
    return result
