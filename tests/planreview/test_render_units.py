"""Plan review without terraform: masking, unknowns, the size cap, determinism, exit semantics."""

import re

from crosscloud.planreview import GITHUB_COMMENT_LIMIT, MARKER, render
from crosscloud.planreview.collect import build

PSK = "Zx9-secret-psk-value-0123456789ab"


def rc(address, actions, before, after, **extra):
    rtype, name = address.split(".")
    return {"address": address, "type": rtype, "name": name, "change": {"actions": actions, "before": before,
            "after": after, **extra}}


def plans_with(changes, drift=()):
    plans = {s: {"resource_changes": []} for s in ("network", "vpn", "clusters", "gke", "fleet", "members")}
    plans["vpn"] = {"resource_changes": list(changes), "resource_drift": list(drift)}
    return plans


def test_psk_masked_even_where_the_provider_does_not_mark_it():
    conn = rc("alicloud_vpn_connection.ipsec_connection", ["update"],
              {"tunnel_options_specification": [{"tunnel_ike_config": [{"psk": PSK, "ike_version": "ikev1"}]}],
               "note": f"key={PSK}"},
              {"tunnel_options_specification": [{"tunnel_ike_config": [{"psk": PSK + "2", "ike_version": "ikev2"}]}],
               "note": "plain"})
    review = build("sandbox", plans_with([conn]), {}, [PSK])
    md, js = render.markdown(review), render.as_json(review)
    assert PSK not in md and PSK not in js
    rows = {m[0]: m[1:] for m in re.findall(r"\| `([^`]+)` \| `([^`]*)` \| `([^`]*)` \|", md)}
    assert rows["tunnel_options_specification[0].tunnel_ike_config[0].psk"] == ("(sensitive value)", "(sensitive value)")
    assert rows["tunnel_options_specification[0].tunnel_ike_config[0].ike_version"] == ('"ikev1"', '"ikev2"')
    assert rows["note"] == ("(sensitive value)", '"plain"')
    # an in-place change of the connection is a renegotiation, said as such
    assert "IPsec settings change in place" in md


def test_unknown_values_and_forcing_attribute():
    gw = rc("alicloud_vpn_gateway.vpn_gateway", ["delete", "create"], {"vswitch_id": "vsw-1", "internet_ip": "203.0.113.1"},
            {"vswitch_id": "vsw-2"}, after_unknown={"internet_ip": True, "id": True}, replace_paths=[["vswitch_id"]])
    md = render.markdown(build("sandbox", plans_with([gw]), {}, []))
    assert "`alicloud_vpn_gateway.vpn_gateway` **replace** — forced by `vswitch_id`" in md
    assert '| `internet_ip` | `"203.0.113.1"` | `(known after apply)` |' in md
    assert re.search(r"public IPs .* the IPsec link is down until both sides renegotiate .*about [\d.]+ min", md)


def test_cap_drops_attribute_tables_first_and_says_so():
    big = [rc(f"google_compute_route.r{i:04d}", ["update"], {"description": "a" * 100, "dest_range": "10.0.0.0/8"},
              {"description": "b" * 100, "dest_range": "10.1.0.0/16"}) for i in range(600)]
    review = build("sandbox", plans_with(big), {}, [])
    md = render.markdown(review)
    assert len(md) <= GITHUB_COMMENT_LIMIT
    assert md.startswith(MARKER) and "### Consequences" in md and "### Drift (changed outside Terraform)" in md
    note = re.search(r"\*\*Truncated\*\* .*?: (\d+) attribute tables and (\d+) resource lines left out", md)
    assert note and int(note.group(1)) > 0
    # tables go from the end first: the first resource keeps its table, the last lost it
    assert "| `dest_range` |" in md.split("google_compute_route.r0001")[0]
    assert "google_compute_route.r0000" in md
    full = render.markdown(review, limit=10**9)
    assert "Truncated" not in full and len(full) > GITHUB_COMMENT_LIMIT
    assert render.markdown(review) == md  # deterministic


def test_cap_then_drops_resource_lines():
    big = [rc(f"google_compute_route.r{i:05d}", ["update"], {"x": 1}, {"x": 2}) for i in range(3000)]
    md = render.markdown(build("sandbox", plans_with(big), {}, []), limit=20_000)
    assert len(md) <= 20_000
    note = re.search(r"(\d+) attribute tables and (\d+) resource lines left out", md)
    assert note and int(note.group(1)) == 3000 and int(note.group(2)) > 0


def test_changed_semantics():
    empty = build("sandbox", plans_with([]), {}, [])
    assert not empty.changed and "No changes." in render.markdown(empty)
    unplanned = build("sandbox", {**plans_with([]), "members": "needs clusters applied first"}, {}, [])
    assert unplanned.changed and "not planned: needs clusters applied first" in render.markdown(unplanned)
    outputs_only = plans_with([])
    outputs_only["vpn"]["output_changes"] = {"gcp_vpn_ip": {"actions": ["update"]}}
    assert build("sandbox", outputs_only, {}, []).changed
