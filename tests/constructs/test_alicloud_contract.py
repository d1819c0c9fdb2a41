"""The contract between our typed alicloud L1 classes and the alicloud schema data.

crosscloud/constructs/alicloud/ has no generated bindings behind it: each class is written by
hand, and crosscloud/sandbox/schemas/alicloud.json (what the sandbox serves and the HCL renderer
reads) is written by hand too. These tests hold the two to each other:

* every class's TF_TYPE exists in the schema (data sources among data_sources);
* every keyword argument is a schema attribute or block, of the same kind (attribute vs block,
  single vs repeated block), recursively through the Block dataclasses, with an agreeing type;
* no computed-only attribute is settable;
* every schema-required attribute or block is a required keyword (no default);
* the synthesized seed and single documents set every required argument of every alicloud
  resource and data source, and use no argument the schema does not know.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import types
import typing
from typing import Any, Sequence

import pytest

from crosscloud.cdk import Construct
from crosscloud.constructs import alicloud as ali
from crosscloud.constructs.alicloud import ALL_TYPES, Block, block_kinds
from crosscloud.constructs.alicloud._base import AlicloudDataSource, AlicloudResource, arguments
from crosscloud.schemas import provider_schema, type_schema

META = {"self", "scope", "id", "depends_on", "provider"}
# Terraform meta-arguments and CDKTF annotations a synthesized body may carry besides arguments
BODY_META = {"//", "depends_on", "provider", "count", "for_each", "lifecycle", "provisioner", "connection"}
SCALARS = {str: "string", int: "number", float: "number", bool: "bool"}


# ------------------------------------------------------------------------------- the checker
@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    required: bool
    hint: Any


def params_of(cls: type) -> dict[str, Param]:
    """Provider arguments of an L1 class (its keyword-only constructor parameters) or a Block."""
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        return {f.name: Param(f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
                              hints[f.name])
                for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls.__init__)
    out = {}
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name in META:
            continue
        assert p.kind is inspect.Parameter.KEYWORD_ONLY, f"{cls.__name__}.{p.name} is not keyword-only"
        out[p.name] = Param(p.name, p.default is inspect.Parameter.empty, hints[p.name])
    return out


def _options(hint: Any) -> list[Any]:
    """`X | None` -> [X]; anything else -> [hint]."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(hint) if a is not type(None)]
    return [hint]


def block_class(hint: Any) -> type | None:
    for option in _options(hint):
        if isinstance(option, type) and issubclass(option, Block):
            return option
        if typing.get_origin(option) in (list, collections.abc.Sequence):
            (inner,) = typing.get_args(option)
            if isinstance(inner, type) and issubclass(inner, Block):
                return inner
    return None


def hint_type(hint: Any) -> Any:
    """A Python annotation as a schema type ("string", ["list", "string"], ...), or None if unknown."""
    (option,) = _options(hint)
    if option in SCALARS:
        return SCALARS[option]
    origin, args = typing.get_origin(option), typing.get_args(option)
    if origin in (list, collections.abc.Sequence) and args[0] in SCALARS:
        return ["list", SCALARS[args[0]]]
    if origin is dict and args[0] is str and args[1] in SCALARS:
        return ["map", SCALARS[args[1]]]
    return None


def types_agree(ours: Any, schema: Any) -> bool:
    if ours == schema:
        return True
    # a Python sequence is how both Terraform lists and sets are written
    return (isinstance(ours, list) and isinstance(schema, list) and ours[0] == "list"
            and schema[0] in ("list", "set") and ours[1:] == schema[1:])


def is_computed_only(attr: dict) -> bool:
    return bool(attr.get("computed")) and not attr.get("optional") and not attr.get("required")


def block_required(block: dict) -> bool:
    return bool(block.get("required")) or (block.get("min_items") or 0) >= 1


def contract_problems(cls: type, schema: dict, where: str) -> list[str]:
    """Every way `cls` (an L1 class or a Block dataclass) disagrees with `schema` (a type or block schema)."""
    attrs, blocks = schema.get("attributes", {}), schema.get("blocks", {})
    params, kinds = params_of(cls), block_kinds(cls)
    problems = []
    for name, p in params.items():
        at = f"{where}.{name}"
        if name in attrs:
            a = attrs[name]
            if name in kinds:
                problems.append(f"{at}: a nested block in the class, an attribute in the schema")
            elif is_computed_only(a):
                problems.append(f"{at}: settable in the class, computed-only in the schema")
            elif not types_agree(hint_type(p.hint), a["type"]):
                problems.append(f"{at}: type {hint_type(p.hint) or p.hint} in the class, {a['type']} in the schema")
        elif name in blocks:
            b = blocks[name]
            want = "single" if b["nesting"] == "single" else "list"
            if name not in kinds:
                problems.append(f"{at}: a plain value in the class, a {b['nesting']} block in the schema")
                continue
            if kinds[name] != want:
                problems.append(f"{at}: a {kinds[name]} block in the class, nesting {b['nesting']} in the schema")
            problems += contract_problems(block_class(p.hint), b, at)
        else:
            problems.append(f"{at}: not in the schema (neither an attribute nor a block)")
    for name, a in attrs.items():
        if a.get("required") and not (name in params and params[name].required):
            problems.append(f"{where}.{name}: required in the schema, "
                            + ("has a default in the class" if name in params else "missing from the class"))
    for name, b in blocks.items():
        if block_required(b) and not (name in params and params[name].required):
            problems.append(f"{where}.{name}: a required block in the schema, "
                            + ("has a default in the class" if name in params else "missing from the class"))
    return problems


def schema_of(cls: type) -> dict | None:
    return type_schema(cls.TF_TYPE, data_source=issubclass(cls, AlicloudDataSource))


def class_problems(cls: type) -> list[str]:
    schema = schema_of(cls)
    if schema is None:
        kind = "data_sources" if issubclass(cls, AlicloudDataSource) else "resources"
        return [f"{cls.__name__}: {cls.TF_TYPE} is not among the schema's {kind}"]
    return contract_problems(cls, schema, cls.TF_TYPE)


def body_problems(body: dict, schema: dict, where: str) -> list[str]:
    """What a synthesized body (or nested block body) misses or has too many of against `schema`."""
    attrs, blocks = schema.get("attributes", {}), schema.get("blocks", {})
    problems = []
    for name, a in attrs.items():
        if a.get("required") and body.get(name) in (None, "", []):
            problems.append(f"{where}: required argument {name} is not set")
    for name, b in blocks.items():
        value = body.get(name)
        items = [] if value is None else value if isinstance(value, list) else [value]
        if block_required(b) and not items:
            problems.append(f"{where}: required block {name} is not set")
        for i, item in enumerate(items):
            problems += body_problems(item, b, f"{where}.{name}[{i}]")
    for name in body:
        if name not in attrs and name not in blocks and name not in BODY_META:
            problems.append(f"{where}: {name} is not in the schema")
        elif name in attrs and is_computed_only(attrs[name]):
            problems.append(f"{where}: sets computed-only {name}")
    return problems


# ------------------------------------------------------------------------------- the contract
def _id(cls: type) -> str:
    return cls.__name__


def test_all_types_covers_every_l1_class():
    """A class left out of ALL_TYPES would escape every test below."""
    defined = {obj for obj in vars(ali).values()
               if isinstance(obj, type) and issubclass(obj, (AlicloudResource, AlicloudDataSource))
               and obj not in (AlicloudResource, AlicloudDataSource)}
    assert defined == set(ALL_TYPES)
    assert len({c.TF_TYPE for c in ALL_TYPES}) == len(ALL_TYPES)


@pytest.mark.parametrize("cls", ALL_TYPES, ids=_id)
def test_tf_type_is_in_the_schema(cls):
    schema = provider_schema("alicloud")
    kind = "data_sources" if issubclass(cls, AlicloudDataSource) else "resources"
    assert cls.TF_TYPE in schema[kind], f"{cls.TF_TYPE} is not among the schema's {kind}"


@pytest.mark.parametrize("cls", ALL_TYPES, ids=_id)
def test_class_agrees_with_schema(cls):
    assert class_problems(cls) == []


@pytest.mark.parametrize("cls", ALL_TYPES, ids=_id)
def test_no_computed_only_attribute_is_settable(cls):
    """Stated on its own (class_problems covers it too): walks every Block of the class."""
    def walk(c: type, schema: dict, where: str):
        for name, p in params_of(c).items():
            if name in schema.get("attributes", {}):
                assert not is_computed_only(schema["attributes"][name]), f"{where}.{name} is computed-only"
            elif name in schema.get("blocks", {}) and block_class(p.hint):
                walk(block_class(p.hint), schema["blocks"][name], f"{where}.{name}")

    walk(cls, schema_of(cls), cls.TF_TYPE)


@pytest.mark.parametrize("cls", ALL_TYPES, ids=_id)
def test_schema_required_arguments_are_required_keywords(cls):
    schema = schema_of(cls)
    params = params_of(cls)
    required = {n for n, a in schema["attributes"].items() if a.get("required")}
    required |= {n for n, b in schema.get("blocks", {}).items() if block_required(b)}
    assert required <= {n for n, p in params.items() if p.required}


@pytest.mark.parametrize("example", ["seed", "single", "ack"])
def test_synthesized_documents_set_every_required_argument(example, synthesized):
    docs = synthesized(example)
    problems, seen = [], set()
    for stack, doc in docs.items():
        for section, data_source in (("resource", False), ("data", True)):
            for tf_type, named in doc.get(section, {}).items():
                if not tf_type.startswith("alicloud_"):
                    continue
                schema = type_schema(tf_type, data_source=data_source)
                assert schema is not None, f"{stack}: {section}.{tf_type} has no schema"
                for name, body in named.items():
                    seen.add(tf_type)
                    problems += body_problems(body, schema, f"{stack}: {section}.{tf_type}.{name}")
    assert problems == []
    # the documents exercise every alicloud type the classes offer (node pools: ACK clusters only)
    only_ack = set() if example == "ack" else {"alicloud_cs_kubernetes_node_pool"}
    assert seen | only_ack == {c.TF_TYPE for c in ALL_TYPES}


# ------------------------------------------------------------------------------- the checker catches
class FakeVpc(AlicloudResource):
    """cidr_block misspelled."""
    TF_TYPE = "alicloud_vpc"

    def __init__(self, scope: Construct, id: str, *, cidr_blok: str, vpc_name: str | None = None,
                 depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


class FakeGatewayOptionalVpc(AlicloudResource):
    """vpc_id is required in the schema; sets the computed-only internet_ip; bandwidth mistyped."""
    TF_TYPE = "alicloud_vpn_gateway"

    def __init__(self, scope: Construct, id: str, *, bandwidth: str, vpc_id: str | None = None,
                 internet_ip: str | None = None, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FakeIke(Block):
    psk: str | None = None
    ike_localid: str | None = None


class FakeConnection(AlicloudResource):
    """ike_config repeated (the schema has a single block), a misspelling inside it, and
    tunnel_options_specification a plain list."""
    TF_TYPE = "alicloud_vpn_connection"

    def __init__(self, scope: Construct, id: str, *, vpn_gateway_id: str, local_subnet: Sequence[str],
                 remote_subnet: Sequence[str], ike_config: Sequence[FakeIke] | None = None,
                 tunnel_options_specification: Sequence[str] | None = None, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


class FakeCluster(AlicloudResource):
    TF_TYPE = "alicloud_cs_serverless_kubernetes"   # not in the schema data

    def __init__(self, scope: Construct, id: str, *, name: str, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


def test_checker_catches_a_misspelled_argument():
    assert class_problems(FakeVpc) == ["alicloud_vpc.cidr_blok: not in the schema (neither an attribute nor a block)"]


def test_checker_catches_other_breaches():
    assert class_problems(FakeGatewayOptionalVpc) == [
        "alicloud_vpn_gateway.bandwidth: type string in the class, number in the schema",
        "alicloud_vpn_gateway.internet_ip: settable in the class, computed-only in the schema",
        "alicloud_vpn_gateway.vpc_id: required in the schema, has a default in the class",
    ]
    assert class_problems(FakeConnection) == [
        "alicloud_vpn_connection.ike_config: a list block in the class, nesting single in the schema",
        "alicloud_vpn_connection.ike_config.ike_localid: not in the schema (neither an attribute nor a block)",
        "alicloud_vpn_connection.tunnel_options_specification: a plain value in the class, a list block in the schema",
    ]
    assert class_problems(FakeCluster) == [
        "FakeCluster: alicloud_cs_serverless_kubernetes is not among the schema's resources"]


def test_body_checker_catches_missing_and_unknown_arguments():
    schema = type_schema("alicloud_ack_one_cluster")
    body = {"cluster_name": "f", "status": "running", "netwrok": {"vpc_id": "v"}, "//": {}}
    assert body_problems(body, schema, "x") == [
        "x: required block network is not set", "x: sets computed-only status", "x: netwrok is not in the schema"]
    body = {"network": {"vpc_id": "v"}}
    assert body_problems(body, schema, "x") == ["x.network[0]: required argument vswitches is not set"]
