"""GIVEN the examples WHEN synthesized THEN the Terraform says what the tutorial needs."""

import json

import pytest

PSK_REF = "${var.ipsec_psk}"


def resources(doc: dict, rtype: str) -> dict:
    return doc.get("resource", {}).get(rtype, {})


def only(doc: dict, rtype: str) -> dict:
    (body,) = resources(doc, rtype).values()
    return body


@pytest.fixture(params=["seed", "single"])
def example(request, synthesized):
    return request.param, synthesized(request.param)


def alibaba_phases(conn: dict) -> list[tuple[dict, dict]]:
    if "tunnel_options_specification" in conn:
        return [(t["tunnel_ike_config"], t["tunnel_ipsec_config"]) for t in conn["tunnel_options_specification"]]
    return [(conn["ike_config"], conn["ipsec_config"])]


def test_ike_and_ipsec_parameters_agree(example):
    _, docs = example
    conn = only(docs["vpn"], "alicloud_vpn_connection")
    for ike, ipsec in alibaba_phases(conn):
        assert (ike["ike_version"], ike["ike_enc_alg"], ike["ike_auth_alg"]) == ("ikev2", "aes256", "sha256")
        assert (ipsec["ipsec_enc_alg"], ipsec["ipsec_auth_alg"]) == (ike["ike_enc_alg"], ike["ike_auth_alg"])
        assert ipsec["ipsec_pfs"] == ike["ike_pfs"]
    for tunnel in resources(docs["vpn"], "google_compute_vpn_tunnel").values():
        assert tunnel["ike_version"] == 2


def test_psk_is_a_sensitive_variable_on_both_sides(example):
    _, docs = example
    var = docs["vpn"]["variable"]["ipsec_psk"]
    assert var["sensitive"] is True and "default" not in var and "ephemeral" not in var
    conn = only(docs["vpn"], "alicloud_vpn_connection")
    assert all(ike["psk"] == PSK_REF for ike, _ in alibaba_phases(conn))
    # GCP side: the write-only secret from an ephemeral variable, never the stored shared_secret
    wo = docs["vpn"]["variable"]["ipsec_psk_wo"]
    assert wo["ephemeral"] is True and wo["sensitive"] is True and "default" not in wo
    tunnels = resources(docs["vpn"], "google_compute_vpn_tunnel").values()
    assert tunnels and all(t["shared_secret_wo"] == "${var.ipsec_psk_wo}" and "shared_secret" not in t
                           and t["shared_secret_wo_version"] == "1" for t in tunnels)


def test_selectors_mirror_and_include_pod_and_service_ranges(example, seed_data):
    _, docs = example
    conn = only(docs["vpn"], "alicloud_vpn_connection")
    gcp_ranges = {seed_data["gcp"][k] for k in ("subnet_cidr", "pods_cidr", "services_cidr")}
    assert set(conn["remote_subnet"]) == gcp_ranges
    assert set(conn["local_subnet"]) == {seed_data["alibaba"]["vpc_cidr"]}
    for tunnel in resources(docs["vpn"], "google_compute_vpn_tunnel").values():
        assert set(tunnel["local_traffic_selector"]) == set(conn["remote_subnet"])
        assert set(tunnel["remote_traffic_selector"]) == set(conn["local_subnet"])


def test_one_published_policy_route_per_gcp_range_serialized(example, seed_data):
    _, docs = example
    routes = resources(docs["vpn"], "alicloud_vpn_pbr_route_entry")
    assert {r["route_dest"] for r in routes.values()} == {seed_data["gcp"][k] for k in ("subnet_cidr", "pods_cidr", "services_cidr")}
    assert all(r["publish_vpc"] is True and r["next_hop"] == "${alicloud_vpn_connection.ipsec_connection.id}" for r in routes.values())
    # each route waits for the one before (the gateway takes one change at a time)
    assert routes["policy_route_1"]["depends_on"] == ["alicloud_vpn_pbr_route_entry.policy_route_0"]
    assert only(docs["vpn"], "alicloud_vpn_connection")["auto_config_route"] is False


def test_tunnels_depend_on_all_forwarding_rules(example):
    _, docs = example
    rules = resources(docs["vpn"], "google_compute_forwarding_rule")
    assert sorted((r["ip_protocol"], r.get("port_range")) for r in rules.values()) == [("ESP", None), ("UDP", "4500"), ("UDP", "500")]
    for tunnel in resources(docs["vpn"], "google_compute_vpn_tunnel").values():
        assert sorted(tunnel["depends_on"]) == sorted(f"google_compute_forwarding_rule.{n}" for n in rules)


def test_dual_mode_has_two_tunnels_and_routes_with_priorities(synthesized):
    docs = synthesized("seed")
    conn = only(docs["vpn"], "alicloud_vpn_connection")
    assert [t["role"] for t in conn["tunnel_options_specification"]] == ["master", "slave"]
    assert conn["enable_tunnels_bgp"] is False and "ike_config" not in conn and "customer_gateway_id" not in conn
    gw = only(docs["vpn"], "alicloud_vpn_gateway")
    assert "disaster_recovery_vswitch_id" in gw
    tunnels = resources(docs["vpn"], "google_compute_vpn_tunnel")
    assert tunnels["tunnel_master"]["peer_ip"] == "${alicloud_vpn_gateway.vpn_gateway.internet_ip}"
    assert tunnels["tunnel_slave"]["peer_ip"] == "${alicloud_vpn_gateway.vpn_gateway.disaster_recovery_internet_ip}"
    routes = resources(docs["vpn"], "google_compute_route")
    assert routes["route_master_0"]["priority"] < routes["route_slave_0"]["priority"]


def test_single_mode_uses_ike_and_ipsec_config(synthesized):
    docs = synthesized("single")
    conn = only(docs["vpn"], "alicloud_vpn_connection")
    assert "tunnel_options_specification" not in conn
    assert conn["customer_gateway_id"] == "${alicloud_vpn_customer_gateway.gcp_peer.id}"
    assert conn["bgp_config"] == {"enable": False}
    assert "disaster_recovery_vswitch_id" not in only(docs["vpn"], "alicloud_vpn_gateway")
    assert list(resources(docs["vpn"], "google_compute_vpn_tunnel")) == ["tunnel_master"]


def test_customer_gateway_is_the_gcp_static_ip(example):
    _, docs = example
    address = "${google_compute_address.vpn_ip.address}"
    assert only(docs["vpn"], "alicloud_vpn_customer_gateway")["ip_address"] == address
    assert all(r["ip_address"] == address for r in resources(docs["vpn"], "google_compute_forwarding_rule").values())


def test_gke_deletion_protection_off_default_pool_removed(example):
    _, docs = example
    gke = only(docs["gke"], "google_container_cluster")
    assert gke["deletion_protection"] is False and gke["remove_default_node_pool"] is True
    assert gke["ip_allocation_policy"] == {"cluster_secondary_range_name": "pods", "services_secondary_range_name": "services"}
    pool = only(docs["gke"], "google_container_node_pool")
    assert pool["node_count"] == 1 and pool["node_config"]["machine_type"] == "e2-standard-2"


def test_ask_is_serverless_managed_kubernetes(example):
    _, docs = example
    ask = only(docs["clusters"], "alicloud_cs_managed_kubernetes")
    assert ask["profile"] == "Serverless" and ask["service_cidr"] == "172.21.0.0/20"
    assert ask["deletion_protection"] is False
    assert "alicloud_cs_serverless_kubernetes" not in docs["clusters"].get("resource", {})


def test_fleet_with_ask_membership(example):
    _, docs = example
    hub = only(docs["fleet"], "alicloud_ack_one_cluster")
    assert hub["argocd_enabled"] is False and hub["profile"] == "Default"
    assert "alicloud_ack_one_membership_attachment" not in docs["fleet"]["resource"]
    # the hub needs only the network, so it is created beside the clusters, not after them
    assert set(docs["fleet"]["data"]["terraform_remote_state"]) == {"cross-stack-reference-input-network"}
    member = only(docs["members"], "alicloud_ack_one_membership_attachment")
    assert "cross-stack-reference-input-fleet" in member["cluster_id"]
    assert "cross-stack-reference-input-clusters" in member["sub_cluster_id"]


def test_custom_mode_network_and_firewall(example, seed_data):
    _, docs = example
    assert only(docs["network"], "google_compute_network")["auto_create_subnetworks"] is False
    subnet = only(docs["network"], "google_compute_subnetwork")
    assert {r["range_name"]: r["ip_cidr_range"] for r in subnet["secondary_ip_range"]} == {
        "pods": seed_data["gcp"]["pods_cidr"], "services": seed_data["gcp"]["services_cidr"]}
    fw = only(docs["network"], "google_compute_firewall")
    assert fw["source_ranges"] == [seed_data["alibaba"]["vpc_cidr"]]


def test_backends_are_explicit_and_relative(example):
    _, docs = example
    for name, doc in docs.items():
        assert doc["terraform"]["backend"] == {"local": {"path": f"../{name}/terraform.{name}.tfstate"}}
        for remote in doc.get("data", {}).get("terraform_remote_state", {}).values():
            assert not remote["config"]["path"].startswith("/")


def test_outputs_later_phases_need(synthesized):
    docs = synthesized("seed")
    assert {"alibaba_vpn_gateway_ips", "gcp_vpn_ip", "alibaba_vpn_connection_id", "gcp_tunnel_ids"} <= set(docs["vpn"]["output"])
    assert {"cluster_ids", "ask_kubeconfigs"} == set(docs["clusters"]["output"]) - {
        o for o in docs["clusters"]["output"] if o.startswith("cross-stack-output-")}
    assert {"cluster_ids", "gke_endpoints", "gke_ca_certificates"} == set(docs["gke"]["output"])
    assert "fleet_id" in docs["fleet"]["output"]
    assert set(docs) == {"network", "vpn", "clusters", "gke", "fleet", "members"}


def test_gke_has_its_own_stack_and_members_need_only_alibaba_clusters(synthesized):
    """The GKE clusters are in `gke` (google provider only), the Alibaba ones in `clusters`
    (alicloud only): `members` reads only `clusters` and `fleet`, so it never waits for GKE."""
    from crosscloud.stackgraph import STACK_DEPENDENCIES

    docs = synthesized("seed")
    assert set(docs["gke"]["resource"]) == {"google_container_cluster", "google_container_node_pool"}
    assert set(docs["gke"]["terraform"]["required_providers"]) == {"google"}
    assert not any(t.startswith("google_") for t in docs["clusters"]["resource"])
    assert set(docs["clusters"]["terraform"]["required_providers"]) == {"alicloud"}
    # stable logical ids: the same addresses as in the old `clusters` stack, so state moves as is
    assert set(docs["gke"]["resource"]["google_container_cluster"]) == {"gke_consumer"}
    assert set(docs["gke"]["resource"]["google_container_node_pool"]) == {"gke_consumer_pool"}
    assert set(docs["members"]["data"]["terraform_remote_state"]) == {
        "cross-stack-reference-input-clusters", "cross-stack-reference-input-fleet"}
    assert STACK_DEPENDENCIES["members"] == ("clusters", "fleet") and STACK_DEPENDENCIES["gke"] == ("network",)


def test_provider_constraints(example):
    _, docs = example
    req = docs["vpn"]["terraform"]["required_providers"]
    assert req["alicloud"] == {"source": "aliyun/alicloud", "version": ">= 1.250.0, < 2.0.0"}
    # the prebuilt package writes the short form, which Terraform reads as hashicorp/google
    assert req["google"] == {"source": "hashicorp/google", "version": ">= 7.5.0, < 9.0.0"}


def test_terraform_cloud_backend_one_workspace_per_stack(seed_data, tmp_path):
    import subprocess

    from crosscloud.config import parse_topology
    from crosscloud.hcl import to_hcl
    from crosscloud.synth import synthesize_documents

    seed_data["backend"] = {"type": "cloud", "organization": "acme", "workspace_prefix": "cc-demo"}
    _, docs = synthesize_documents(parse_topology(seed_data))
    for name, doc in docs.items():
        assert doc["terraform"]["cloud"] == {"hostname": "app.terraform.io", "organization": "acme",
                                             "workspaces": {"name": f"cc-demo-{name}"}}
        assert "backend" not in doc["terraform"]
    remote = docs["vpn"]["data"]["terraform_remote_state"]["cross-stack-reference-input-network"]
    assert remote["backend"] == "remote" and remote["config"]["workspaces"] == {"name": "cc-demo-network"}
    hcl = to_hcl(docs["vpn"])
    assert 'workspaces {\n      name = "cc-demo-vpn"' in hcl
    (tmp_path / "main.tf").write_text(hcl)
    assert subprocess.run(["terraform", "fmt", "-check", str(tmp_path / "main.tf")], capture_output=True).returncode == 0


def test_network_stack_enables_the_gcp_apis_and_keeps_them_on_destroy(example):
    _, docs = example
    apis = resources(docs["network"], "google_project_service")
    assert sorted(a["service"] for a in apis.values()) == ["compute.googleapis.com", "container.googleapis.com"]
    assert all(a["disable_on_destroy"] is False for a in apis.values())
    network = only(docs["network"], "google_compute_network")
    assert sorted(network["depends_on"]) == ["google_project_service.api_compute", "google_project_service.api_container"]


def test_enable_apis_false_leaves_the_project_services_alone():
    from crosscloud.config import load_topology
    from crosscloud.synth import synthesize_documents
    from support import EXAMPLES

    t = load_topology(EXAMPLES / "seed.yaml")
    t = t.model_copy(update={"gcp": t.gcp.model_copy(update={"enable_apis": False})})
    docs = synthesize_documents(t)[1]
    assert resources(docs["network"], "google_project_service") == {}
    assert "depends_on" not in only(docs["network"], "google_compute_network")
