#!/usr/bin/env python3
"""Derive the Terraform schemas of the google resources we use from the prebuilt CDK Terrain package.

Writes ``crosscloud/sandbox/schemas/google.json`` for the types in ``TYPES`` plus the provider
configuration, reading the jsii assembly of ``cdktn-provider-google`` straight out of its
tarball (``_jsii/provider-google@<ver>.jsii.tgz``) -- the Python package is never imported.

    python scripts/derive_google_schema.py            # (re)write google.json
    python scripts/derive_google_schema.py --check    # exit 1 if google.json is stale

Derivation rules (checked against compute_network, compute_firewall, compute_subnetwork,
container_cluster and google_client_config):

* Type lookup.  A resource/data-source class is found through its initializer doc link
  ``{@link https://registry.terraform.io/providers/hashicorp/google/<ver>/docs/<resources|data-sources>/<x> google_<x>}``
  (the ``tfResourceType`` constant has no value in the assembly).  The provider class is the
  one whose link is ``.../google/<ver>/docs``; ``source`` and ``version`` come from that link.
* Arguments.  The class initializer's ``config`` struct (``*Config``) lists the arguments; a
  property's Terraform name is the anchor of its ``{@link ...#<name> ...}`` doc link, never a
  camelCase conversion.  ``optional`` absent in jsii => ``required``.  cdktf meta-arguments
  (connection, count, depends_on, for_each, lifecycle, provider, provisioners; ``alias`` for
  the provider) are not part of the provider schema and are dropped.
* Types.  ``string``/``number`` primitives map directly; ``boolean | IResolvable`` is ``bool``;
  ``T[]`` is a list, ``{[k]: T}`` a map.  jsii cannot tell a list from a set (both are
  ``T[]``), see "Sources" below.
* Blocks.  A property whose type is a struct is a block CDKTF renders as one object:
  ``nesting: "single", max_items: 1``.  ``Struct[] | IResolvable`` is a list of structs:
  ``nesting: "list"`` -- this covers real list/set blocks and "attribute-as-block" attributes
  of object type alike.  A required block property gets ``min_items: 1``.  Nested structs are
  derived recursively the same way.
* Computed-only attributes.  Getters on the resource class (or, for nested blocks, on the
  block's ``*OutputReference`` class) that match no config property and are not the
  ``<prop>Input`` accessor of one.  Getter types: ``string``/``number``/``string[]``/
  ``number[]``; ``IResolvable`` is a computed ``bool``; ``cdktf.StringMap`` & co. are maps; a
  getter returning a ``*List`` class is a computed-only list of objects, which we emit as a
  ``nesting: "list"`` block whose attributes are all computed and which carries
  ``"computed": true`` (the format has no object type; in the real schema these are
  attributes of type list(object)).  Getters returning ``*OutputReference``/``*List`` for a
  matching config property are just the block accessors.
* ``id`` comes out optional+computed on every resource (SDKv2 adds it that way); on the
  framework data source google_client_config the package says computed-only, and we keep that.

Sources (computed flag of settable attributes, list vs set).  The assembly alone cannot tell
optional from optional+computed, nor list from set.  The same tarball also ships the compiled
``lib/<module>/**/*.js`` with inline source maps whose ``sourcesContent`` is the generated
TypeScript; the CDKTF generator writes one comment per schema attribute there:
``// <tf_name> - computed: <bool>, optional: <bool>, required: <bool>`` in the resource class and
in every ``*OutputReference`` class, and a set-typed attribute's getter is
``cdktf.Fn.tolist(this.getListAttribute(...))`` (HCL synthesis says ``type: "set"``).  We read
those comments (the class is located through the jsii ``locationInModule`` file) and use them
for ``computed`` and for sets; every comment is cross-checked against the assembly (same name,
same required-ness, every schema attribute accounted for) and a mismatch aborts.  Blocks carry
``computed: false`` in those comments (Terraform blocks cannot be computed), so blocks never
get a computed flag except the computed-only lists above.  When no source is available for a
class (an assembly from ``load_assembly(with_sources=False)``, or the provider's nested
structs, which have no OutputReference class), the fallback is conservative: optional attributes are marked
``"computed": true`` as well (except in the provider configuration, which Terraform never
computes), and ``T[]`` is a list.

Sensitivity.  Neither the assembly nor the generated sources carry ``sensitive``; it is taken
from ``KNOWN_SENSITIVE`` below, which was checked against the hashicorp/terraform-provider-google
sources at tag v6.50.0 (``Sensitive: true`` occurs exactly for these attributes of our types;
the provider's own ``credentials``/``access_token`` are *not* sensitive there; not re-checked
at 8.7.0).  Write-only flags likewise come from ``KNOWN_WRITE_ONLY``.  Every entry must
resolve to a derived attribute, so a rename in a new package version fails loudly.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import posixpath
import re
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

PACKAGE = "cdktn_provider_google"
ASSEMBLY_MEMBER = "package/.jsii"
#: Key under which ``load_assembly`` attaches the generated TypeScript (not a jsii key).
SOURCES_KEY = "x-crosscloud-generated-sources"
REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "crosscloud" / "sandbox" / "schemas" / "google.json"

#: Resource types are plain names, data sources are prefixed with ``data.``.
TYPES = [
    "google_compute_network",
    "google_compute_subnetwork",
    "google_compute_firewall",
    "google_compute_address",
    "google_compute_vpn_gateway",
    "google_compute_forwarding_rule",
    "google_compute_vpn_tunnel",
    "google_compute_route",
    "google_container_cluster",
    "google_container_node_pool",
    "google_project_service",
    "data.google_client_config",
]

#: (type, dotted path) of attributes that are ``Sensitive: true`` in the provider (v6.50.0).
KNOWN_SENSITIVE = {
    ("google_compute_vpn_tunnel", "shared_secret"),
    ("google_container_cluster", "master_auth.client_key"),
    ("data.google_client_config", "access_token"),
}

#: (type, dotted path) of attributes the provider declares write-only (Terraform >= 1.11: never in
#: plan or state; only ephemeral values may be given to them). hashicorp/google 8.7.0 docs,
#: resources/compute_vpn_tunnel: "shared_secret_wo - (Optional, Write-Only)". jsii cannot tell.
KNOWN_WRITE_ONLY = {
    ("google_compute_vpn_tunnel", "shared_secret_wo"),
}

META_ARGUMENTS = {"connection", "count", "depends_on", "for_each", "lifecycle", "provider", "provisioners"}
PROVIDER_META_ARGUMENTS = {"alias"}

_REGISTRY_LINK = re.compile(
    r"\{@link https://registry\.terraform\.io/providers/(?P<source>[\w-]+/[\w-]+)/(?P<version>[\w.+-]+)/docs"
    r"(?:/(?P<kind>resources|data-sources)/(?P<page>\w+))?(?:#(?P<anchor>\w+))?\s+(?P<label>[^}]*)\}"
)

# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def package_tgz() -> Path:
    """The jsii tarball of the installed package, located without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.origin:
        raise RuntimeError(f"{PACKAGE} is not installed")
    found = sorted((Path(spec.origin).parent / "_jsii").glob("*.jsii.tgz"))
    if len(found) != 1:
        raise RuntimeError(f"expected one jsii tarball next to {spec.origin}, found {found}")
    return found[0]


def package_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    assert spec is not None and spec.origin
    return Path(spec.origin).parent


def load_assembly(tgz: Path | None = None, *, types: Iterable[str] = TYPES, with_sources: bool = True) -> dict:
    """The parsed ``package/.jsii``.

    With ``with_sources`` (default) the generated TypeScript of ``types`` is read in the same
    pass over the tarball and attached under ``SOURCES_KEY``, so ``derive(load_assembly(), TYPES)``
    reproduces the checked-in file.  Without it only the assembly is read (it is the first
    member of the tarball, so that stops early) and ``derive`` uses the conservative fallback.
    """
    if with_sources:
        assembly, sources = load_package(tgz, types)
        assembly[SOURCES_KEY] = sources
        return assembly
    with tarfile.open(tgz or package_tgz(), "r|gz") as tar:
        for member in tar:
            if member.name == ASSEMBLY_MEMBER:
                return json.load(tar.extractfile(member))  # type: ignore[arg-type]
    raise RuntimeError(f"{ASSEMBLY_MEMBER} not found")


def _source_dirs(assembly: dict, types: Iterable[str]) -> set[str]:
    """``src/<module>`` directories holding the TypeScript of the given types and the provider."""
    fqns = [_provider_fqn(assembly)] + [_find_class(assembly, t) for t in types]
    return {
        posixpath.dirname(assembly["types"][f]["locationInModule"]["filename"]).split("/index-structs")[0]
        for f in fqns
    }


def _embedded_source(js_name: str, js_text: str) -> tuple[str, str] | None:
    """(``src/...ts`` path, TypeScript text) from a compiled file's inline source map."""
    marker = "//# sourceMappingURL=data:application/json;base64,"
    pos = js_text.rfind(marker)
    if pos < 0:
        return None
    smap = json.loads(base64.b64decode(js_text[pos + len(marker):].strip()))
    if not smap.get("sourcesContent") or not smap.get("sources"):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(js_name), smap["sources"][0]))
    return path.removeprefix("package/"), smap["sourcesContent"][0]


def load_package(tgz: Path | None = None, types: Iterable[str] = TYPES) -> tuple[dict, dict[str, str]]:
    """Assembly plus the generated TypeScript (``src/...ts`` -> text) of ``types``, in one pass."""
    assembly: dict | None = None
    wanted: set[str] = set()
    sources: dict[str, str] = {}
    with tarfile.open(tgz or package_tgz(), "r|gz") as tar:
        for member in tar:
            if member.name == ASSEMBLY_MEMBER:
                assembly = json.load(tar.extractfile(member))  # type: ignore[arg-type]
                wanted = {"package/lib/" + d.removeprefix("src/") + "/" for d in _source_dirs(assembly, types)}
                continue
            if assembly is None or not member.name.endswith(".js"):
                continue
            if not any(member.name.startswith(w) for w in wanted):
                continue
            text = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
            found = _embedded_source(member.name, text)
            if found:
                sources[found[0]] = found[1]
    if assembly is None:
        raise RuntimeError(f"{ASSEMBLY_MEMBER} not found")
    return assembly, sources


# ---------------------------------------------------------------------------------------------
# Generated TypeScript: per-class attribute comments, getter bodies, HCL synthesis types
# ---------------------------------------------------------------------------------------------

_CLASS_RE = re.compile(r"^export class (\w+)")
_HCL_FN_RE = re.compile(r"^export function (\w+)ToHclTerraform\(")
_FLAGS_RE = re.compile(
    r"^  // (\w+) - computed: (true|false), optional: (true|false), required: (true|false)$"
)
_GETTER_RE = re.compile(r"^  public get (\w+)\(\)")
_HCL_KEY_RE = re.compile(r"^\s+(\w+): \{$")
_HCL_TYPE_RE = re.compile(r'^\s+type: "(\w+)",$')


@dataclass
class Member:
    tf_name: str
    computed: bool
    optional: bool
    required: bool
    getter: str = ""  # first line of the getter body
    field: str = ""  # private backing field declaration, if any


@dataclass
class ClassSource:
    members: dict[str, Member] = field(default_factory=dict)  # by camelCase getter name
    hcl_types: dict[str, str] = field(default_factory=dict)  # tf name -> "simple"/"list"/"set"/...


def _parse_source(text: str) -> dict[str, ClassSource]:
    """Scope name (class, or struct name for ``*ToHclTerraform`` functions) -> ClassSource."""
    scopes: dict[str, ClassSource] = {}
    lines = text.splitlines()
    current: ClassSource | None = None
    pending: Member | None = None
    hcl_key: str | None = None
    for i, line in enumerate(lines):
        m = _CLASS_RE.match(line)
        if m:
            current = scopes.setdefault(m.group(1), ClassSource())
            pending = None
            continue
        m = _HCL_FN_RE.match(line)
        if m:
            name = m.group(1)
            current = scopes.setdefault(name[0].upper() + name[1:], ClassSource())
            pending = None
            continue
        if current is None:
            continue
        m = _FLAGS_RE.match(line)
        if m:
            pending = Member(m.group(1), m.group(2) == "true", m.group(3) == "true", m.group(4) == "true")
            continue
        if pending is not None:
            if line.startswith("  private _"):
                pending.field = line.strip()
                continue
            m = _GETTER_RE.match(line)
            if m:
                pending.getter = lines[i + 1].strip() if i + 1 < len(lines) else ""
                current.members[m.group(1)] = pending
                pending = None
                continue
        m = _HCL_KEY_RE.match(line)
        if m:
            hcl_key = m.group(1)
            continue
        if hcl_key is not None:
            m = _HCL_TYPE_RE.match(line)
            if m:
                current.hcl_types[hcl_key] = m.group(1)
                hcl_key = None
            elif not line.strip().startswith(("value:", "isBlock:")):
                hcl_key = None
    return scopes


class Sources:
    def __init__(self, sources: dict[str, str] | None):
        self._text = sources or {}
        self._parsed: dict[str, dict[str, ClassSource]] = {}

    def scope(self, assembly_type: dict | None) -> ClassSource | None:
        if assembly_type is None:
            return None
        filename = assembly_type.get("locationInModule", {}).get("filename")
        if filename not in self._text:
            return None
        if filename not in self._parsed:
            self._parsed[filename] = _parse_source(self._text[filename])
        return self._parsed[filename].get(assembly_type["name"])


# ---------------------------------------------------------------------------------------------
# Assembly helpers
# ---------------------------------------------------------------------------------------------


def _docs_text(prop: dict) -> str:
    # The link is normally in ``remarks``/``summary``; doc text containing e.g. ``@pattern``
    # makes jsii file the rest of the comment (link included) under a custom tag.
    docs = prop.get("docs", {})
    parts = [docs.get("summary", ""), docs.get("remarks", ""), *docs.get("custom", {}).values()]
    return "\n".join(parts)


def _tf_name(prop: dict) -> str:
    anchors = {m.group("anchor") for m in _REGISTRY_LINK.finditer(_docs_text(prop)) if m.group("anchor")}
    if len(anchors) != 1:
        raise ValueError(f"cannot read the Terraform name of {prop['name']!r} from its docs: {anchors}")
    return anchors.pop()


def _class_links(assembly: dict) -> Iterable[tuple[str, re.Match]]:
    for fqn, t in assembly["types"].items():
        if t["kind"] != "class" or "initializer" not in t:
            continue
        m = _REGISTRY_LINK.search(t["initializer"].get("docs", {}).get("summary", ""))
        if m:
            yield fqn, m


def _find_class(assembly: dict, type_name: str) -> str:
    data = type_name.startswith("data.")
    name = type_name.removeprefix("data.")
    want_kind = "data-sources" if data else "resources"
    hits = [
        fqn
        for fqn, m in _class_links(assembly)
        if m.group("kind") == want_kind and m.group("label").strip() == name
    ]
    if len(hits) != 1:
        raise KeyError(f"{type_name}: expected one class in the assembly, found {hits}")
    return hits[0]


def _provider_fqn(assembly: dict) -> str:
    hits = [
        fqn
        for fqn, m in _class_links(assembly)
        if m.group("kind") is None and assembly["types"][fqn].get("base") == "cdktn.TerraformProvider"
    ]
    if len(hits) != 1:
        raise KeyError(f"expected one provider class, found {hits}")
    return hits[0]


def _python_module(namespace: str) -> str:
    """jsii's Python submodule name: the camelCase namespace in snake_case."""
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", namespace)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    return s.lower()


def _strip_resolvable(t: dict) -> dict:
    if "union" in t:
        rest = [x for x in t["union"]["types"] if x.get("fqn") != "cdktn.IResolvable"]
        if len(rest) != 1:
            raise ValueError(f"unexpected union {t}")
        return rest[0]
    return t


_PRIMITIVES = {"string": "string", "number": "number", "boolean": "bool"}
_CDKTF_GETTER_TYPES: dict[str, Any] = {
    "cdktn.IResolvable": "bool",  # getBooleanAttribute()
    "cdktn.StringMap": ["map", "string"],
    "cdktn.NumberMap": ["map", "number"],
    "cdktn.BooleanMap": ["map", "bool"],
    "cdktn.StringListMap": ["map", ["list", "string"]],
    "cdktn.NumberListMap": ["map", ["list", "number"]],
    "cdktn.StringMapList": ["list", ["map", "string"]],
    "cdktn.NumberMapList": ["list", ["map", "number"]],
    "cdktn.BooleanMapList": ["list", ["map", "bool"]],
}


def _value_type(t: dict, *, is_set: bool) -> Any:
    """Terraform type of a non-struct jsii type reference."""
    t = _strip_resolvable(t)
    if "primitive" in t:
        if t["primitive"] not in _PRIMITIVES:
            raise ValueError(f"unsupported primitive {t}")
        return _PRIMITIVES[t["primitive"]]
    if "collection" in t:
        kind = t["collection"]["kind"]
        elem = _value_type(t["collection"]["elementtype"], is_set=False)
        if kind == "array":
            return ["set" if is_set else "list", elem]
        if kind == "map":
            return ["map", elem]
    if t.get("fqn") in _CDKTF_GETTER_TYPES:
        return _CDKTF_GETTER_TYPES[t["fqn"]]
    raise ValueError(f"unsupported type {t}")


def _is_set(member: Member | None, hcl: ClassSource | None, tf_name: str) -> bool:
    if member is not None and "cdktn.Fn.tolist(" in member.getter:
        return True
    return hcl is not None and hcl.hcl_types.get(tf_name) == "set"


# ---------------------------------------------------------------------------------------------
# Derivation
# ---------------------------------------------------------------------------------------------


class _Deriver:
    def __init__(self, assembly: dict, sources: dict[str, str] | None):
        self.types = assembly["types"]
        self.src = Sources(sources)

    def _struct_of_list_class(self, list_fqn: str) -> tuple[str | None, str]:
        """(struct fqn, OutputReference fqn) behind a ``*List`` class."""
        lst = self.types[list_fqn]
        getter = next(m for m in lst.get("methods", []) if m["name"] == "get")
        outref_fqn = getter["returns"]["type"]["fqn"]
        return self._struct_of_outref(outref_fqn), outref_fqn

    def _struct_of_outref(self, outref_fqn: str) -> str | None:
        outref = self.types[outref_fqn]
        for p in outref.get("properties", []):
            if p["name"] == "internalValue":
                t = _strip_resolvable(p["type"])
                return t.get("fqn")
        return None

    def block(
        self,
        struct_fqn: str | None,
        reader_fqn: str | None,
        *,
        path: str,
        meta: set[str],
        provider: bool = False,
        computed_only: bool = False,
    ) -> dict:
        """{"attributes": ..., "blocks": ...} of a struct (arguments) and its reader class."""
        struct = self.types.get(struct_fqn) if struct_fqn else None
        reader = self.types.get(reader_fqn) if reader_fqn else None
        cls_src = self.src.scope(reader)
        # HCL synthesis types: in the resource/provider class itself, or in the
        # ``<struct>ToHclTerraform`` function generated next to a nested struct.
        hcl_src = ClassSource()
        for scope in (self.src.scope(struct), cls_src):
            if scope is not None:
                hcl_src.hcl_types.update(scope.hcl_types)
        reader_props = {p["name"]: p for p in (reader or {}).get("properties", []) if not p.get("static")}

        attributes: dict[str, dict] = {}
        blocks: dict[str, dict] = {}
        seen_tf: set[str] = set()
        settable: set[str] = set()

        for prop in (struct or {}).get("properties", []):
            tf = _tf_name(prop)
            settable.add(prop["name"])  # meta-arguments too: their getters are skipped below
            if tf in meta:
                continue
            seen_tf.add(tf)
            member = cls_src.members.get(prop["name"]) if cls_src else None
            required = not prop.get("optional", False)
            if member is not None:
                if member.tf_name != tf or member.required != required:
                    raise ValueError(f"{path}{tf}: assembly and generated source disagree ({member})")
            t = _strip_resolvable(prop["type"])
            struct_ref = self._struct_ref(t)
            if struct_ref is not None:
                nested_fqn, nesting = struct_ref
                getter = reader_props.get(prop["name"])
                reader_type = _strip_resolvable(getter["type"]).get("fqn") if getter else None
                if reader_type and reader_type.endswith("List") and self.types.get(reader_type, {}).get("kind") == "class":
                    reader_type = self._struct_of_list_class(reader_type)[1]
                elif reader_type and self.types.get(reader_type, {}).get("kind") != "class":
                    reader_type = None
                body = self.block(nested_fqn, reader_type, path=f"{path}{tf}.", meta=set(), provider=provider)
                body["nesting"] = nesting
                if nesting == "single":
                    body["max_items"] = 1
                if required:
                    body["min_items"] = 1
                blocks[tf] = body
                continue
            attr: dict[str, Any] = {"type": _value_type(t, is_set=_is_set(member, hcl_src, tf))}
            if required:
                attr["required"] = True
            else:
                attr["optional"] = True
                if member is not None:
                    computed = member.computed
                else:
                    computed = not provider  # cannot tell: conservative (see module docstring)
                if computed:
                    attr["computed"] = True
            attributes[tf] = attr

        # Computed-only: getters with no config property (and not ``<prop>Input``).
        for name, prop in sorted(reader_props.items()):
            if name in settable or name == "internalValue":
                continue
            if name.endswith("Input") and name[: -len("Input")] in settable:
                continue
            t = _strip_resolvable(prop["type"])
            fqn = t.get("fqn", "")
            if fqn.startswith("cdktn.") and fqn not in _CDKTF_GETTER_TYPES:
                continue  # plumbing inherited from cdktf (terraformResource, ...)
            if name in {"terraformAttribute", "wrapsSet"}:
                continue
            member = cls_src.members.get(name) if cls_src else None
            tf = member.tf_name if member else _snake(name)
            if tf in meta:
                continue
            if member is not None and (member.optional or member.required or not member.computed):
                raise ValueError(f"{path}{tf}: getter without config property is not computed-only ({member})")
            seen_tf.add(tf)
            if fqn and self.types.get(fqn, {}).get("kind") == "class":
                if fqn.endswith("List"):
                    nested_struct, outref = self._struct_of_list_class(fqn)
                    nesting = "list"
                else:
                    nested_struct, outref = self._struct_of_outref(fqn), fqn
                    nesting = "single"
                body = self.block(nested_struct, outref, path=f"{path}{tf}.", meta=set(), computed_only=True)
                body["nesting"] = nesting
                body["computed"] = True
                if nesting == "single":
                    body["max_items"] = 1
                blocks[tf] = body
                continue
            attributes[tf] = {"type": _value_type(t, is_set=_is_set(member, None, tf)), "computed": True}

        if cls_src is not None:
            missing = {m.tf_name for m in cls_src.members.values()} - seen_tf - meta
            if missing:
                raise ValueError(f"{path}: attributes in the generated source but not derived: {sorted(missing)}")
        if computed_only:
            for a in attributes.values():
                a.pop("optional", None)
                a.pop("required", None)
                a["computed"] = True
        return {"attributes": attributes, "blocks": blocks}

    def _struct_ref(self, t: dict) -> tuple[str, str] | None:
        fqn = t.get("fqn")
        if fqn and self.types.get(fqn, {}).get("kind") == "interface" and self.types[fqn].get("datatype"):
            return fqn, "single"
        if "collection" in t and t["collection"]["kind"] == "array":
            elem = t["collection"]["elementtype"].get("fqn")
            if elem and self.types.get(elem, {}).get("datatype"):
                return elem, "list"
        return None


def _snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel).lower()


def _config_struct(cls: dict) -> str:
    params = cls["initializer"]["parameters"]
    config = next(p for p in params if p["name"] == "config")
    return _strip_resolvable(config["type"])["fqn"]


def _apply_sensitive(out: dict) -> None:
    _apply_flag(out, KNOWN_SENSITIVE, "sensitive")
    _apply_flag(out, KNOWN_WRITE_ONLY, "write_only")


def _apply_flag(out: dict, known: set, flag: str) -> None:
    for type_name, dotted in sorted(known):
        if type_name.startswith("data."):
            node = out["data_sources"].get(type_name.removeprefix("data."))
        else:
            node = out["resources"].get(type_name)
        if node is None:
            continue  # type not requested
        *blocks, attr = dotted.split(".")
        for b in blocks:
            node = node["blocks"][b]
        if attr not in node["attributes"]:
            raise KeyError(f"known-{flag} attribute {type_name}.{dotted} was not derived")
        node["attributes"][attr][flag] = True


def derive(assembly: dict, types: list[str], sources: dict[str, str] | None = None) -> dict:
    """The schema document for ``types`` (``google_x`` resources, ``data.google_x`` data sources).

    ``sources`` maps ``src/...ts`` paths to the generated TypeScript (see ``load_package``); it
    makes ``computed`` exact and detects sets.  When omitted, the sources ``load_assembly``
    attached to ``assembly`` are used; with none at all the conservative fallback applies.
    """
    if sources is None:
        sources = assembly.get(SOURCES_KEY)
    d = _Deriver(assembly, sources)
    all_types = assembly["types"]

    provider_fqn = _provider_fqn(assembly)
    provider_cls = all_types[provider_fqn]
    link = _REGISTRY_LINK.search(provider_cls["initializer"]["docs"]["summary"])
    assert link is not None
    provider_config = d.block(
        _config_struct(provider_cls), provider_fqn, path="provider.", meta=PROVIDER_META_ARGUMENTS, provider=True
    )

    out: dict[str, Any] = {
        "provider": {
            "source": link.group("source"),
            "version": link.group("version"),
            "config": provider_config,
            "jsii_fqn": provider_fqn,
            "python_module": _python_module(provider_cls["namespace"]),
            "python_class": provider_cls["name"],
        },
        "resources": {},
        "data_sources": {},
    }
    for type_name in types:
        fqn = _find_class(assembly, type_name)
        cls = all_types[fqn]
        body = d.block(_config_struct(cls), fqn, path=f"{type_name}.", meta=META_ARGUMENTS)
        entry = {
            "jsii_fqn": fqn,
            "python_module": _python_module(cls["namespace"]),
            "python_class": cls["name"],
            **body,
        }
        if type_name.startswith("data."):
            out["data_sources"][type_name.removeprefix("data.")] = entry
        else:
            out["resources"][type_name] = entry
    _apply_sensitive(out)
    return out


def render(schema: dict) -> str:
    """Canonical, compact serialisation (sorted keys, no whitespace, trailing newline)."""
    return json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the checked-in file is stale")
    ap.add_argument("--output", type=Path, default=OUTPUT)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    assembly = load_assembly()
    t1 = time.perf_counter()
    schema = derive(assembly, TYPES)
    text = render(schema)
    t2 = time.perf_counter()
    for entry in [schema["provider"], *schema["resources"].values(), *schema["data_sources"].values()]:
        if not (package_dir() / entry["python_module"]).is_dir():
            raise RuntimeError(f"python submodule {entry['python_module']} not found in {package_dir()}")

    print(
        f"load {t1 - t0:.2f}s, derive {t2 - t1:.2f}s; {len(schema['resources'])} resources, "
        f"{len(schema['data_sources'])} data sources, {len(text.encode())} bytes",
        file=sys.stderr,
    )
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
