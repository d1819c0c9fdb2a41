"""One test per preflight rule: the seed passes, and a targeted change fails naming the field."""

import pytest

from crosscloud.config import ConfigError, load_topology, parse_topology


def problems(data) -> list[str]:
    try:
        parse_topology(data)
    except ConfigError as err:
        return [str(p) for p in err.problems]
    return []


def assert_problem(data, path: str, *fragments: str) -> None:
    found = [p for p in problems(data) if p.startswith(path + ":")]
    assert found, f"no problem at {path}; got {problems(data)}"
    assert any(all(f in p for f in fragments) for p in found), found


def test_seed_example_is_valid(seed_data):
    assert problems(seed_data) == []


@pytest.mark.parametrize("example", ["seed", "single"])
def test_examples_load(example):
    from support import EXAMPLES

    t = load_topology(EXAMPLES / f"{example}.yaml")
    assert t.vpn.mode == ("dual" if example == "seed" else "single")


def test_invalid_cidr_names_field_and_value(seed_data):
    seed_data["gcp"]["pods_cidr"] = "10.40.0.1/14"
    assert_problem(seed_data, "gcp.pods_cidr", "'10.40.0.1/14'", "no host bits")
    seed_data["alibaba"]["vpc_cidr"] = "banana"
    assert_problem(seed_data, "alibaba.vpc_cidr", "'banana'", "CIDR")


def test_overlap_names_both_ranges(seed_data):
    seed_data["gcp"]["services_cidr"] = "192.168.200.0/24"
    assert_problem(seed_data, "gcp.services_cidr", "overlaps alibaba.vpc_cidr (192.168.0.0/16)")


def test_ask_service_cidr_overlap(seed_data):
    seed_data["clusters"][0]["service_cidr"] = "10.146.0.0/24"
    assert_problem(seed_data, "clusters[0].service_cidr", "overlaps gcp.subnet_cidr")


def test_vswitch_outside_vpc_and_overlapping(seed_data):
    seed_data["alibaba"]["vswitches"][0]["cidr"] = "172.16.1.0/24"
    assert_problem(seed_data, "alibaba.vswitches[0].cidr", "outside alibaba.vpc_cidr")
    seed_data["alibaba"]["vswitches"][0]["cidr"] = "192.168.2.0/25"
    assert_problem(seed_data, "alibaba.vswitches[1].cidr", "overlaps alibaba.vswitches[0].cidr")


def test_vswitch_zone_must_be_in_region(seed_data):
    seed_data["alibaba"]["vswitches"][1]["zone"] = "cn-hangzhou-b"
    assert_problem(seed_data, "alibaba.vswitches[1].zone", "'cn-hangzhou-b'", "ap-northeast-1a")


@pytest.mark.parametrize("cidr,fragment", [("0.0.0.0/0", "0.0.0.0/0"), ("100.64.0.0/16", "100.64.0.0/10")])
def test_vpn_destinations(seed_data, cidr, fragment):
    seed_data["gcp"]["subnet_cidr"] = cidr
    assert_problem(seed_data, "gcp.subnet_cidr", fragment)


def test_dual_mode_needs_two_zones(seed_data):
    seed_data["alibaba"]["vswitches"][1]["zone"] = "ap-northeast-1a"
    assert_problem(seed_data, "alibaba.vswitches", "two vSwitches in different zones")
    seed_data["vpn"]["mode"] = "single"  # where single-tunnel gateways are still created
    seed_data["alibaba"]["region"] = "me-east-1"
    for v in seed_data["alibaba"]["vswitches"]:
        v["zone"] = "me-east-1a"
    assert problems(seed_data) == []


@pytest.mark.parametrize("field,value", [("ike_version", "ikev3"), ("encryption", "des"), ("integrity", "md5"),
                                         ("dh_group", "group1")])
def test_unknown_ike_values(seed_data, field, value):
    seed_data["vpn"][field] = value
    assert_problem(seed_data, f"vpn.{field}", repr(value), "must be one of")


def test_ikev1_cannot_carry_several_cidrs(seed_data):
    seed_data["vpn"]["ike_version"] = "ikev1"
    assert_problem(seed_data, "vpn.ike_version", "needs ikev2")


def test_bandwidth_must_be_offered(seed_data):
    seed_data["vpn"]["bandwidth_mbps"] = 7
    assert_problem(seed_data, "vpn.bandwidth_mbps", "5, 10, 20")


def test_names_must_be_dns_labels_and_fit(seed_data):
    seed_data["name"] = "Demo_1"
    assert_problem(seed_data, "name", "DNS label")
    seed_data["name"] = "demo"
    seed_data["clusters"][1]["name"] = "g" * 40
    assert_problem(seed_data, "clusters[1].name", "at most 35")
    seed_data["services"][0]["name"] = "Service1"
    assert_problem(seed_data, "services[0].name", "DNS label")
    seed_data["gcp"]["project"] = "x"
    assert_problem(seed_data, "gcp.project", "6-30")


def test_services_name_known_clusters(seed_data):
    seed_data["services"][0]["provider"] = "nowhere"
    seed_data["services"][0]["consumers"] = ["gke-consumer", "elsewhere"]
    assert_problem(seed_data, "services[0].provider", "'nowhere'", "ask-provider, gke-consumer")
    assert_problem(seed_data, "services[0].consumers[1]", "'elsewhere'")


def test_provider_cannot_consume_itself(seed_data):
    seed_data["services"][0]["consumers"] = ["ask-provider"]
    assert_problem(seed_data, "services[0].consumers[0]", "cannot also consume")


def test_unsupported_cloud_kind(seed_data):
    seed_data["clusters"][1]["kind"] = "ask"
    assert_problem(seed_data, "clusters[1]", "gcp/ask", "alibaba/ask, gcp/gke")


GKE_TWO = {"name": "gke-two", "cloud": "gcp", "kind": "gke", "subnet_cidr": "10.150.0.0/20",
           "pods_cidr": "10.48.0.0/14", "services_cidr": "10.52.0.0/20"}


def test_a_second_gke_cluster_needs_its_own_ranges(seed_data):
    seed_data["clusters"].append({"name": "gke-two", "cloud": "gcp", "kind": "gke"})
    for field in ("subnet_cidr", "pods_cidr", "services_cidr"):
        assert_problem(seed_data, f"clusters[2].{field}", "needs its own")


def test_a_second_gke_cluster_with_its_own_ranges_is_valid(seed_data):
    seed_data["clusters"].append(dict(GKE_TWO))
    assert problems(seed_data) == []


@pytest.mark.parametrize("field, value, clashes_with", [
    ("subnet_cidr", "10.146.8.0/24", "gcp.subnet_cidr"),        # inside the first GKE subnet
    ("pods_cidr", "10.41.0.0/16", "gcp.pods_cidr"),            # inside the first cluster's pods
    ("services_cidr", "172.21.0.0/24", "clusters[0].service_cidr"),  # an Alibaba Service range
    ("pods_cidr", "192.168.64.0/18", "alibaba.vpc_cidr"),
])
def test_every_pair_of_ranges_across_clusters_is_checked(seed_data, field, value, clashes_with):
    seed_data["clusters"].append(dict(GKE_TWO, **{field: value}))
    found = [p for p in problems(seed_data) if "overlaps" in p]
    assert any(clashes_with in p and value in p for p in found), found


@pytest.mark.parametrize("kind", ["acs", "ack"])
def test_acs_and_ack_are_supported_alibaba_kinds(seed_data, kind):
    cluster = {"name": "ali-two", "cloud": "alibaba", "kind": kind, "service_cidr": "172.22.0.0/20"}
    if kind == "ack":
        cluster["pod_vswitches"] = [{"zone": "ap-northeast-1a", "cidr": "192.168.16.0/20"}]
    seed_data["clusters"].append(cluster)
    assert problems(seed_data) == []


def test_ack_needs_pod_vswitches_inside_the_vpc(seed_data):
    seed_data["clusters"].append({"name": "ack-one", "cloud": "alibaba", "kind": "ack", "service_cidr": "172.22.0.0/20"})
    assert_problem(seed_data, "clusters[2].pod_vswitches", "at least one pod vSwitch")
    seed_data["clusters"][2]["pod_vswitches"] = [{"zone": "ap-northeast-1a", "cidr": "10.200.0.0/20"}]
    assert_problem(seed_data, "clusters[2].pod_vswitches[0].cidr", "outside alibaba.vpc_cidr")
    seed_data["clusters"][2]["pod_vswitches"] = [{"zone": "ap-northeast-1a", "cidr": "192.168.1.0/25"}]
    assert_problem(seed_data, "clusters[2].pod_vswitches[0].cidr", "vSwitches must not overlap")


def test_pod_vswitches_only_for_ack_and_gke_ranges_only_for_gke(seed_data):
    seed_data["clusters"][0]["pod_vswitches"] = [{"zone": "ap-northeast-1a", "cidr": "192.168.16.0/20"}]
    assert_problem(seed_data, "clusters[0].pod_vswitches", "ACK clusters only")
    seed_data["clusters"][0]["pods_cidr"] = "10.60.0.0/16"
    assert_problem(seed_data, "clusters[0]", "GKE clusters only")


def test_unknown_cluster_kind_is_refused(seed_data):
    seed_data["clusters"][0]["kind"] = "eks"
    assert_problem(seed_data, "clusters[0]", "unsupported cloud/kind", "alibaba/ack", "alibaba/acs")


def test_cloud_backend_needs_organization(seed_data):
    seed_data["backend"] = {"type": "cloud"}
    assert_problem(seed_data, "backend.organization", "required")
    assert_problem(seed_data, "backend.workspace_prefix", "required")


def test_every_problem_reported_at_once(seed_data):
    seed_data["gcp"]["pods_cidr"] = "nope"
    seed_data["vpn"]["encryption"] = "rot13"
    seed_data["services"][0]["provider"] = "nowhere"
    paths = {p.split(":")[0] for p in problems(seed_data)}
    assert {"gcp.pods_cidr", "vpn.encryption", "services[0].provider"} <= paths


def test_schema_errors_name_path_and_value(seed_data):
    seed_data["vpn"]["mode"] = "triple"
    seed_data["clusters"][0]["colour"] = "blue"
    del seed_data["gcp"]["region"]
    assert_problem(seed_data, "vpn.mode", "'triple'", "single", "dual")
    assert_problem(seed_data, "clusters[0].colour", "unknown key")
    assert_problem(seed_data, "gcp.region", "missing")


def test_malformed_yaml_names_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: demo\nalibaba:\n  region: [unclosed\n  vpc_cidr: x\n")
    with pytest.raises(ConfigError) as err:
        load_topology(bad)
    assert "line 4" in str(err.value) or "line 3" in str(err.value)
    assert "malformed YAML" in str(err.value)


def _move_to(data, region: str, zones: tuple[str, str]) -> None:
    data["alibaba"]["region"] = region
    for v, zone in zip(data["alibaba"]["vswitches"], zones):
        v["zone"] = zone


@pytest.mark.parametrize("region,zones", [
    ("cn-hangzhou", ("cn-hangzhou-h", "cn-hangzhou-i")),   # Chinese mainland zone ids: hyphen + letter
    ("cn-hongkong", ("cn-hongkong-b", "cn-hongkong-c")),
    ("cn-nanjing", ("cn-nanjing-a", "cn-nanjing-a")),      # one dual-tunnel zone: two vSwitches may share it
    ("ap-northeast-2", ("ap-northeast-2a", "ap-northeast-2a")),  # Seoul, likewise
])
def test_alibaba_zone_ids_and_one_zone_dual_tunnel_regions_accepted(seed_data, region, zones):
    _move_to(seed_data, region, zones)
    assert not [p for p in problems(seed_data) if p.startswith("alibaba.vswitches")], problems(seed_data)


@pytest.mark.parametrize("region,zones,path,fragment", [
    ("cn-hangzhou", ("cn-hangzhouh", "cn-hangzhou-i"), "alibaba.vswitches[0].zone", "expected cn-hangzhou-a, cn-hangzhou-b"),
    ("ap-northeast-1", ("ap-northeast-1-a", "ap-northeast-1b"), "alibaba.vswitches[0].zone", "expected ap-northeast-1a"),
    ("cn-hangzhou", ("cn-hangzhou-k", "cn-hangzhou-k"), "alibaba.vswitches", "two vSwitches in different zones"),
    ("cn-hangzhou", ("cn-hangzhou-b", "cn-hangzhou-k"), "alibaba.vswitches[0].zone", "cn-hangzhou-k, cn-hangzhou-j"),
])
def test_alibaba_zone_ids_and_same_zone_refused_where_the_cloud_refuses(seed_data, region, zones, path, fragment):
    _move_to(seed_data, region, zones)
    assert_problem(seed_data, path, fragment)
