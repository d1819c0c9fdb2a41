"""HCL synthesis for the thin L1 classes (google and alicloud), i.e. `cdktn|cdktf synth --hcl`.

The CDK prints HCL itself (cdktn 0.24 lib/hcl/render.js) from what each resource, data source and
provider returns from `synthesizeHclAttributes`: per argument a descriptor
``{"value", "isBlock", "type": "simple"|"list"|"set"|"map"|"struct"|"any"|"reference",
"storageClassType"}``, which the prebuilt classes generate field by field. Ours are derived at
synth time from the arguments' JSON form plus the provider schema that crosscloud's own `--hcl`
(crosscloud/hcl.py) reads, so both HCL outputs draw the block/attribute line in the same place.
Only the HCL path calls this (and loads the schema); JSON synthesis never does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..schemas import provider_schema, type_schema

# Blocks the SDK adds to every resource that a schema may leave out (as crosscloud/hcl.py does).
_META_BLOCKS = {"timeouts": {}}
# What render.js's renderString cannot print: it escapes only `"` and turns line breaks into a
# heredoc (which adds a trailing newline), so such literals are printed here, escaped as HCL.
_NEEDS_ESCAPING = re.compile(r"[\\\x00-\x1f\x7f]")


def resource_hcl(tf_type: str, arguments: dict[str, Any], *, data_source: bool = False) -> dict[str, Any]:
    return hcl_attributes(arguments, type_schema(tf_type, data_source=data_source))


def provider_hcl(provider: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return hcl_attributes(arguments, provider_schema(provider)["provider"]["config"])


def hcl_attributes(arguments: dict[str, Any], schema: dict | None) -> dict[str, Any]:
    """JSON-form arguments -> the CDK's HCL attribute descriptors (blocks by the schema)."""
    blocks = dict(_META_BLOCKS)
    blocks.update((schema or {}).get("blocks", {}))
    attributes = (schema or {}).get("attributes", {})
    out = {}
    for name, value in arguments.items():
        if name in blocks and _is_block_value(value):
            out[name] = _block(value, blocks[name])
        else:
            out[name] = _attribute(value, attributes.get(name, {}).get("type"))
    return out


def _is_block_value(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and all(isinstance(v, dict) for v in value))


def _block(value: dict | list, schema: dict) -> dict[str, Any]:
    if isinstance(value, dict):  # a single block (nesting single/object, or max_items 1)
        return _descriptor(hcl_attributes(value, schema), "struct", "object", block=True)
    kind = "set" if schema.get("nesting") == "set" else "list"
    return _descriptor([hcl_attributes(v, schema) for v in value], kind, "objectList", block=True)


def _attribute(value: Any, tf_type: Any) -> dict[str, Any]:
    collection = tf_type[0] if isinstance(tf_type, list) else None
    if isinstance(value, str):
        if "${" not in value and _NEEDS_ESCAPING.search(value):
            return _descriptor(json.dumps(value, ensure_ascii=False), "reference", "string")  # printed as is
        return _descriptor(value, "simple", "string")
    if isinstance(value, bool):
        return _descriptor(value, "simple", "boolean")
    if isinstance(value, (int, float)):
        return _descriptor(value, "simple", "number")
    if isinstance(value, list) and all(isinstance(v, str) and not _NEEDS_ESCAPING.search(v) for v in value):
        return _descriptor(value, "set" if collection == "set" else "list", "stringList")
    if isinstance(value, dict) and all(isinstance(v, str) and not _NEEDS_ESCAPING.search(v) for v in value.values()):
        return _descriptor(value, "map", "stringMap")
    # numbers/bools in collections, objects: render.js prints these from their JSON shape
    return _descriptor(value, "any", "any")


def _descriptor(value: Any, kind: str, storage: str, *, block: bool = False) -> dict[str, Any]:
    return {"value": value, "isBlock": block, "type": kind, "storageClassType": storage}


def with_bare_depends_on(hcl: dict[str, Any], depends_on: Any) -> dict[str, Any]:
    """`toHclTerraform()` output with `depends_on` printed as bare references.

    render.js prints the list as quoted strings (`depends_on = ["a.b"]`), a form Terraform still
    reads but warns is deprecated ("Quoted references are deprecated"); a `reference` descriptor
    is printed as it stands, so `depends_on = [a.b]`, like crosscloud's own HCL."""
    from ..cdk import TerraformDataSource, TerraformResource

    addresses = []
    for dep in depends_on or ():
        if isinstance(dep, TerraformDataSource):
            addresses.append(f"data.{dep.terraform_resource_type}.{dep.friendly_unique_id}")
        elif isinstance(dep, TerraformResource):
            addresses.append(f"{dep.terraform_resource_type}.{dep.friendly_unique_id}")
        else:  # anything else (a module, a raw string) keeps the CDK's own rendering
            return hcl
    for kind in ("resource", "data"):
        for bodies in (hcl.get(kind) or {}).values():
            for body in bodies.values():
                if addresses and body.get("depends_on"):
                    body["depends_on"] = {"value": f"[{', '.join(addresses)}]", "type": "reference"}
    return hcl
