"""GIVEN the examples, THEN the synthesized stacks hold the right Terraform for each cluster kind
(ASK / ACS / ACK with Terway, node pool or virtual nodes) and for several GKE clusters."""

from crosscloud.constructs.clusters import PROFILES


def resources(doc, tf_type):
    return doc.get("resource", {}).get(tf_type, {})


def test_acs_is_a_managed_cluster_with_profile_acs(synthesized):
    clusters = synthesized("acs")["clusters"]
    (acs,) = resources(clusters, "alicloud_cs_managed_kubernetes").values()
    assert acs["profile"] == "Acs" and "addons" not in acs and "pod_vswitch_ids" not in acs
    assert resources(clusters, "alicloud_cs_kubernetes_node_pool") == {}
    assert "alicloud_cs_serverless_kubernetes" not in clusters.get("resource", {})


def test_ask_stays_serverless_in_the_tutorial(synthesized):
    (ask,) = resources(synthesized("seed")["clusters"], "alicloud_cs_managed_kubernetes").values()
    assert ask["profile"] == PROFILES["ask"] == "Serverless"


def test_ack_is_pro_with_terway_pod_vswitches_and_its_capacity(synthesized):
    docs = synthesized("ack")
    clusters = resources(docs["clusters"], "alicloud_cs_managed_kubernetes")
    provider, virtual = clusters["ack_provider"], clusters["ack_virtual"]
    for c in (provider, virtual):
        assert (c["profile"], c["cluster_spec"]) == ("Default", "ack.pro.small")
        assert {"name": "terway-eniip"} in c["addons"]
    assert [a["name"] for a in provider["addons"]] == ["terway-eniip"]
    assert [a["name"] for a in virtual["addons"]] == ["terway-eniip", "ack-virtual-node"]
    pod_vsw = resources(docs["network"], "alicloud_vswitch")
    assert {k for k in pod_vsw if k.startswith("pod_vswitch_")} == {
        "pod_vswitch_ack_provider_0", "pod_vswitch_ack_provider_1", "pod_vswitch_ack_virtual_0"}
    assert len(provider["pod_vswitch_ids"]) == 2 and len(virtual["pod_vswitch_ids"]) == 1
    pools = resources(docs["clusters"], "alicloud_cs_kubernetes_node_pool")
    assert set(pools) == {"ack_provider_pool"}          # virtual nodes need no node pool
    pool = pools["ack_provider_pool"]
    assert (pool["desired_size"], pool["instance_types"]) == ("2", ["ecs.g7.large"])
    # both join the fleet
    assert set(resources(docs["members"], "alicloud_ack_one_membership_attachment")) == {
        "member_ack_provider", "member_ack_virtual"}


def test_each_gke_cluster_has_its_own_subnet_and_every_range_is_in_the_vpn(synthesized):
    docs = synthesized("multi")
    subnets = resources(docs["network"], "google_compute_subnetwork")
    assert set(subnets) == {"subnet", "subnet_gke_batch"}   # the first keeps its id
    assert subnets["subnet_gke_batch"]["ip_cidr_range"] == "10.150.0.0/20"
    assert [r["ip_cidr_range"] for r in subnets["subnet_gke_batch"]["secondary_ip_range"]] == ["10.48.0.0/14", "10.52.0.0/20"]
    gke = resources(docs["gke"], "google_container_cluster")
    assert gke["gke_batch"]["subnetwork"].endswith("subnetworksubnet_gke_batchid}")
    assert gke["gke_web"]["subnetwork"].endswith("subnetworksubnetid}")
    ranges = ["10.146.0.0/20", "10.40.0.0/14", "10.44.0.0/20", "10.150.0.0/20", "10.48.0.0/14", "10.52.0.0/20"]
    conn = next(iter(resources(docs["vpn"], "alicloud_vpn_connection").values()))
    assert conn["remote_subnet"] == ranges
    for tunnel in resources(docs["vpn"], "google_compute_vpn_tunnel").values():
        assert tunnel["local_traffic_selector"] == ranges
    routes = resources(docs["vpn"], "alicloud_vpn_pbr_route_entry")
    assert sorted(r["route_dest"] for r in routes.values()) == sorted(ranges)
    assert "policy_route_0" in routes and routes["policy_route_0"]["route_dest"] == "10.146.0.0/20"


def test_seed_synthesis_keeps_its_ids(synthesized):
    docs = synthesized("seed")
    assert set(resources(docs["network"], "google_compute_subnetwork")) == {"subnet"}
    assert set(resources(docs["vpn"], "alicloud_vpn_pbr_route_entry")) == {"policy_route_0", "policy_route_1", "policy_route_2"}
