#!/usr/bin/env python3
"""Generate the thin google L1 classes from the checked-in google schema.

Reads ``crosscloud/sandbox/schemas/google.json`` (derived mechanically from the prebuilt
``cdktf-cdktf-provider-google`` package's jsii assembly by ``scripts/derive_google_schema.py``) and
writes ``crosscloud/constructs/google/generated.py``: one class per resource type and the provider,
one ``Struct`` class per (non-computed) block of those types, under the class and keyword names
the prebuilt package uses, so the constructs take either module unchanged.

    python scripts/generate_google_l1.py            # (re)write generated.py
    python scripts/generate_google_l1.py --check    # exit 1 if generated.py is stale

Names.  The schema holds Terraform names; the prebuilt package's names come from two fixed
conversions, reproduced here: the CDKTF generator camel-cases the Terraform name (the ``camelcase``
npm package: ``_x`` -> ``X``, and a letter after digits is upper-cased: ``k8s`` -> ``K8S``,
``size_1g`` -> ``size1G``), and jsii snake-cases that for Python (``decamelize``:
``enableK8SBetaApis`` -> ``enable_k8_s_beta_apis``; Python keywords get a trailing ``_``). A block
struct is named ``<parent struct><PascalCase block name>``; the construct id parameter is ``id_``.
tests/constructs/test_google_bindings.py checks every generated class name, keyword and
required-ness against the installed package's Python sources (by AST, without importing it) and
that generated.py is what this script writes now.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = REPO_ROOT / "crosscloud" / "sandbox" / "schemas" / "google.json"
OUTPUT = REPO_ROOT / "crosscloud" / "constructs" / "google" / "generated.py"
PACKAGE = "cdktn_provider_google"

#: cdktf meta-arguments every prebuilt resource takes (keyword-only, passed to TerraformResource).
META_ARGUMENTS = ("connection", "count", "depends_on", "for_each", "lifecycle", "provider", "provisioners")
#: Members of cdktf's TerraformResource a generated attribute property must not shadow.
RESERVED_MEMBERS = {
    "add_move_target", "add_override", "arguments", "cdktf_stack", "connection", "count", "depends_on",
    "for_each", "fqn", "friendly_unique_id", "has_resource_move", "import_from", "interpolation_for_attribute",
    "lifecycle", "move_from_id", "move_to", "move_to_id", "node", "override_logical_id", "provider",
    "provisioners", "reset_override_logical_id", "terraform_generator_metadata", "terraform_meta_arguments",
    "terraform_resource_type", "to_hcl_terraform", "to_metadata", "to_string", "to_terraform", "with_",
}

# Terraform value type -> (annotation, getter expression on a resource, getter annotation)
_SCALARS = {
    "string": ("str", 'self.get_string_attribute("{tf}")', "str"),
    "number": ("float", 'self.get_number_attribute("{tf}")', "float"),
    "bool": ("bool | IResolvable", 'self.get_boolean_attribute("{tf}")', "IResolvable"),
}
_COLLECTIONS = {
    ("list", "string"): ("Sequence[str]", 'self.get_list_attribute("{tf}")', "list[str]"),
    # The prebuilt getter of a set attribute is cdktf.Fn.tolist(this.getListAttribute(...)).
    ("set", "string"): ("Sequence[str]", 'Fn.tolist(self.get_list_attribute("{tf}"))', "list[str]"),
    ("list", "number"): ("Sequence[float]", 'self.get_number_list_attribute("{tf}")', "list[float]"),
    ("set", "number"): ("Sequence[float]", 'Fn.tolist(self.get_number_list_attribute("{tf}"))', "list[float]"),
    ("map", "string"): ("Mapping[str, str]", 'self.get_string_map_attribute("{tf}")', "dict[str, str]"),
    ("map", "number"): ("Mapping[str, float]", 'self.get_number_map_attribute("{tf}")', "dict[str, float]"),
    ("map", "bool"): ("Mapping[str, bool]", 'self.get_boolean_map_attribute("{tf}")', "dict[str, bool]"),
}


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def camel(tf_name: str) -> str:
    """What the CDKTF generator calls a Terraform name (npm ``camelcase`` on a snake_case name)."""
    s = re.sub(r"_+([A-Za-z0-9]|$)", lambda m: m.group(1).upper(), tf_name)
    return re.sub(r"\d+([A-Za-z0-9_]|$)", lambda m: m.group(0).upper(), s)


def python_name(tf_name: str) -> str:
    """The Python name jsii gives the camel-cased name (``decamelize``; keywords get ``_``)."""
    c = camel(tf_name)
    if c.lower() != c:
        c = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", c)
        c = re.sub(r"([A-Z])([A-Z][a-z]+)", r"\1_\2", c).lower()
    return c + "_" if keyword.iskeyword(c) else c


def pascal(tf_name: str) -> str:
    c = camel(tf_name)
    return c[:1].upper() + c[1:]


# ---------------------------------------------------------------------------------------------
# Plan: what to generate (also what the guard test compares with the installed package)
# ---------------------------------------------------------------------------------------------


@dataclass
class Arg:
    py: str
    tf: str
    annotation: str
    required: bool
    struct: str | None = None  # block struct class
    nesting: str | None = None  # "single" | "list" for blocks


@dataclass
class Prop:
    py: str
    tf: str
    expr: str
    annotation: str


@dataclass
class ClassSpec:
    name: str
    kind: str  # "provider" | "resource" | "data" | "struct"
    tf_path: str  # "google_x" / "data.google_x" / "google_x.block.sub" / "provider"
    python_module: str  # submodule of the prebuilt package holding the twin class
    jsii_fqn: str
    args: list[Arg] = field(default_factory=list)
    props: list[Prop] = field(default_factory=list)

    @property
    def id_param(self) -> str:
        """The construct id parameter: jsii renames it when the type has an ``id`` argument."""
        return "id_" if any(a.py == "id" for a in self.args) else "id"

    @property
    def tf_type(self) -> str:
        return self.tf_path.removeprefix("data.")


def _annotation(t, where: str) -> str:
    if isinstance(t, str) and t in _SCALARS:
        return _SCALARS[t][0]
    if isinstance(t, list) and tuple(t) in _COLLECTIONS:
        return _COLLECTIONS[tuple(t)][0]
    raise ValueError(f"{where}: no mapping for Terraform type {t!r}; extend generate_google_l1.py")


def _getter(t, tf: str, where: str) -> tuple[str, str]:
    entry = _SCALARS.get(t) if isinstance(t, str) else _COLLECTIONS.get(tuple(t))
    if entry is None:
        raise ValueError(f"{where}: no getter for Terraform type {t!r}; extend generate_google_l1.py")
    return entry[1].format(tf=tf), entry[2]


def _plan_body(body: dict, *, name: str, kind: str, tf_path: str, module: str, fqn: str,
               out: list[ClassSpec], skip: frozenset[str] = frozenset()) -> ClassSpec:
    """Spec of one class (and, first, of the structs of its blocks), appended to ``out``."""
    spec = ClassSpec(name=name, kind=kind, tf_path=tf_path, python_module=module, jsii_fqn=fqn)
    namespace = fqn.rsplit(".", 1)[0]
    for tf, attr in sorted(body["attributes"].items()):
        where = f"{tf_path}.{tf}"
        settable = attr.get("required") or attr.get("optional")
        if settable and tf not in skip:
            spec.args.append(Arg(python_name(tf), tf, _annotation(attr["type"], where), bool(attr.get("required"))))
        if kind in ("resource", "data") and not (not settable and isinstance(attr["type"], list) and attr["type"][0] == "map"):
            # (computed-only maps are skipped: the prebuilt getter returns a cdktf.StringMap object,
            # which crosscloud.cdk does not export)
            expr, ann = _getter(attr["type"], tf, where)
            spec.props.append(Prop(python_name(tf), tf, expr, ann))
    for tf, blk in sorted(body["blocks"].items()):
        if blk.get("computed"):
            continue  # computed-only list(object) attributes: not arguments, no accessor generated
        struct = name + pascal(tf)
        _plan_body(blk, name=struct, kind="struct", tf_path=f"{tf_path}.{tf}", module=module,
                   fqn=f"{namespace}.{struct}", out=out)
        # Like the prebuilt classes: a single block also takes a dict of its keywords, a list block
        # only struct instances.
        ann = f"{struct} | Mapping[str, Any]" if blk["nesting"] == "single" else f"Sequence[{struct}]"
        spec.args.append(Arg(python_name(tf), tf, ann,
                             bool(blk.get("min_items")), struct=struct, nesting=blk["nesting"]))
    seen: dict[str, str] = {}
    for a in spec.args:
        if a.py in seen:
            raise ValueError(f"{tf_path}: {a.tf} and {seen[a.py]} both map to keyword {a.py!r}")
        seen[a.py] = a.tf
    if kind in ("resource", "data", "provider") and {"scope", "id_"} & set(seen):
        raise ValueError(f"{tf_path}: an argument collides with the construct parameters scope/id_")
    if kind in ("resource", "data"):
        if set(META_ARGUMENTS) & set(seen):
            raise ValueError(f"{tf_path}: an argument collides with a cdktf meta-argument")
        clash = {p.py for p in spec.props} & RESERVED_MEMBERS
        if clash:
            raise ValueError(f"{tf_path}: attribute properties would shadow TerraformResource members {clash}")
    if any(s.name == name for s in out):
        raise ValueError(f"{tf_path}: class name {name} is generated twice (the prebuilt package renames such "
                         "structs; teach generate_google_l1.py its rule)")
    out.append(spec)
    return spec


def plan(schema: dict) -> list[ClassSpec]:
    out: list[ClassSpec] = []
    prov = schema["provider"]
    _plan_body(prov["config"], name=prov["python_class"], kind="provider", tf_path="provider",
               module=prov["python_module"], fqn=prov["jsii_fqn"], out=out, skip=frozenset({"alias"}))
    for type_name, entry in sorted(schema["resources"].items()):
        _plan_body(entry, name=entry["python_class"], kind="resource", tf_path=type_name,
                   module=entry["python_module"], fqn=entry["jsii_fqn"], out=out)
    for type_name, entry in sorted(schema.get("data_sources", {}).items()):
        _plan_body(entry, name=entry["python_class"], kind="data", tf_path=f"data.{type_name}",
                   module=entry["python_module"], fqn=entry["jsii_fqn"], out=out)
    names = [s.name for s in out]
    for s in out:
        if s.kind != "struct" and s.name + "Config" in names:
            raise ValueError(f"{s.name}Config is both a block struct and the prebuilt config struct's name")
    return out


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

HEADER = '''"""Thin google L1 classes: GENERATED by scripts/generate_google_l1.py -- do not edit, re-run it.

Source: crosscloud/sandbox/schemas/google.json, derived from the prebuilt cdktf-cdktf-provider-google
package's jsii assembly (provider {source} {version}). Each class is the twin of the prebuilt
class named in its PREBUILT_TWIN: same class name, same keyword arguments, same synthesized JSON,
at a fraction of the import cost. Runtime: _thin.py. Checked for drift and against the installed
package by tests/constructs/test_google_bindings.py.
"""
# fmt: off
# ruff: noqa: E501

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ...cdk import Construct, Fn, TerraformProvider
from ._thin import GoogleDataSource, GoogleProviderBase, GoogleResource, Struct
from ._thin import block as _block
from ._thin import blocks as _blocks
from ._thin import metadata as _metadata

IResolvable = Any  # tokens (cdktf IResolvable); kept as Any so this module needs no jsii type at import

PROVIDER_VERSION = "{version}"
_METADATA = _metadata(PROVIDER_VERSION)


class _Resource(GoogleResource):
    _METADATA = _METADATA


class _DataSource(GoogleDataSource):
    _METADATA = _METADATA
'''


def _value_expr(a: Arg) -> str:
    if a.struct is None:
        return a.py
    helper = "_block" if a.nesting == "single" else "_blocks"
    return f"{helper}({a.struct}, {a.py})"


def _params(args: list[Arg]) -> list[str]:
    ordered = [a for a in args if a.required] + [a for a in args if not a.required]
    return [f"{a.py}: {a.annotation}" if a.required else f"{a.py}: {a.annotation} | None = None" for a in ordered]


def _super_call(head: str, args: list[Arg], tail: str) -> list[str]:
    """``super().__init__(<head>{"tf_name": value, ...}<tail>`` (the dict one entry per line)."""
    if not args:
        return (f"        super().__init__({head}{{}}" + tail).split("\n")
    lines = [f"        super().__init__({head}{{"]
    lines += [f'            "{a.tf}": {_value_expr(a)},' for a in args]
    return lines + ("        }" + tail).split("\n")


def render_class(s: ClassSpec) -> str:
    twin = f"{PACKAGE}.{s.python_module}.{s.name}"
    out: list[str] = []
    if s.kind == "struct":
        out.append(f"class {s.name}(Struct):")
        out.append(f'    """Block ``{s.tf_path}``."""')
        out.append("")
        out.append("    __slots__ = ()")
        out.append(f'    TF_BLOCK = "{s.tf_path}"')
        out.append(f'    PREBUILT_TWIN = "{twin}"')
        out.append("")
        out.append("    def __init__(")
        out += [f"        {p}," for p in ["self", "*", *_params(s.args)]]
        out.append("    ) -> None:")
        out += _super_call("", s.args, ")")
    elif s.kind == "provider":
        out.append(f"class {s.name}(GoogleProviderBase):")
        out.append(f'    """The ``google`` provider."""')
        out.append("")
        out.append(f'    PREBUILT_TWIN = "{twin}"')
        out.append("    _METADATA = _METADATA")
        out.append("")
        out.append("    def __init__(")
        out += [f"        {p}," for p in ["self", "scope: Construct", "id: str", "*", *_params(s.args),
                                           "alias: str | None = None"]]
        out.append("    ) -> None:")
        out += _super_call("scope, id, ", s.args, ", alias=alias)")
    else:
        base, what = ("_Resource", "Resource") if s.kind == "resource" else ("_DataSource", "Data source")
        out.append(f"class {s.name}({base}):")
        out.append(f'    """{what} ``{s.tf_path}``."""')
        out.append("")
        out.append(f'    TF_RESOURCE_TYPE = "{s.tf_type}"')
        out.append(f'    PREBUILT_TWIN = "{twin}"')
        out.append("")
        meta = ["connection: Any = None", "count: Any = None", "depends_on: Sequence[Any] | None = None",
                "for_each: Any = None", "lifecycle: Any = None", "provider: TerraformProvider | None = None",
                "provisioners: Sequence[Any] | None = None"]
        out.append("    def __init__(")
        out += [f"        {p}," for p in ["self", "scope: Construct", f"{s.id_param}: str", "*", *_params(s.args), *meta]]
        out.append("    ) -> None:")
        out += _super_call(f"scope, {s.id_param}, ", s.args,
                           ", connection=connection, count=count, depends_on=depends_on, for_each=for_each,\n"
                           "            lifecycle=lifecycle, provider=provider, provisioners=provisioners)")
        for p in s.props:
            out.append("")
            out.append("    @property")
            out.append(f"    def {p.py}(self) -> {p.annotation}:")
            out.append(f"        return {p.expr}")
    return "\n".join(out) + "\n"


def render(schema: dict) -> str:
    specs = plan(schema)
    prov = schema["provider"]
    parts = [HEADER.format(source=prov["source"], version=prov["version"])]
    for s in specs:
        parts.append("\n\n" + render_class(s))
    names = sorted(s.name for s in specs)
    parts.append("\n\n__all__ = [\n" + "".join(f'    "{n}",\n' for n in ["PROVIDER_VERSION", *names]) + "]\n")
    return "".join(parts)


def load_schema(path: Path = SCHEMA) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the checked-in file is stale")
    ap.add_argument("--schema", type=Path, default=SCHEMA)
    ap.add_argument("--output", type=Path, default=OUTPUT)
    args = ap.parse_args(argv)
    text = render(load_schema(args.schema))
    if args.check:
        if not args.output.exists() or args.output.read_text(encoding="utf-8") != text:
            print(f"{args.output} is stale; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({text.count(chr(10))} lines)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
