"""Region, range and account rules (issue #12): for each, a config the cloud accepts passes and
one it refuses fails naming the field; warnings are reported with level "warning", not raised."""

from __future__ import annotations

import pytest

from crosscloud.config import ConfigError, parse_topology, regions
from crosscloud.config.preflight import ERROR, WARNING, preflight


def found(data) -> list:
    """Every problem of `data` (schema errors raise; preflight errors and warnings both listed)."""
    try:
        return preflight(parse_topology(data))
    except ConfigError as err:
        return err.problems


def at(data, path: str, level: str = ERROR) -> list[str]:
    return [str(p) for p in found(data) if p.path == path and p.level == level]


def errors(data) -> list[str]:
    return [str(p) for p in found(data) if p.level == ERROR]


def in_dubai(data) -> dict:
    """Move the Alibaba side to me-east-1, where single-tunnel gateways are still created."""
    data["alibaba"]["region"] = "me-east-1"
    data["alibaba"]["vswitches"] = [{"zone": "me-east-1a", "cidr": "192.168.1.0/24"}]
    data["vpn"]["mode"] = "single"
    return data


def test_seed_has_no_errors_only_warnings(seed_data):
    assert errors(seed_data) == []
    assert {p.path for p in found(seed_data)} >= {"clusters[0].kind", "gcp.services_cidr"}


# ------------------------------------------------------------------ GKE zone vs region
def test_gke_zone_in_another_region_is_refused(seed_data):
    seed_data["gcp"]["zone"] = "us-central1-a"
    (msg,) = at(seed_data, "gcp.zone")
    assert "'us-central1-a'" in msg and "asia-northeast1" in msg


@pytest.mark.parametrize("zone", ["asia-northeast1-a", "asia-northeast1-c", None])
def test_gke_zone_of_the_region_is_accepted(seed_data, zone):
    seed_data["gcp"]["zone"] = zone
    assert at(seed_data, "gcp.zone") == []


def test_gke_zone_letter_the_region_lacks_is_refused(seed_data):
    seed_data["gcp"]["zone"] = "asia-northeast1-f"
    (msg,) = at(seed_data, "gcp.zone")
    assert "asia-northeast1-a, asia-northeast1-b, asia-northeast1-c" in msg and "read 2026" in msg


def test_default_zone_missing_in_the_region_is_refused(seed_data):
    seed_data["gcp"]["region"] = "europe-west1"  # zones b, c, d: no europe-west1-a
    assert at(seed_data, "gcp.zone")
    seed_data["gcp"]["zone"] = "europe-west1-b"
    assert at(seed_data, "gcp.zone") == []


def test_unknown_gcp_region_is_a_warning(seed_data):
    seed_data["gcp"]["region"] = "me-central1"
    assert at(seed_data, "gcp.region", WARNING) and at(seed_data, "gcp.region") == []


# ------------------------------------------------------------------ special-purpose ranges
@pytest.mark.parametrize("field,value,what", [
    (("gcp", "pods_cidr"), "169.254.0.0/16", "link-local"),
    (("gcp", "services_cidr"), "127.0.0.0/20", "loopback"),
    (("gcp", "subnet_cidr"), "224.0.0.0/20", "multicast"),
    (("gcp", "subnet_cidr"), "0.0.0.0/20", "RFC 6890"),
    (("gcp", "pods_cidr"), "240.0.0.0/14", "class E"),
])
def test_special_ranges_are_refused(seed_data, field, value, what):
    seed_data[field[0]][field[1]] = value
    msgs = at(seed_data, ".".join(field))
    assert any(what in m for m in msgs), msgs


def test_special_range_as_ask_service_cidr_is_refused(seed_data):
    seed_data["clusters"][0]["service_cidr"] = "169.254.0.0/20"
    assert any("link-local" in m for m in at(seed_data, "clusters[0].service_cidr"))


def test_private_ranges_are_accepted(seed_data):
    seed_data["gcp"]["pods_cidr"] = "10.0.0.0/14"
    seed_data["gcp"]["services_cidr"] = "172.30.0.0/20"
    assert errors(seed_data) == []


# ------------------------------------------------------------------ sizes
@pytest.mark.parametrize("vpc,ok", [("192.168.0.0/16", True), ("10.0.0.0/8", True), ("192.168.0.0/28", True),
                                    ("192.168.0.0/29", False), ("10.0.0.0/7", False)])
def test_alibaba_vpc_mask_bounds(seed_data, vpc, ok):
    seed_data["alibaba"]["vpc_cidr"] = vpc
    if vpc.startswith("192.168.0.0/2"):  # keep the vSwitches inside so only the VPC bound speaks
        seed_data["alibaba"]["vswitches"] = [{"zone": "ap-northeast-1a", "cidr": "192.168.0.0/29"},
                                             {"zone": "ap-northeast-1b", "cidr": "192.168.0.8/29"}]
    msgs = [m for m in at(seed_data, "alibaba.vpc_cidr") if "masks must be /8 to /28" in m]
    assert bool(msgs) != ok, msgs


def test_alibaba_vpc_outside_private_ranges_is_refused(seed_data):
    seed_data["alibaba"]["vpc_cidr"] = "30.0.0.0/16"
    seed_data["alibaba"]["vswitches"] = [{"zone": "ap-northeast-1a", "cidr": "30.0.1.0/24"},
                                         {"zone": "ap-northeast-1b", "cidr": "30.0.2.0/24"}]
    assert any("192.168.0.0/16" in m for m in at(seed_data, "alibaba.vpc_cidr"))


@pytest.mark.parametrize("cidr,ok", [("192.168.1.0/24", True), ("192.168.1.0/29", True), ("192.168.1.0/30", False),
                                     ("192.168.0.0/15", False)])
def test_vswitch_mask_bounds(seed_data, cidr, ok):
    seed_data["alibaba"]["vswitches"][0]["cidr"] = cidr
    if cidr == "192.168.0.0/15":
        seed_data["alibaba"]["vpc_cidr"] = "192.168.0.0/15"
    msgs = [m for m in at(seed_data, "alibaba.vswitches[0].cidr") if "/16 to /29" in m]
    assert bool(msgs) != ok, msgs


@pytest.mark.parametrize("cidr,ok", [("10.146.0.0/20", True), ("10.146.0.0/29", True), ("10.146.0.0/30", False)])
def test_gcp_subnet_mask_bounds(seed_data, cidr, ok):
    seed_data["gcp"]["subnet_cidr"] = cidr
    assert bool(at(seed_data, "gcp.subnet_cidr")) != ok


@pytest.mark.parametrize("cidr,ok", [("10.44.0.0/20", True), ("10.44.0.0/16", True), ("10.44.0.0/27", True),
                                     ("10.44.0.0/15", False), ("10.44.0.0/28", False)])
def test_gke_services_range_bounds(seed_data, cidr, ok):
    seed_data["gcp"]["services_cidr"] = cidr
    assert bool(at(seed_data, "gcp.services_cidr")) != ok


# ------------------------------------------------------------------ GKE pod range vs node_count
@pytest.mark.parametrize("pods,nodes,ok", [("10.40.0.0/14", 100, True), ("10.40.0.0/22", 3, True),
                                           ("10.40.0.0/22", 5, False), ("10.40.0.0/25", 1, False)])
def test_pod_range_must_hold_a_slash24_per_node(seed_data, pods, nodes, ok):
    seed_data["gcp"]["pods_cidr"] = pods
    seed_data["clusters"][1]["node_count"] = nodes
    msgs = at(seed_data, "clusters[1].node_count")
    assert bool(msgs) != ok, msgs
    if not ok:
        assert "/24" in msgs[0] and pods in msgs[0]


def test_pod_range_full_at_node_count_warns_about_surge(seed_data):
    seed_data["gcp"]["pods_cidr"] = "10.40.0.0/22"  # four /24s
    seed_data["clusters"][1]["node_count"] = 4
    assert at(seed_data, "clusters[1].node_count") == []
    assert at(seed_data, "clusters[1].node_count", WARNING)


# ------------------------------------------------------------------ ACK service CIDR
@pytest.mark.parametrize("cidr,ok", [("172.21.0.0/20", True), ("172.21.0.0/16", True), ("172.21.0.0/24", True),
                                     ("172.20.0.0/15", False), ("172.21.0.0/25", False), ("30.0.0.0/20", False)])
def test_ack_service_cidr_private_and_sized(seed_data, cidr, ok):
    seed_data["clusters"][0]["service_cidr"] = cidr
    assert bool(at(seed_data, "clusters[0].service_cidr")) != ok


# ------------------------------------------------------------------ VPN mode vs region
@pytest.mark.parametrize("region", ["ap-northeast-1", "ap-southeast-1", "eu-central-1"])
def test_single_mode_is_refused_where_gateways_are_dual_tunnel_only(seed_data, region):
    seed_data["alibaba"]["region"] = region
    for v, z in zip(seed_data["alibaba"]["vswitches"], "ab"):
        v["zone"] = f"{region}{z}"
    seed_data["vpn"]["mode"] = "single"
    (msg,) = at(seed_data, "vpn.mode")
    assert "dual-tunnel only" in msg and "me-east-1" in msg and "read 2026-12-01" in msg


def test_single_mode_is_accepted_in_me_east_1(seed_data):
    assert errors(in_dubai(seed_data)) == []


def test_dual_mode_in_a_region_not_known_for_it_is_a_warning(seed_data):
    in_dubai(seed_data)
    seed_data["vpn"]["mode"] = "dual"
    seed_data["alibaba"]["vswitches"].append({"zone": "me-east-1b", "cidr": "192.168.2.0/24"})
    assert at(seed_data, "vpn.mode", WARNING) and at(seed_data, "vpn.mode") == []


def test_dual_mode_vswitch_in_a_zone_without_dual_tunnels_is_refused(seed_data):
    seed_data["alibaba"]["vswitches"][1]["zone"] = "ap-northeast-1d"
    (msg,) = at(seed_data, "alibaba.vswitches[1].zone")
    assert "dual tunnels" in msg


def test_dual_tunnel_zone_facts():
    assert regions.dual_tunnel_zone_ok("ap-northeast-1", "ap-northeast-1b") is True
    assert regions.dual_tunnel_zone_ok("ap-northeast-1", "ap-northeast-1d") is False
    assert regions.dual_tunnel_zone_ok("us-east-1", "us-east-1a") is None  # zones not read
    assert regions.dual_tunnel_zone_ok("me-east-1", "me-east-1a") is None


# ------------------------------------------------------------------ warnings: account and stale facts
def test_ask_warns_about_new_accounts(seed_data):
    (msg,) = at(seed_data, "clusters[0].kind", WARNING)
    assert "2025-02-17" in msg and "ACS" in msg


def test_no_ask_no_ask_warning(seed_data):
    seed_data["clusters"] = [seed_data["clusters"][1]]
    seed_data["services"] = []
    assert at(seed_data, "clusters[0].kind", WARNING) == []


def test_ack_one_region_unknown_is_a_warning(seed_data):
    assert at(seed_data, "alibaba.region", WARNING) == []
    assert at(in_dubai(seed_data), "alibaba.region", WARNING)


@pytest.mark.parametrize("ike,ipsec,warned", [(36000, 10800, set()), (86400, 10800, {"vpn.ike_lifetime_seconds"}),
                                              (36000, 3600, {"vpn.ipsec_lifetime_seconds"})])
def test_lifetimes_differing_from_gcp_warn(seed_data, ike, ipsec, warned):
    seed_data["vpn"].update(ike_lifetime_seconds=ike, ipsec_lifetime_seconds=ipsec)
    got = {p.path for p in found(seed_data) if p.level == WARNING and "lifetime" in p.path}
    assert got == warned


def test_warnings_never_make_the_topology_invalid(seed_data):
    in_dubai(seed_data)
    assert any(p.level == WARNING for p in found(seed_data))
    parse_topology(seed_data)  # does not raise
