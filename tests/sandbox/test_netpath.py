"""The twin's packet path, hop by hop: GIVEN both clouds' objects in the store WHEN a flow is
probed THEN it passes only where every hop on the way there and back lets it, else the first
hop that refuses is named."""

import pytest

from crosscloud.sandbox import netpath
from crosscloud.sandbox.alibaba import ecs
from crosscloud.sandbox.cloud import CloudError, _fill
from crosscloud.sandbox.store import CloudStore
from crosscloud.sandbox.tfschema import UNKNOWN

NET = "projects/p/global/networks/demo-vpc"
GKE = "projects/p/locations/asia-northeast1-a/clusters/gke"
ASK = "c" + "2" * 32
TUNNELS = {role: f"projects/p/regions/asia-northeast1/vpnTunnels/demo-tunnel-{role}" for role in ("master", "slave")}
GKE_POD, ASK_POD = "10.40.0.5", "192.168.1.20"


@pytest.fixture
def store(tmp_path):
    s = CloudStore(tmp_path / "cloud.db")
    s.put("google_compute_network", NET, {"name": "demo-vpc"})
    s.put("google_compute_subnetwork", "projects/p/regions/asia-northeast1/subnetworks/demo-subnet",
          {"name": "demo-subnet", "network": NET, "ip_cidr_range": "10.146.0.0/20",
           "secondary_ip_range": [{"range_name": "pods", "ip_cidr_range": "10.40.0.0/14"},
                                  {"range_name": "services", "ip_cidr_range": "10.44.0.0/20"}]})
    s.put("google_container_cluster", GKE, {"name": "gke", "network": NET,
                                            "subnetwork": "projects/p/regions/asia-northeast1/subnetworks/demo-subnet"})
    s.put("google_container_node_pool", GKE + "/nodePools/pool", {"cluster": GKE, "node_config": [{"tags": ["demo-gke-node"]}]})
    for role, tid in TUNNELS.items():
        s.put("google_compute_vpn_tunnel", tid, {
            "name": f"demo-tunnel-{role}", "local_traffic_selector": ["10.146.0.0/20", "10.40.0.0/14", "10.44.0.0/20"],
            "remote_traffic_selector": ["192.168.0.0/16"], "detailed_status": "Tunnel is up and running.",
            "_link": {"status": "ESTABLISHED", "reason": "up", "peer": f"vco-1:{role}"}})
        s.put("google_compute_route", f"projects/p/global/routes/to-alibaba-{role}", {
            "name": f"to-alibaba-{role}", "network": NET, "dest_range": "192.168.0.0/16",
            "priority": {"master": 1000, "slave": 1100}[role], "next_hop_vpn_tunnel": tid})
    s.put("google_compute_firewall", "projects/p/global/firewalls/demo-allow-alibaba", {
        "name": "demo-allow-alibaba", "network": NET, "direction": "INGRESS", "source_ranges": ["192.168.0.0/16"],
        "target_tags": ["demo-gke-node"], "allow": [{"protocol": "icmp"}]})
    s.put("alicloud_vpc", "vpc-1", {"cidr_block": "192.168.0.0/16"})
    s.put("alicloud_vswitch", "vsw-1", {"vpc_id": "vpc-1", "cidr_block": "192.168.1.0/24"})
    s.put("alicloud_vpn_gateway", "vpn-1", {"vpc_id": "vpc-1"})
    s.put("alicloud_vpn_connection", "vco-1", {"vpn_gateway_id": "vpn-1", "_link": {
        role: {"status": "ipsec_sa_established", "reason": "up", "detail": "", "peer": TUNNELS[role]}
        for role in ("master", "slave")}})
    for dest in ("10.146.0.0/20", "10.40.0.0/14", "10.44.0.0/20"):
        s.put("alicloud_vpn_pbr_route_entry", f"vpn-1:vco-1:192.168.0.0/16:{dest}", {
            "vpn_gateway_id": "vpn-1", "route_source": "192.168.0.0/16", "route_dest": dest, "next_hop": "vco-1",
            "status": "published"})
    s.put("alicloud_cs_managed_kubernetes", ASK, {"vswitch_ids": ["vsw-1"], "vpc_id": "vpc-1", "security_group_id": "sg-1"})
    return s


def sg_rule(store, cidr="10.40.0.0/14", ports="8080/8080", policy="accept", priority=1, proto="tcp"):
    attrs = {"security_group_id": "sg-1", "type": "ingress", "ip_protocol": proto, "port_range": ports,
             "cidr_ip": cidr, "policy": policy, "priority": priority, "nic_type": "intranet"}
    store.put("alicloud_security_group_rule", ecs.rule_id(attrs), attrs)


def curl(store, port=8080, protocol="tcp"):
    """The tutorial's last step: the GKE consumer pod to the ASK provider pod."""
    return netpath.probe(store, netpath.Flow(netpath.Endpoint("google_container_cluster", GKE, GKE_POD),
                                             netpath.Endpoint("alicloud_cs_managed_kubernetes", ASK, ASK_POD),
                                             port, protocol))


def set_link(store, kind, id_, role=None, up=False):
    def patch(a):
        if kind == "google_compute_vpn_tunnel":
            a["_link"] = {**a["_link"], "status": "ESTABLISHED" if up else "NO_INCOMING_PACKETS",
                          "reason": "up" if up else "no_peer"}
            a["detailed_status"] = "Tunnel is up and running." if up else "No incoming packets from peer."
        else:
            a["_link"][role] = {**a["_link"][role], "reason": "up" if up else "no_peer",
                                "status": "ipsec_sa_established" if up else "ike_sa_not_established"}
        return a
    store.modify(kind, id_, patch)


def test_default_cluster_security_group_refuses_tcp_from_gke_pods(store):
    result = curl(store)
    assert not result.ok
    assert result.blocked.name == "security group sg-1 (ingress)"
    assert result.blocked.detail.startswith("security group sg-1 admits no TCP 8080 from 10.40.0.5 (10.40.0.0/14")
    # the documented default does admit ICMP from anywhere (the tutorial's ping)
    assert curl(store, None, "icmp").ok


def test_ingress_rule_for_the_pod_range_and_target_port_lets_it_through(store):
    sg_rule(store)
    result = curl(store)
    assert result.ok and result.tunnel == "demo-tunnel-master" and not result.degraded, result.hops
    assert [h.name for h in result.hops][-1] == "reply: Alibaba VPC route table"
    assert not curl(store, 80).ok                                 # only the target port


@pytest.mark.parametrize("rule", [dict(cidr="10.146.0.0/20"), dict(ports="80/80"), dict(proto="udp")])
def test_rules_for_other_sources_ports_or_protocols_do_not(store, rule):
    sg_rule(store, **rule)
    assert curl(store).blocked.name == "security group sg-1 (ingress)"


def test_drop_wins_at_equal_priority_and_a_higher_priority_accept_wins(store):
    sg_rule(store, priority=5)
    sg_rule(store, cidr="10.0.0.0/8", ports="1/65535", policy="drop", priority=5)
    assert "drops TCP 8080" in curl(store).blocked.detail
    sg_rule(store, priority=1)
    assert curl(store).ok


def test_one_tunnel_down_fails_over_both_down_blocks(store):
    sg_rule(store)
    set_link(store, "google_compute_vpn_tunnel", TUNNELS["master"])
    set_link(store, "alicloud_vpn_connection", "vco-1", "master")
    result = curl(store)
    assert result.ok and result.tunnel == "demo-tunnel-slave"
    assert any("demo-tunnel-master" in d for d in result.degraded)
    assert netpath.link_carries(store)[0] and "degraded" in netpath.link_carries(store)[1]
    set_link(store, "google_compute_vpn_tunnel", TUNNELS["slave"])
    set_link(store, "alicloud_vpn_connection", "vco-1", "slave")
    result = curl(store)
    assert result.blocked.name == "IPsec tunnel up" and "demo-tunnel-slave" in result.blocked.detail
    assert netpath.link_carries(store)[0] is False


def test_deleted_tunnel_routes_are_skipped(store):
    sg_rule(store)
    store.delete("google_compute_vpn_tunnel", TUNNELS["master"])
    set_link(store, "alicloud_vpn_connection", "vco-1", "master")
    result = curl(store)
    assert result.ok and result.tunnel == "demo-tunnel-slave"
    assert any("does not exist" in d for d in result.degraded)


def test_unpublished_reply_route_blocks_the_reply(store):
    sg_rule(store)
    store.modify("alicloud_vpn_pbr_route_entry", "vpn-1:vco-1:192.168.0.0/16:10.40.0.0/14",
                 lambda a: {**a, "status": "normal"})
    blocked = curl(store).blocked
    assert blocked.name == "reply: Alibaba VPC route table" and "not published" in blocked.detail


def test_selectors_without_the_pod_range_block(store):
    sg_rule(store)
    for tid in TUNNELS.values():
        store.modify("google_compute_vpn_tunnel", tid, lambda a: {**a, "local_traffic_selector": ["10.146.0.0/20"]})
    assert curl(store).blocked.name == "tunnel traffic selectors"


def test_alibaba_to_gke_needs_the_firewall_on_the_node_tag(store):
    def ping(protocol="icmp", port=None):
        return netpath.probe(store, netpath.Flow(netpath.Endpoint("alicloud_cs_managed_kubernetes", ASK, ASK_POD),
                                                 netpath.Endpoint("google_container_cluster", GKE, GKE_POD), port, protocol))
    assert ping().ok
    blocked = ping("tcp", 22).blocked
    assert blocked.name == "GCP firewall (ingress)" and "implied rule denies ingress" in blocked.detail
    store.modify("google_compute_firewall", "projects/p/global/firewalls/demo-allow-alibaba",
                 lambda a: {**a, "target_tags": ["some-other-vm"]})
    assert ping().blocked.name == "GCP firewall (ingress)"


def test_address_outside_the_network_is_refused(store):
    flow = netpath.Flow(netpath.Endpoint("google_container_cluster", GKE, "172.16.0.9"),
                        netpath.Endpoint("alicloud_cs_managed_kubernetes", ASK, ASK_POD), 8080)
    assert netpath.probe(store, flow).blocked.name == "addresses"


# -- the ECS rules an alicloud_security_group_rule meets before it exists ------------------------
def rule(**kw):
    base = {"security_group_id": "sg-1", "type": "ingress", "ip_protocol": "tcp", "port_range": "8080/8080",
            "cidr_ip": "10.40.0.0/14", "policy": UNKNOWN, "priority": UNKNOWN, "nic_type": UNKNOWN,
            "source_security_group_id": UNKNOWN, "source_group_owner_account": UNKNOWN, "description": UNKNOWN,
            "id": UNKNOWN}
    return {**base, **kw}


def compute(store, s):
    ecs.compute_rule(s, store.list(), _fill, CloudError)
    return s


def test_valid_rule_is_accepted_with_the_provider_defaults(store):
    s = compute(store, rule())
    assert (s["policy"], s["priority"], s["nic_type"]) == ("accept", 1, "intranet")
    assert s["id"] == "sg-1:ingress:tcp:8080/8080:intranet:10.40.0.0/14:accept:1"
    assert compute(store, rule(ip_protocol="icmp", port_range="-1/-1"))["id"]


@pytest.mark.parametrize("change,words", [
    (dict(port_range="-1/-1"), "'tcp' and 'udp' can support port range"),
    (dict(ip_protocol="icmp"), "only support port range '-1/-1'"),
    (dict(cidr_ip=None), "Either 'cidr_ip' or 'source_security_group_id'"),
    (dict(security_group_id="sg-gone"), "InvalidSecurityGroupId.NotFound"),
    (dict(priority=101), "InvalidPriority"),
    (dict(port_range="9000/80"), "InvalidPortRange"),
])
def test_invalid_rules_are_refused_as_the_provider_and_api_do(store, change, words):
    with pytest.raises(CloudError, match=words.replace("(", r"\(")):
        compute(store, rule(**change))
