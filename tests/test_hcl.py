"""--hcl output: terraform fmt accepts it, and python-hcl2 reads back the same resources and attributes."""

import subprocess

import hcl2
import pytest
from hcl2 import SerializationOptions

from crosscloud.hcl import expression, to_hcl
from crosscloud.schemas import type_schema


def as_parsed(value, schema):
    """JSON value -> the shape python-hcl2 gives for it (blocks are lists of bodies)."""
    if not isinstance(value, dict):
        return value
    blocks = (schema or {}).get("blocks", {})
    out = {}
    for key, v in value.items():
        if key == "//":
            continue
        if key == "depends_on":
            out[key] = [f"${{{ref}}}" for ref in v]
        elif key in blocks:
            items = v if isinstance(v, list) else [v]
            out[key] = [as_parsed(item, blocks[key]) for item in items]
        else:
            out[key] = v
    return out


@pytest.mark.parametrize("example", ["seed", "single"])
def test_hcl_formats_and_round_trips(example, synthesized, tmp_path):
    for stack, doc in synthesized(example).items():
        text = to_hcl(doc)
        path = tmp_path / f"{stack}.tf"
        path.write_text(text)
        fmt = subprocess.run(["terraform", "fmt", "-check", str(path)], capture_output=True, text=True)
        assert fmt.returncode == 0, fmt.stdout + fmt.stderr
        parsed = hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True, explicit_blocks=False))
        got = {(t, n): body for entry in parsed.get("resource", []) for t, named in entry.items() for n, body in named.items()}
        want = {(t, n): as_parsed(body, type_schema(t)) for t, named in doc.get("resource", {}).items() for n, body in named.items()}
        assert got.keys() == want.keys()
        for address in want:
            assert got[address] == want[address], address
        assert {o for entry in parsed.get("output", []) for o in entry} == set(doc.get("output", {}))
        assert "psk" not in text or "var.ipsec_psk" in text


def test_nested_blocks_render_as_blocks(synthesized):
    text = to_hcl(synthesized("seed")["vpn"])
    assert "tunnel_options_specification {" in text and "tunnel_ike_config {" in text
    assert "psk          = var.ipsec_psk" in text
    text = to_hcl(synthesized("seed")["network"])
    assert "secondary_ip_range {" in text and "allow {" in text


@pytest.mark.parametrize("value,expected", [
    ("${a.b.id}", "a.b.id"),
    ("plain", '"plain"'),
    ("x-${a.b}-y", '"x-${a.b}-y"'),
    ('quote"and\\slash', '"quote\\"and\\\\slash"'),
    ("%{if}", '"%%{if}"'),
    (True, "true"),
    (None, "null"),
    ([1, "a"], '[1, "a"]'),
])
def test_expressions(value, expected):
    assert expression(value) == expected
