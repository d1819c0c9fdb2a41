"""Check rendered Kubernetes documents against the OpenAPI v3 schemas kept in ./schemas.

A small validator for the structural subset of OpenAPI v3 that Kubernetes CRDs use (see
schemas/README.md for the keywords). Every problem is reported, each naming the document
(kind namespace/name) and the field path, e.g.

    ServiceImport provider-ns/service1: spec.type: 'Bogus' is not one of ClusterSetIP, Headless
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any, Iterable, Iterator

import yaml

INT32 = (-(2**31), 2**31 - 1)


@functools.cache
def _schema_data() -> tuple[dict[tuple[str, str], dict], dict[str, dict], dict[str, dict[str, dict]]]:
    """(apiVersion, kind) -> schema; definition name -> schema; KubeVela definition kind -> type -> schema."""
    root = resources.files(__package__).joinpath("schemas")
    kinds: dict[tuple[str, str], dict] = {}
    definitions: dict[str, dict] = {}
    vela: dict[str, dict[str, dict]] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        if entry.name == "_definitions.yaml":
            definitions = data
        elif entry.name == "kubevela-definitions.yaml":
            vela = {"components": data["components"], "policies": data["policies"]}
        else:
            kinds[(data["apiVersion"], data["kind"])] = data["schema"]
    return kinds, definitions, vela


def known_kinds() -> list[tuple[str, str]]:
    """(apiVersion, kind) of every kind with a schema."""
    return sorted(_schema_data()[0])


def schema_for(api_version: str, kind: str) -> dict | None:
    return _schema_data()[0].get((api_version, kind))


def _describe(doc: Any) -> str:
    if not isinstance(doc, dict):
        return "<document>"
    kind = doc.get("kind") or "<no kind>"
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = meta.get("name") or "<no name>"
    ns = meta.get("namespace")
    return f"{kind} {ns}/{name}" if ns else f"{kind} {name}"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_type(value: Any, expected: str) -> bool:
    actual = _type_name(value)
    return actual == expected or (expected == "number" and actual == "integer")


def check(value: Any, schema: dict, path: str = "") -> Iterator[str]:
    """Yield "<path>: <problem>" for every way `value` breaks `schema`."""
    where = path or "<top level>"
    if "$ref" in schema:
        definitions = _schema_data()[1]
        name = schema["$ref"]
        if name not in definitions:
            raise KeyError(f"schema $ref {name!r} names no entry of _definitions.yaml")
        yield from check(value, definitions[name], path)
        return
    if schema.get("x-kubernetes-int-or-string"):
        if _type_name(value) not in ("integer", "string"):
            yield f"{where}: expected an integer or a string, got {_type_name(value)} {value!r}"
        return
    expected = schema.get("type")
    if expected and not _is_type(value, expected):
        yield f"{where}: expected {expected}, got {_type_name(value)} {value!r}"
        return
    if "enum" in schema and value not in schema["enum"]:
        yield f"{where}: {value!r} is not one of {', '.join(map(str, schema['enum']))}"
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            yield f"{where}: {value!r} is shorter than {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            yield f"{where}: {value!r} is longer than {schema['maxLength']} characters"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            yield f"{where}: {value!r} does not match {schema['pattern']}"
    if _type_name(value) == "integer":
        low = schema.get("minimum", INT32[0] if schema.get("format") == "int32" else None)
        high = schema.get("maximum", INT32[1] if schema.get("format") == "int32" else None)
        if low is not None and value < low:
            yield f"{where}: {value} is below the minimum {low}"
        if high is not None and value > high:
            yield f"{where}: {value} is above the maximum {high}"
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            yield f"{where}: has {len(value)} item(s); at least {schema['minItems']} required"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            yield f"{where}: has {len(value)} item(s); at most {schema['maxItems']} allowed"
        if "items" in schema:
            for i, item in enumerate(value):
                yield from check(item, schema["items"], _join(path, i))
    if isinstance(value, dict):
        yield from _check_object(value, schema, path)


def _check_object(value: dict, schema: dict, path: str) -> Iterator[str]:
    properties = schema.get("properties") or {}
    for name in schema.get("required", []):
        if name not in value:
            yield f"{_join(path, name)}: required field is missing"
    extra = schema.get("additionalProperties")
    open_ = schema.get("x-kubernetes-preserve-unknown-fields") or extra is True
    for key, item in value.items():
        if key in properties:
            yield from check(item, properties[key], _join(path, key))
        elif isinstance(extra, dict):
            yield from check(item, extra, _join(path, str(key)))
        elif not open_ and properties:
            allowed = ", ".join(sorted(properties))
            yield f"{_join(path, str(key))}: unknown field (allowed here: {allowed})"
        elif not open_ and extra is False:
            yield f"{_join(path, str(key))}: unknown field (none allowed here)"


def _check_vela(doc: dict) -> Iterator[str]:
    """Application component/policy `properties` against the KubeVela definition of their type."""
    vela = _schema_data()[2]
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    for field, table in (("components", vela["components"]), ("policies", vela["policies"])):
        entries = spec.get(field)
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            definition = table.get(entry.get("type"))
            if definition is not None and "properties" in entry:
                yield from check(entry["properties"], definition, f"spec.{field}[{i}].properties")


def _check_selector(doc: dict) -> Iterator[str]:
    """The API server's rule (not in the OpenAPI): the selector must select the pod template."""
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    selector = (spec.get("selector") or {}).get("matchLabels") if isinstance(spec.get("selector"), dict) else None
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    if isinstance(selector, dict):
        missing = {k: v for k, v in selector.items() if labels.get(k) != v}
        if missing:
            yield (f"spec.selector.matchLabels: {missing} not in spec.template.metadata.labels; "
                   "the selector must select the Deployment's own pods")


def validate_document(doc: Any) -> list[str]:
    """Every problem of one document, each prefixed with "<Kind> <namespace>/<name>: "."""
    label = _describe(doc)
    if not isinstance(doc, dict):
        return [f"{label}: a Kubernetes document must be a mapping, got {_type_name(doc)}"]
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    schema = schema_for(api_version, kind) if isinstance(api_version, str) and isinstance(kind, str) else None
    if schema is None:
        known = ", ".join(f"{a} {k}" for a, k in known_kinds())
        return [f"{label}: no schema for apiVersion {api_version!r} kind {kind!r} (known: {known})"]
    problems = list(check(doc, schema))
    if (api_version, kind) == ("core.oam.dev/v1beta1", "Application"):
        problems += _check_vela(doc)
    if (api_version, kind) == ("apps/v1", "Deployment"):
        problems += _check_selector(doc)
    return [f"{label}: {p}" for p in problems]


def validate(docs: Iterable[Any]) -> list[str]:
    """Every problem of every document against its kind's schema; empty when all are valid."""
    return [problem for doc in docs for problem in validate_document(doc)]
