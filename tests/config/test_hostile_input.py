"""The topology file as untrusted input: aliases, duplicate keys, long values, booleans as
numbers, sizes, unreadable files -- each refused with every problem at once, never expanded."""

import time

import pytest
import yaml
from support import EXAMPLES

from crosscloud.config import MAX_FILE_BYTES, ConfigError, load_text, load_topology

SEED = (EXAMPLES / "seed.yaml").read_text()


def problems(text: str) -> list[str]:
    try:
        load_text(text, "t.yaml")
    except ConfigError as err:
        return [str(p) for p in err.problems]
    return []


def test_seed_text_is_valid():
    assert problems(SEED) == []


def _bomb(levels: int, width: int = 9) -> str:
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + f"\nname: *l{levels - 1}\n"


@pytest.mark.parametrize("text", [
    _bomb(9),  # 9**9 strings once expanded
    _bomb(3, 2),  # a small one: aliases are refused, not just big expansions
    SEED.replace("name: demo ", "name: &n demo ").replace("namespace: provider-ns", "namespace: *n"),
    SEED.replace("vpn:\n", "base: &v {mode: dual}\nvpn:\n  <<: *v\n").replace("  mode: dual ", "  # "),
])
def test_aliases_refused_before_any_expansion(text):
    start = time.process_time()
    found = problems(text)
    assert time.process_time() - start < 5  # generous: an expansion would take minutes
    assert len(found) == 1 and "aliases" in found[0] and "not allowed" in found[0], found


def test_anchor_without_alias_is_plain_yaml():
    assert problems(SEED.replace("name: demo ", "name: &n demo ")) == []


def test_duplicate_keys_are_errors_with_both_lines():
    text = SEED.replace("  integrity: sha256\n", "  integrity: sha256\n  encryption: aes\n")
    found = problems(text)
    assert any(p.startswith("vpn.encryption:") and "duplicate key" in p and "first given on line" in p for p in found), found
    nested = SEED.replace("  - {name: ask-provider, cloud: alibaba,", "  - {name: ask-provider, name: x, cloud: alibaba,")
    assert any(p.startswith("clusters[0].name:") and "duplicate key" in p for p in problems(nested))
    top = SEED + "name: other\n"
    assert any(p.startswith("name:") and "duplicate key" in p for p in problems(top))


@pytest.mark.parametrize("field,old,new", [
    ("clusters[1].node_count", "node_count: 1", "node_count: true"),
    ("clusters[1].node_count", "node_count: 1", "node_count: false"),
    ("clusters[1].node_count", "node_count: 1", 'node_count: "2"'),
    ("vpn.bandwidth_mbps", "bandwidth_mbps: 10", "bandwidth_mbps: yes"),
    ("services[0].port", "port: 80", "port: true"),
])
def test_booleans_and_strings_are_not_integers(field, old, new):
    found = problems(SEED.replace(old, new))
    assert any(p.startswith(field + ":") and "whole number" in p for p in found), found


def test_integers_still_accepted():
    assert problems(SEED.replace("node_count: 1", "node_count: 3")) == []


def test_long_value_quoted_by_a_short_prefix_and_limits_stay_positive():
    found = problems(SEED.replace("name: demo ", "name: " + "n" * 300 + " "))
    assert all(len(p) < 300 for p in found), found
    assert any(p.startswith("name:") and "300 characters" in p and "at most 20" in p for p in found), found
    assert not any("at most -" in p for p in found), found


def test_very_long_string_refused_by_size():
    found = problems(SEED.replace("image: bwbw723/ack_one_demo_provider:1.0", "image: " + "a" * 5000))
    assert any(p.startswith("services[0].image:") and "at most 1024" in p for p in found), found
    assert all(len(p) < 400 for p in found)


def test_too_many_items_refused():
    env = "{" + ", ".join(f"K{i}: v" for i in range(100)) + "}"
    found = problems(SEED.replace("env: {ENV_NAME: cluster1-jp-for-gke}", f"env: {env}"))
    assert any(p.startswith("services[0].env:") and "at most 64" in p for p in found), found
    # the value is described, not printed
    assert all("K99" not in p for p in found)


def test_unknown_key_does_not_hide_the_other_problems():
    text = SEED.replace("  bandwidth_mbps: 10", "  bandwidth_mbps: 10\n  colour: blue").replace(
        "subnet_cidr: 10.146.0.0/20", "subnet_cidr: 192.168.0.0/20")
    found = problems(text)
    assert any(p.startswith("vpn.colour:") and "unknown key" in p for p in found), found
    assert any(p.startswith("gcp.subnet_cidr:") and "overlaps" in p for p in found), found


def test_type_error_does_not_hide_cross_field_problems():
    text = SEED.replace("node_count: 1", "node_count: true").replace("pods_cidr: 10.40.0.0/14", "pods_cidr: 10.40.0.1/14")
    found = problems(text)
    assert any(p.startswith("clusters[1].node_count:") for p in found), found
    assert any(p.startswith("gcp.pods_cidr:") for p in found), found


def test_deep_nesting_refused():
    found = problems(SEED + "extra: " + "[" * 200 + "]" * 200 + "\n")
    assert len(found) == 1 and "levels deep" in found[0]


def test_directory_oversized_and_binary_files(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        load_topology(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_text(SEED + "#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ConfigError, match="larger than"):
        load_topology(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_topology(binary)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_topology(tmp_path / "missing.yaml")


@pytest.mark.parametrize("text,fragment", [("", "must be a YAML mapping"), ("- a\n- b\n", "must be a YAML mapping"),
                                           ("a: 1\n---\nb: 2\n", "another document"), ("name: [\n", "malformed YAML")])
def test_not_a_topology(text, fragment):
    found = problems(text)
    assert found and fragment in found[0], found


def test_plain_yaml_loader_agrees_on_the_seed():
    assert load_text(SEED, "seed").model_dump() == load_topology(EXAMPLES / "seed.yaml").model_dump()
    assert yaml.safe_load(SEED)["name"] == "demo"
