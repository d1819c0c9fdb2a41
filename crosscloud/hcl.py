"""Synthesized Terraform JSON -> HCL that `terraform fmt -check` accepts.

CDKTF's own HCL output has open rendering bugs and JSON cannot say which keys are nested blocks,
so blocks are told apart from attributes with the provider schemas, and `terraform fmt` does the
final layout.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

from .schemas import provider_schema, type_schema

_SINGLE_INTERPOLATION = re.compile(r"^\$\{([^{}]*)\}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_META_BLOCKS = {"lifecycle": {}, "timeouts": {}}


class HclError(RuntimeError):
    pass


def expression(value: Any, indent: int = 0) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        whole = _SINGLE_INTERPOLATION.match(value)
        if whole:
            return whole.group(1)
        return json.dumps(value).replace("%{", "%%{")  # JSON string escapes are valid HCL escapes
    if isinstance(value, list):
        return "[" + ", ".join(expression(v, indent) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "  " * (indent + 1)
        items = [f"{pad}{_key(k)} = {expression(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + "  " * indent + "}"
    raise HclError(f"cannot render {type(value).__name__} as HCL")


def _key(key: str) -> str:
    return key if _IDENTIFIER.match(key) else json.dumps(key)


def _body(body: dict, schema: dict | None, indent: int) -> list[str]:
    blocks = dict(_META_BLOCKS)
    blocks.update((schema or {}).get("blocks", {}))
    pad = "  " * indent
    lines = []
    for key, value in body.items():
        if key == "//":
            continue  # cdktf metadata
        if key == "depends_on":
            lines.append(f"{pad}depends_on = [{', '.join(value)}]")
        elif key in blocks and isinstance(value, (dict, list)):
            for item in value if isinstance(value, list) else [value]:
                lines.append(f"{pad}{key} {{")
                lines += _body(item, blocks[key], indent + 1)
                lines.append(f"{pad}}}")
        else:
            lines.append(f"{pad}{key} = {expression(value, indent)}")
    return lines


def _labelled(kind: str, labels: list[str], body: list[str]) -> list[str]:
    head = " ".join([kind] + [json.dumps(label) for label in labels])
    return [head + " {"] + body + ["}", ""]


def _terraform_block(settings: dict) -> list[str]:
    lines = []
    for key, value in settings.items():
        if key == "backend":
            for backend, config in value.items():
                lines += ["  " + l for l in _labelled("backend", [backend], _body(config, None, 1))][:-1]
        elif key == "cloud":
            workspaces = value.get("workspaces", {})
            body = _body({k: v for k, v in value.items() if k != "workspaces"}, None, 2)
            body += ["    workspaces {"] + _body(workspaces, None, 3) + ["    }"]
            lines += ["  cloud {"] + body + ["  }"]
        elif key == "required_providers":
            lines += ["  required_providers {"] + [f"    {name} = {expression(req, 2)}" for name, req in value.items()] + ["  }"]
        else:
            lines.append(f"  {key} = {expression(value, 1)}")
    return ["terraform {"] + lines + ["}", ""]


def render_unformatted(doc: dict) -> str:
    out: list[str] = []
    if "terraform" in doc:
        out += _terraform_block(doc["terraform"])
    for name, configs in doc.get("provider", {}).items():
        schema = provider_schema(name)["provider"]["config"] if name in ("alicloud", "google") else None
        for config in configs:
            out += _labelled("provider", [name], _body(config, schema, 1))
    for name, var in doc.get("variable", {}).items():
        body = [f"  {k} = {v if k == 'type' else expression(v, 1)}" for k, v in var.items()]
        out += _labelled("variable", [name], body)
    for tf_type, items in doc.get("data", {}).items():
        for name, body in items.items():
            out += _labelled("data", [tf_type, name], _body(body, type_schema(tf_type, data_source=True), 1))
    for tf_type, items in doc.get("resource", {}).items():
        for name, body in items.items():
            out += _labelled("resource", [tf_type, name], _body(body, type_schema(tf_type), 1))
    for name, output in doc.get("output", {}).items():
        out += _labelled("output", [name], _body(output, None, 1))
    return "\n".join(out)


def terraform_fmt(text: str) -> str:
    terraform = shutil.which("terraform")
    if terraform is None:
        raise HclError("--hcl needs terraform (>= 1.5) on PATH to format the output")
    proc = subprocess.run([terraform, "fmt", "-no-color", "-"], input=text, capture_output=True, text=True)
    if proc.returncode != 0:
        raise HclError(f"terraform fmt rejected the rendered HCL:\n{proc.stderr.strip()}")
    return proc.stdout


def to_hcl(doc: dict) -> str:
    return terraform_fmt(render_unformatted(doc))
