"""The sandbox's provider schemas: loading the JSON data and walking values against it.

A schema file (``schemas/<provider>.json``) holds ``provider``, ``resources`` and
``data_sources``; each type is a *block*: ``{"attributes": {name: attr}, "blocks": {name: block}}``.
An attribute is ``{"type": T, "required"|"optional"|"computed"|"sensitive"|"write_only"|"force_new": true,
"default": value}`` with T one of ``"string" | "number" | "bool" | ["list"|"set"|"map", T]``.
A nested block adds ``"nesting": "single" | "list" | "object"`` and ``min_items``/``max_items``
(and, in the alicloud file, ``computed``/``force_new`` for Optional+Computed / ForceNew blocks).

Values follow Terraform's wire shape: a nested block is always a list of objects (a "single"
block is served as a LIST with max_items 1, the way SDKv2 providers declare it, so references
such as ``master_auth[0].cluster_ca_certificate`` resolve); an ``"object"`` block is Terraform's
NestingSingle (the SDK's ``timeouts`` block): one object or null, written ``timeouts { … }`` and
referenced without an index. ``UNKNOWN`` marks a value only known
after apply.

Only ``tf.types`` (tiny) is imported at module level; the protobuf side of ``tf`` loads in
:func:`to_tf_schema`, when a schema is served.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

# tf's own sentinel, so values encode unchanged on the wire
from tf.types import Unknown as UNKNOWN

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


@lru_cache(maxsize=None)
def load(provider: str) -> dict:
    """The schema document of ``provider`` ("alicloud" or "google")."""
    path = SCHEMA_DIR / f"{provider}.json"
    if not path.exists():
        raise FileNotFoundError(f"sandbox schema for provider {provider!r} not found at {path}")
    with path.open("rb") as fh:
        return json.loads(fh.read())


def block_of(doc: dict, type_name: str, data: bool = False) -> dict:
    section = doc["data_sources" if data else "resources"]
    return section[type_name]


# --------------------------------------------------------------------------------------------
# value helpers


def attr_equal(t: Any, a: Any, b: Any) -> bool:
    """Equality of two attribute values of type ``t`` (sets compare without order)."""
    if a is UNKNOWN or b is UNKNOWN:
        return a is b
    if isinstance(t, list) and t[0] == "set" and isinstance(a, list) and isinstance(b, list):
        return sorted(map(repr, a)) == sorted(map(repr, b))
    return a == b


def blank(block: dict) -> dict:
    """An object of ``block`` with every attribute null and every nested block empty."""
    out: dict[str, Any] = {k: None for k in block.get("attributes", {})}
    out.update({k: None if nb.get("nesting") == "object" else [] for k, nb in block.get("blocks", {}).items()})
    return out


def is_object(nb: dict) -> bool:
    return nb.get("nesting") == "object"


def normalise(block: dict, value: dict | None) -> dict | None:
    """``value`` reshaped to ``block``: missing keys filled, unknown keys dropped (recursively)."""
    if value is None:
        return None
    out: dict[str, Any] = {}
    for name in block.get("attributes", {}):
        out[name] = value.get(name)
    for name, nb in block.get("blocks", {}).items():
        items = value.get(name)
        if is_object(nb):
            if isinstance(items, list):
                items = items[0] if items else None
            out[name] = normalise(nb, items) if isinstance(items, dict) else None
            continue
        if isinstance(items, dict):  # a single object where a list is expected
            items = [items]
        out[name] = [normalise(nb, it) for it in (items or []) if isinstance(it, dict)]
    return out


def finalise(block: dict, value: dict) -> dict:
    """Replace every value still unknown by null (what an apply must return: all known)."""
    out: dict[str, Any] = {}
    for name in block.get("attributes", {}):
        out[name] = _known_or_null(value.get(name))
    for name, nb in block.get("blocks", {}).items():
        items = value.get(name)
        if is_object(nb):
            out[name] = finalise(nb, items) if isinstance(items, dict) else None
            continue
        out[name] = [finalise(nb, it) for it in items] if isinstance(items, list) else []
    return out


def _known_or_null(v: Any) -> Any:
    if v is UNKNOWN:
        return None
    if isinstance(v, list):
        return [_known_or_null(x) for x in v if x is not UNKNOWN]
    if isinstance(v, dict):
        return {k: _known_or_null(x) for k, x in v.items() if x is not UNKNOWN}
    return v


# --------------------------------------------------------------------------------------------
# planning


def plan_new(block: dict, proposed: dict, config: dict | None,
             defaults: dict[str, Any] | None = None,
             computed_blocks: set[str] | frozenset = frozenset()) -> dict:
    """The planned value of a new object.

    Non-computed attributes keep their configured value (or the schema default when unset);
    computed attributes left unset become unknown, at every nesting level. A computed block
    (Optional+Computed in the real provider) that the configuration leaves out is planned as
    wholly unknown, the way SDKv2 providers do it, so references like ``x[0].y`` stay valid.
    """
    defaults = defaults or {}
    config = config or {}
    out: dict[str, Any] = {}
    for name, attr in block.get("attributes", {}).items():
        v = proposed.get(name)
        if v is None:
            if "default" in attr:
                v = attr["default"]
            elif name in defaults:
                v = defaults[name]
            elif attr.get("computed"):
                v = UNKNOWN
        out[name] = v
    for name, nb in block.get("blocks", {}).items():
        items = proposed.get(name)
        cfg_items = config.get(name) if isinstance(config, dict) else None
        if is_object(nb):  # no computed values inside (the timeouts block)
            out[name] = items
            continue
        if items is UNKNOWN:
            out[name] = UNKNOWN
        elif not items and (nb.get("computed") or name in computed_blocks) and not cfg_items:
            out[name] = UNKNOWN
        else:
            out[name] = [
                plan_new(nb, it, cfg_items[i] if isinstance(cfg_items, list) and i < len(cfg_items) else None)
                if isinstance(it, dict) else it
                for i, it in enumerate(items or [])
            ]
    return out


def plan_update(block: dict, prior: dict, proposed: dict, config: dict | None,
                defaults: dict[str, Any] | None = None,
                computed_blocks: set[str] | frozenset = frozenset()) -> dict:
    """The planned value of an existing object: what is configured, prior values elsewhere.

    Terraform's proposed value already carries prior values of computed attributes the
    configuration leaves unset; here schema defaults are applied, computed blocks the
    configuration leaves out keep their prior value, and computed attributes inside block
    elements that did not exist before become unknown.
    """
    defaults = defaults or {}
    config = config or {}
    out: dict[str, Any] = {}
    for name, attr in block.get("attributes", {}).items():
        v = proposed.get(name)
        if v is None and not attr.get("computed"):
            if "default" in attr:
                v = attr["default"]
            elif name in defaults:
                v = defaults[name]
        out[name] = v
    for name, nb in block.get("blocks", {}).items():
        items = proposed.get(name)
        if is_object(nb):
            out[name] = items
            continue
        before = prior.get(name) or []
        cfg_items = config.get(name) if isinstance(config, dict) else None
        if (nb.get("computed") or name in computed_blocks) and not cfg_items and not items:
            out[name] = before
            continue
        if not isinstance(items, list):
            out[name] = items
            continue
        planned = []
        for i, it in enumerate(items):
            cfg_it = cfg_items[i] if isinstance(cfg_items, list) and i < len(cfg_items) else None
            if not isinstance(it, dict):
                planned.append(it)
            elif i < len(before) and isinstance(before[i], dict):
                planned.append(plan_update(nb, before[i], it, cfg_it))
            else:
                planned.append(plan_new(nb, it, cfg_it))
        out[name] = planned
    return out


def changed(block: dict, prior: dict, planned: dict) -> bool:
    """Whether anything a user can set differs between ``prior`` and ``planned``."""
    for name, attr in block.get("attributes", {}).items():
        if attr.get("computed") and not attr.get("optional") and not attr.get("required"):
            continue
        if not attr_equal(attr["type"], prior.get(name), planned.get(name)):
            return True
    for name, nb in block.get("blocks", {}).items():
        a, b = prior.get(name), planned.get(name)
        if a is UNKNOWN or b is UNKNOWN:
            if a is not b:
                return True
            continue
        if is_object(nb):
            if (a is None) != (b is None) or (a is not None and changed(nb, a, b)):
                return True
            continue
        a, b = a or [], b or []
        if len(a) != len(b):
            return True
        if any(changed(nb, x, y) for x, y in zip(a, b)):
            return True
    return False


def replace_paths(block: dict, prior: dict, planned: dict,
                  force_new: Callable[[tuple], bool] | None = None, path: tuple = ()) -> list[tuple]:
    """Paths whose change forces replacement.

    ``force_new(path_without_indices)`` says whether an attribute or block is ForceNew; by
    default the schema's own ``force_new`` flags decide.
    """
    out: list[tuple] = []
    names = tuple(p for p in path if isinstance(p, str))
    for name, attr in block.get("attributes", {}).items():
        flagged = force_new(names + (name,)) if force_new else attr.get("force_new")
        if flagged and not attr_equal(attr["type"], prior.get(name), planned.get(name)):
            out.append(path + (name,))
    for name, nb in block.get("blocks", {}).items():
        a, b = prior.get(name), planned.get(name)
        flagged = force_new(names + (name,)) if force_new else nb.get("force_new")
        if is_object(nb):
            continue  # timeouts never force replacement
        a_l = a if isinstance(a, list) else []
        b_l = b if isinstance(b, list) else []
        if flagged:
            if a is UNKNOWN or b is UNKNOWN or len(a_l) != len(b_l) or any(
                    changed(nb, x, y) for x, y in zip(a_l, b_l)):
                out.append(path + (name,))
            continue
        for i in range(max(len(a_l), len(b_l))):
            x = a_l[i] if i < len(a_l) else blank(nb)
            y = b_l[i] if i < len(b_l) else blank(nb)
            out.extend(replace_paths(nb, x, y, force_new, path + (name, i)))
    return out


# --------------------------------------------------------------------------------------------
# protobuf schema (lazy tf import)


def _tf_type(t: Any):
    from tf import types as tft  # noqa: PLC0415

    if t == "string":
        return tft.String()
    if t == "number":
        return tft.Number()
    if t == "bool":
        return tft.Bool()
    kind, elem = t
    if kind == "object" or (isinstance(elem, list) and elem[0] == "object"):
        return _RawType(t)
    return {"list": tft.List, "set": tft.Set, "map": tft.Map}[kind](_tf_type(elem))


class _RawType:
    """A type ``tf.types`` lacks (objects): served by its cty JSON notation, values pass as-is."""

    def __init__(self, t: Any):
        self.t = t

    def tf_type(self) -> bytes:
        return json.dumps(self.t, separators=(",", ":")).encode()

    def encode(self, value):
        return value

    def decode(self, value):
        return value

    def semantically_equal(self, a, b):
        return a == b


def _list_nested_block_class():
    from tf.gen import tfplugin_pb2 as pb  # noqa: PLC0415
    from tf.schema import NestedBlock, NestMode  # noqa: PLC0415

    class ListNestedBlock(NestedBlock):
        """A LIST nested block (``tf`` 1.2.0 only ships SET). A "single" block of the schema
        files is served as a LIST with max_items 1, as SDKv2 providers declare them."""

        def __init__(self, type_name, block, min_items=None, max_items=None, single=False):
            super().__init__(type_name, NestMode.Set, block, min_items=min_items, max_items=max_items)
            self.single = single

        def to_pb(self):
            mode = pb.Schema.NestedBlock.NestingMode
            if self.single:  # NestingSingle: no item counts on the wire
                return pb.Schema.NestedBlock(type_name=self.type_name, block=self.block.to_pb(),
                                             nesting=mode.SINGLE)
            return pb.Schema.NestedBlock(
                type_name=self.type_name, block=self.block.to_pb(),
                min_items=self.min_items, max_items=self.max_items,
                nesting=mode.LIST,
            )

        # values are handled by the sandbox servicer on raw wire data; these keep tf's
        # generic code paths usable all the same
        def encode(self, value):
            return value

        def decode(self, value):
            return value

        def semantically_equal(self, a, b):
            return a == b

    return ListNestedBlock


def write_only_names(block: dict) -> list[str]:
    """Top-level write-only attributes: never in plan or state (Terraform >= 1.11)."""
    return [n for n, a in block.get("attributes", {}).items() if a.get("write_only")]


@lru_cache(maxsize=None)
def _write_only_attribute_class():
    from tf.schema import Attribute  # noqa: PLC0415

    class WriteOnlyAttribute(Attribute):
        # tf 1.2.0's protobuf predates tfplugin6 Schema.Attribute.write_only (field 11, varint):
        # append it as raw wire bytes: protobuf keeps them as an unknown field and re-serializes
        # them, and Terraform reads them as write_only.
        def to_pb(self):
            msg = super().to_pb()
            msg.MergeFromString(b"\x58\x01")
            return msg

    return WriteOnlyAttribute


def to_tf_block(block: dict):
    """``tf.schema`` objects (attributes, nested blocks) for one schema block."""
    from tf.schema import Attribute, Block  # noqa: PLC0415

    ListNestedBlock = _list_nested_block_class()

    def attrs(b: dict):
        return [
            (_write_only_attribute_class() if a.get("write_only") else Attribute)(
                name, _tf_type(a["type"]),
                required=bool(a.get("required")), optional=bool(a.get("optional")),
                computed=bool(a.get("computed")), sensitive=bool(a.get("sensitive")) or None,
                requires_replace=bool(a.get("force_new")),
            )
            for name, a in b.get("attributes", {}).items()
        ]

    def blocks(b: dict):
        out = []
        for name, nb in b.get("blocks", {}).items():
            max_items = nb.get("max_items", 1 if nb.get("nesting") == "single" else None)
            out.append(ListNestedBlock(
                name, Block(attributes=attrs(nb), block_types=blocks(nb)),
                min_items=nb.get("min_items") or None, max_items=max_items or None,
                single=is_object(nb),
            ))
        return out

    return attrs(block), blocks(block)


def to_tf_schema(block: dict):
    from tf.schema import Schema  # noqa: PLC0415

    attributes, block_types = to_tf_block(block)
    return Schema(attributes=attributes, block_types=block_types, version=0)
