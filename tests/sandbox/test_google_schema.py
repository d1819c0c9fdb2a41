"""crosscloud/sandbox/schemas/google.json: derived from the installed CDKTF google package.

The assembly is ~98 MB of JSON inside the package tarball; it is read once per test session.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "derive_google_schema.py"
SCHEMA_FILE = ROOT / "crosscloud" / "sandbox" / "schemas" / "google.json"

RESOURCES = {
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
}
DATA_SOURCES = {"google_client_config"}
META_ARGUMENTS = {"connection", "count", "depends_on", "for_each", "lifecycle", "provider", "provisioners"}


@functools.lru_cache(maxsize=1)
def _script():
    spec = importlib.util.spec_from_file_location("derive_google_schema", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=1)
def _package():
    return _script().load_package()


@pytest.fixture(scope="session")
def derive_mod():
    return _script()


@pytest.fixture(scope="session")
def package():
    """(assembly, generated TypeScript sources), loaded once."""
    return _package()


@pytest.fixture(scope="session")
def schema():
    return json.loads(SCHEMA_FILE.read_text())


def _attr(node: dict, dotted: str) -> dict:
    *blocks, name = dotted.split(".")
    for b in blocks:
        node = node["blocks"][b]
    return node["attributes"][name]


def _walk_blocks(node: dict, path: str = ""):
    yield path, node
    for name, block in node["blocks"].items():
        yield from _walk_blocks(block, f"{path}.{name}" if path else name)


def _all_bodies(schema: dict):
    yield "provider", schema["provider"]["config"]
    for name, body in schema["resources"].items():
        yield name, body
    for name, body in schema["data_sources"].items():
        yield f"data.{name}", body


# --- the data matches the package ------------------------------------------------------------


def test_checked_in_file_matches_installed_package(derive_mod, package):
    assembly, sources = package
    # The same call the script makes: derive(load_assembly(), TYPES), sources attached.
    with_sources = {**assembly, derive_mod.SOURCES_KEY: sources}
    derived = derive_mod.render(derive_mod.derive(with_sources, derive_mod.TYPES))
    assert SCHEMA_FILE.read_text() == derived, (
        "google.json is stale: run `python scripts/derive_google_schema.py`"
    )


def test_file_is_compact_and_canonical(schema):
    text = SCHEMA_FILE.read_text()
    assert len(text.encode()) < 300_000
    assert text == json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def test_type_sets(schema):
    assert set(schema) == {"provider", "resources", "data_sources"}
    assert set(schema["resources"]) == RESOURCES
    assert set(schema["data_sources"]) == DATA_SOURCES
    assert schema["provider"]["source"] == "hashicorp/google"
    assert schema["provider"]["version"] == "8.7.0"


def test_python_names_point_at_the_installed_bindings(schema):
    """The class exists in the named submodule with that jsii type (checked in the source text)."""
    pkg = Path(importlib.util.find_spec("cdktn_provider_google").origin).parent
    entries = [schema["provider"], *schema["resources"].values(), *schema["data_sources"].values()]
    for entry in entries:
        init = pkg / entry["python_module"] / "__init__.py"
        assert init.is_file(), entry["python_module"]
        text = init.read_text()
        assert f"class {entry['python_class']}(" in text
        assert f'jsii_type="{entry["jsii_fqn"]}"' in text
    network = schema["resources"]["google_compute_network"]
    assert network["jsii_fqn"] == "@cdktn/provider-google.computeNetwork.ComputeNetwork"
    assert (network["python_module"], network["python_class"]) == ("compute_network", "ComputeNetwork")


# --- shape of the format ---------------------------------------------------------------------


def _valid_type(t) -> bool:
    if t in ("string", "number", "bool"):
        return True
    return (
        isinstance(t, list) and len(t) == 2 and t[0] in ("list", "set", "map") and _valid_type(t[1])
    )


def test_every_attribute_and_block_follows_the_format(schema):
    for type_name, body in _all_bodies(schema):
        for path, block in _walk_blocks(body):
            if path:
                assert block["nesting"] in ("single", "list"), (type_name, path)
                assert set(block) <= {"nesting", "attributes", "blocks", "max_items", "min_items", "computed"}
                assert (block.get("max_items") == 1) == (block["nesting"] == "single"), (type_name, path)
                assert block.get("min_items", 1) == 1 and block.get("computed", True) is True
            for name, attr in block["attributes"].items():
                where = (type_name, path, name)
                assert _valid_type(attr["type"]), where
                flags = set(attr) - {"type"}
                assert flags <= {"required", "optional", "computed", "sensitive", "write_only"}, where
                assert all(attr[f] is True for f in flags), where
                assert flags - {"sensitive", "write_only"} in ({"required"}, {"optional"}, {"optional", "computed"}, {"computed"}), where


def test_meta_arguments_excluded(schema):
    for type_name, body in _all_bodies(schema):
        assert not META_ARGUMENTS & (set(body["attributes"]) | set(body["blocks"])), type_name
    assert "alias" not in schema["provider"]["config"]["attributes"]
    assert not any(k.endswith("_input") for k in schema["provider"]["config"]["attributes"])


def test_id_is_optional_computed_on_every_resource(schema):
    for name, body in schema["resources"].items():
        assert body["attributes"]["id"] == {"type": "string", "optional": True, "computed": True}, name


# --- spot checks against the real provider ---------------------------------------------------


def test_vpn_tunnel_shared_secret_optional_sensitive_and_write_only_variant(schema):
    # 8.x: shared_secret is optional beside the write-only shared_secret_wo (+ its version).
    tunnel = schema["resources"]["google_compute_vpn_tunnel"]["attributes"]
    assert tunnel["shared_secret"] == {"type": "string", "optional": True, "sensitive": True}
    assert tunnel["shared_secret_wo"] == {"type": "string", "optional": True, "write_only": True}
    assert tunnel["shared_secret_wo_version"] == {"type": "string", "optional": True}
    assert not any(a.get("write_only") for name, a in tunnel.items() if name != "shared_secret_wo")


def test_sensitive_only_where_the_provider_says_so(schema):
    found = set()
    for type_name, body in _all_bodies(schema):
        for path, block in _walk_blocks(body):
            for name, attr in block["attributes"].items():
                if attr.get("sensitive"):
                    found.add((type_name, f"{path}.{name}" if path else name))
    assert found == {
        ("google_compute_vpn_tunnel", "shared_secret"),
        ("google_container_cluster", "master_auth.client_key"),
        ("data.google_client_config", "access_token"),
    }


def test_network_auto_create_subnetworks_optional_bool(schema):
    net = schema["resources"]["google_compute_network"]
    assert net["attributes"]["auto_create_subnetworks"] == {"type": "bool", "optional": True}
    assert net["attributes"]["name"] == {"type": "string", "required": True}
    assert net["attributes"]["self_link"] == {"type": "string", "computed": True}
    assert net["attributes"]["mtu"] == {"type": "number", "optional": True, "computed": True}


def test_cluster_ip_allocation_policy_is_single_block(schema):
    block = schema["resources"]["google_container_cluster"]["blocks"]["ip_allocation_policy"]
    assert block["nesting"] == "single"
    assert block["max_items"] == 1
    assert "min_items" not in block
    assert block["attributes"]["cluster_secondary_range_name"]["optional"] is True


def test_firewall_allow_is_list_block_with_required_protocol(schema):
    fw = schema["resources"]["google_compute_firewall"]
    allow = fw["blocks"]["allow"]
    assert allow["nesting"] == "list"
    assert "max_items" not in allow
    assert allow["attributes"]["protocol"] == {"type": "string", "required": True}
    assert allow["attributes"]["ports"] == {"type": ["list", "string"], "optional": True}
    assert fw["attributes"]["source_ranges"] == {"type": ["set", "string"], "optional": True}
    assert fw["attributes"]["direction"] == {"type": "string", "optional": True, "computed": True}


def test_subnetwork_secondary_ip_range_is_list_block(schema):
    sub = schema["resources"]["google_compute_subnetwork"]
    assert "secondary_ip_range" not in sub["attributes"]
    block = sub["blocks"]["secondary_ip_range"]
    assert block["nesting"] == "list"
    assert block["attributes"]["range_name"] == {"type": "string", "required": True}
    assert block["attributes"]["ip_cidr_range"]["type"] == "string"
    assert sub["attributes"]["ip_cidr_range"] == {"type": "string", "optional": True, "computed": True}
    assert sub["attributes"]["reserved_internal_range"] == {"type": "string", "optional": True}
    assert sub["blocks"]["log_config"]["nesting"] == "single"


def test_cluster_computed_attributes(schema):
    cluster = schema["resources"]["google_container_cluster"]
    assert cluster["attributes"]["endpoint"] == {"type": "string", "computed": True}
    assert cluster["attributes"]["name"] == {"type": "string", "required": True}
    master_auth = cluster["blocks"]["master_auth"]
    assert master_auth["nesting"] == "single"
    assert master_auth["attributes"]["cluster_ca_certificate"] == {"type": "string", "computed": True}
    assert master_auth["blocks"]["client_certificate_config"]["min_items"] == 1
    taints = cluster["blocks"]["node_config"]["blocks"]["effective_taints"]
    assert taints["computed"] is True and taints["nesting"] == "list"
    assert all(a == {"type": "string", "computed": True} for a in taints["attributes"].values())


def test_address_address_computed(schema):
    addr = schema["resources"]["google_compute_address"]["attributes"]
    assert addr["address"]["computed"] is True
    assert addr["users"] == {"type": ["list", "string"], "computed": True}
    assert addr["effective_labels"] == {"type": ["map", "string"], "computed": True}


def test_node_pool_and_route(schema):
    pool = schema["resources"]["google_container_node_pool"]["attributes"]
    assert pool["cluster"] == {"type": "string", "required": True}
    assert pool["node_locations"] == {"type": ["set", "string"], "optional": True, "computed": True}
    route = schema["resources"]["google_compute_route"]
    assert route["attributes"]["dest_range"] == {"type": "string", "required": True}
    assert route["blocks"]["as_paths"]["attributes"]["as_lists"] == {"type": ["list", "number"], "computed": True}


def test_client_config_and_provider(schema):
    cc = schema["data_sources"]["google_client_config"]
    assert set(cc["attributes"]) == {"access_token", "default_labels", "id", "project", "region", "zone"}
    assert cc["attributes"]["project"] == {"type": "string", "computed": True}
    config = schema["provider"]["config"]
    for name in ("project", "region", "zone", "credentials", "access_token", "impersonate_service_account"):
        assert config["attributes"][name] == {"type": "string", "optional": True}, name
    assert config["attributes"]["scopes"] == {"type": ["list", "string"], "optional": True}
    assert config["attributes"]["default_labels"] == {"type": ["map", "string"], "optional": True}
    assert config["blocks"]["batching"]["nesting"] == "list"
    assert config["blocks"]["external_credentials"]["attributes"]["audience"]["required"] is True
    assert len(config["attributes"]) > 150  # every *_custom_endpoint is there too


# --- the derivation itself -------------------------------------------------------------------


def test_without_sources_optional_means_optional_computed(derive_mod, package):
    """The assembly-only fallback: same names and shapes, optional attributes marked computed."""
    assembly, _ = package
    schema = derive_mod.derive(assembly, ["google_compute_network", "google_compute_firewall"], None)
    net = schema["resources"]["google_compute_network"]["attributes"]
    assert net["auto_create_subnetworks"] == {"type": "bool", "optional": True, "computed": True}
    assert net["name"] == {"type": "string", "required": True}
    assert net["self_link"] == {"type": "string", "computed": True}
    fw = schema["resources"]["google_compute_firewall"]
    assert fw["attributes"]["source_ranges"]["type"] == ["list", "string"]  # sets need the sources
    assert fw["blocks"]["allow"]["attributes"]["protocol"] == {"type": "string", "required": True}
    assert schema["provider"]["config"]["attributes"]["project"] == {"type": "string", "optional": True}


def test_source_that_disagrees_with_the_assembly_is_rejected(derive_mod, package):
    assembly, sources = package
    key = "src/compute-network/index.ts"
    flag = "  // name - computed: false, optional: false, required: true\n"
    assert flag in sources[key]
    tampered = dict(sources)
    tampered[key] = sources[key].replace(flag, flag.replace("optional: false, required: true", "optional: true, required: false"))
    with pytest.raises(ValueError, match="disagree"):
        derive_mod.derive(assembly, ["google_compute_network"], tampered)


def test_unknown_type_and_stale_sensitive_table_fail_loudly(derive_mod, package, monkeypatch):
    assembly, sources = package
    with pytest.raises(KeyError):
        derive_mod.derive(assembly, ["google_compute_no_such_thing"], sources)
    monkeypatch.setattr(
        derive_mod, "KNOWN_SENSITIVE", derive_mod.KNOWN_SENSITIVE | {("google_compute_vpn_tunnel", "no_such_secret")}
    )
    with pytest.raises(KeyError, match="no_such_secret"):
        derive_mod.derive(assembly, ["google_compute_vpn_tunnel"], sources)


def test_derive_does_not_mutate_the_assembly(derive_mod, package):
    assembly, sources = package
    before = copy.deepcopy(assembly["types"]["@cdktn/provider-google.computeNetwork.ComputeNetworkConfig"])
    derive_mod.derive(assembly, ["google_compute_network"], sources)
    assert assembly["types"]["@cdktn/provider-google.computeNetwork.ComputeNetworkConfig"] == before


def test_served_schema_declares_write_only_exactly_where_the_schema_says():
    # Terraform >= 1.11 lets an ephemeral value into an attribute only if the provider's schema
    # declares it write-only (tfplugin6 Schema.Attribute.write_only, field 11).
    from crosscloud.sandbox import tfschema

    block = tfschema.load("google")["resources"]["google_compute_vpn_tunnel"]
    served = {a.name: a.SerializeToString() for a in tfschema.to_tf_schema(block).to_pb().block.attributes}
    assert served["shared_secret_wo"].endswith(b"\x58\x01")
    assert not any(b.endswith(b"\x58\x01") for name, b in served.items() if name != "shared_secret_wo")
