"""Real `terraform` (init/validate/plan/apply/output/destroy) against a temporary sandbox, offline."""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from pathlib import Path

import pytest

from crosscloud.sandbox.gcp import serviceusage
from crosscloud.sandbox.sandbox import Sandbox
from crosscloud.sandbox.testing import run_terraform

pytestmark = pytest.mark.integration

REQUIRED = {"terraform": {"required_providers": {
    "alicloud": {"source": "aliyun/alicloud", "version": ">= 1.250.0, < 2.0.0"},
    "google": {"source": "hashicorp/google", "version": "8.7.0"}}}}
HEADER = {
    **REQUIRED,
    "variable": {"ipsec_psk": {"type": "string", "sensitive": True}},
    # me-east-1: the single-tunnel gateway below is refused where new gateways are dual-tunnel only
    "provider": {"alicloud": [{"region": "me-east-1"}],
                 "google": [{"project": "demo-proj", "region": "asia-northeast1"}]},
}
IKE = {"psk": "${var.ipsec_psk}", "ike_version": "ikev2", "ike_enc_alg": "aes256", "ike_auth_alg": "sha256",
       "ike_pfs": "group14"}
IPSEC = {"ipsec_enc_alg": "aes256", "ipsec_auth_alg": "sha256", "ipsec_pfs": "group14"}
RULES = ["google_compute_forwarding_rule.esp", "google_compute_forwarding_rule.udp500",
         "google_compute_forwarding_rule.udp4500"]


def both_clouds_config() -> dict:
    """Both providers; a single-tunnel and a dual-tunnel Alibaba VPN, each paired with Classic VPN
    tunnels on one Google target gateway; a PBR route; a GKE cluster."""
    tunnel = {"shared_secret": "${var.ipsec_psk}", "target_vpn_gateway": "${google_compute_vpn_gateway.gw.id}",
              "ike_version": 2, "remote_traffic_selector": ["172.16.0.0/12"], "depends_on": RULES}
    rule = {"ip_address": "${google_compute_address.vpn.address}", "target": "${google_compute_vpn_gateway.gw.id}"}
    tos = {"customer_gateway_id": "${alicloud_vpn_customer_gateway.gcp.id}",
           "tunnel_ike_config": IKE, "tunnel_ipsec_config": [IPSEC]}
    return {**copy.deepcopy(HEADER), "resource": {
        "alicloud_vpc": {"vpc": {"vpc_name": "ali-vpc", "cidr_block": "172.16.0.0/12"}},
        "alicloud_vswitch": {
            "a": {"vpc_id": "${alicloud_vpc.vpc.id}", "cidr_block": "172.16.1.0/24", "zone_id": "me-east-1a",
                  "vswitch_name": "vpn-a"},
            "b": {"vpc_id": "${alicloud_vpc.vpc.id}", "cidr_block": "172.16.2.0/24", "zone_id": "me-east-1b",
                  "vswitch_name": "vpn-b"}},
        "alicloud_vpn_gateway": {
            "single": {"vpc_id": "${alicloud_vpc.vpc.id}", "bandwidth": 10, "vswitch_id": "${alicloud_vswitch.a.id}",
                       "payment_type": "PayAsYouGo", "vpn_gateway_name": "single"},
            "dual": {"vpc_id": "${alicloud_vpc.vpc.id}", "bandwidth": 10, "vswitch_id": "${alicloud_vswitch.a.id}",
                     "disaster_recovery_vswitch_id": "${alicloud_vswitch.b.id}", "vpn_gateway_name": "dual"}},
        "alicloud_vpn_customer_gateway": {"gcp": {"ip_address": "${google_compute_address.vpn.address}",
                                                  "customer_gateway_name": "gcp"}},
        "alicloud_vpn_connection": {
            "single": {"vpn_gateway_id": "${alicloud_vpn_gateway.single.id}",
                       "customer_gateway_id": "${alicloud_vpn_customer_gateway.gcp.id}",
                       "local_subnet": ["172.16.0.0/12"], "remote_subnet": ["10.0.0.0/20", "10.4.0.0/14"],
                       "ike_config": IKE,            # a single block written as a JSON object
                       "ipsec_config": [IPSEC],      # ... and as a one-element JSON array
                       "bgp_config": {"enable": False}},
            "dual": {"vpn_gateway_id": "${alicloud_vpn_gateway.dual.id}", "local_subnet": ["172.16.0.0/12"],
                     "remote_subnet": ["10.0.0.0/20"], "enable_tunnels_bgp": False,
                     "tunnel_options_specification": [dict(tos, role="master"), dict(tos, role="slave")]}},
        "alicloud_vpn_pbr_route_entry": {"to_gcp": {
            "vpn_gateway_id": "${alicloud_vpn_gateway.single.id}", "route_source": "172.16.0.0/12",
            "route_dest": "10.0.0.0/20", "next_hop": "${alicloud_vpn_connection.single.id}", "weight": 100,
            "publish_vpc": True}},
        "google_compute_network": {"net": {"name": "gnet", "auto_create_subnetworks": False}},
        "google_compute_subnetwork": {"sub": {
            "name": "gsub", "network": "${google_compute_network.net.id}", "ip_cidr_range": "10.0.0.0/20",
            "secondary_ip_range": [{"range_name": "pods", "ip_cidr_range": "10.4.0.0/14"},
                                   {"range_name": "services", "ip_cidr_range": "10.8.0.0/20"}]}},
        "google_compute_address": {"vpn": {"name": "vpn-ip"}},
        "google_compute_vpn_gateway": {"gw": {"name": "gw", "network": "${google_compute_network.net.id}"}},
        "google_compute_forwarding_rule": {
            "esp": dict(rule, name="esp", ip_protocol="ESP"),
            "udp500": dict(rule, name="udp500", ip_protocol="UDP", port_range="500"),
            "udp4500": dict(rule, name="udp4500", ip_protocol="UDP", port_range="4500")},
        "google_compute_vpn_tunnel": {
            "single": dict(tunnel, name="to-single", peer_ip="${alicloud_vpn_gateway.single.internet_ip}",
                           local_traffic_selector=["10.0.0.0/20", "10.4.0.0/14"]),
            "master": dict(tunnel, name="to-master", local_traffic_selector=["10.0.0.0/20"],
                           peer_ip="${alicloud_vpn_connection.dual.tunnel_options_specification[0].internet_ip}"),
            "slave": dict(tunnel, name="to-slave", local_traffic_selector=["10.0.0.0/20"],
                          peer_ip="${alicloud_vpn_gateway.dual.disaster_recovery_internet_ip}")},
        "google_compute_route": {"to_ali": {
            "name": "to-ali", "network": "${google_compute_network.net.name}", "dest_range": "172.16.0.0/12",
            "next_hop_vpn_tunnel": "${google_compute_vpn_tunnel.single.id}"}},
        "google_container_cluster": {"gke": {
            "name": "gke", "location": "asia-northeast1", "network": "${google_compute_network.net.id}",
            "subnetwork": "${google_compute_subnetwork.sub.id}", "initial_node_count": 1,
            "remove_default_node_pool": True, "deletion_protection": False,
            "ip_allocation_policy": {"cluster_secondary_range_name": "pods",
                                     "services_secondary_range_name": "services"},
            "timeouts": {"create": "40m"}}},
        "google_container_node_pool": {"pool": {
            "name": "pool", "cluster": "${google_container_cluster.gke.id}", "node_count": 1,
            "node_config": {"machine_type": "e2-standard-4"}}},
        "alicloud_cs_managed_kubernetes": {"ask": {
            "name": "ask", "profile": "Serverless", "cluster_spec": "ack.pro.small",
            "vswitch_ids": ["${alicloud_vswitch.a.id}"], "service_cidr": "192.168.0.0/16",
            "addons": [{"name": "CoreDNS"}], "timeouts": {"create": "60m"}}},
        "alicloud_ack_one_cluster": {"fleet": {
            "cluster_name": "fleet", "profile": "Default",
            "network": {"vpc_id": "${alicloud_vpc.vpc.id}", "vswitches": ["${alicloud_vswitch.a.id}"]}}},
        "alicloud_ack_one_membership_attachment": {"ask": {
            "cluster_id": "${alicloud_ack_one_cluster.fleet.id}",
            "sub_cluster_id": "${alicloud_cs_managed_kubernetes.ask.id}"}},
    }, "data": {
        "alicloud_cs_cluster_credential": {"ask": {"cluster_id": "${alicloud_cs_managed_kubernetes.ask.id}",
                                                   "temporary_duration_minutes": 60}},
        "google_client_config": {"current": {}},
    }, "output": {
        "ask_id": {"value": "${alicloud_cs_managed_kubernetes.ask.id}"},
        "ask_vpc": {"value": "${alicloud_cs_managed_kubernetes.ask.vpc_id}"},
        "ask_api": {"value": "${alicloud_cs_managed_kubernetes.ask.connections.api_server_internet}"},
        "ask_kubeconfig": {"value": "${data.alicloud_cs_cluster_credential.ask.kube_config}", "sensitive": True},
        "ask_ca": {"value": "${data.alicloud_cs_cluster_credential.ask.certificate_authority[\"cluster_cert\"]}",
                   "sensitive": True},
        "fleet_id": {"value": "${alicloud_ack_one_cluster.fleet.id}"},
        "fleet_sg": {"value": "${alicloud_ack_one_cluster.fleet.network[0].security_group_ids}"},
        "membership": {"value": "${alicloud_ack_one_membership_attachment.ask.id}"},
        "pool_id": {"value": "${google_container_node_pool.pool.id}"},
        "gcp_project": {"value": "${data.google_client_config.current.project}"},
        "vpc_id": {"value": "${alicloud_vpc.vpc.id}"},
        "gateway_ip": {"value": "${alicloud_vpn_gateway.single.internet_ip}"},
        "dual_ips": {"value": "${alicloud_vpn_connection.dual.tunnel_options_specification[*].internet_ip}"},
        "gcp_ip": {"value": "${google_compute_address.vpn.address}"},
        "tunnel_self_link": {"value": "${google_compute_vpn_tunnel.single.self_link}"},
        "gke_endpoint": {"value": "${google_container_cluster.gke.endpoint}"},
        "gke_ca": {"value": "${google_container_cluster.gke.master_auth[0].cluster_ca_certificate}"},
        "pods_range": {"value": "${google_compute_subnetwork.sub.secondary_ip_range[0].range_name}"},
        "pbr_status": {"value": "${alicloud_vpn_pbr_route_entry.to_gcp.status}"},
    }}


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    sb = Sandbox(tmp_path / "sandbox").ensure()
    # demo-proj is an existing project whose APIs were enabled in the console
    serviceusage.enable_services(sb.store, "demo-proj", ["compute.googleapis.com", "container.googleapis.com"])
    return sb


def write(workdir: Path, config: dict) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "main.tf.json").write_text(json.dumps(config, indent=1))
    return workdir


def show_state(sb: Sandbox, workdir: Path) -> dict[str, dict]:
    show = json.loads(run_terraform(sb, workdir, "show", "-json").stdout)
    return {f"{r['type']}.{r['name']}": r["values"] for r in show["values"]["root_module"]["resources"]}


def test_full_lifecycle_of_both_clouds_offline(sandbox, tmp_path, record_property):
    work = write(tmp_path / "stack", both_clouds_config())
    timings = {}

    def tf(*args, **kw):
        res = run_terraform(sandbox, work, *args, **kw)
        timings.setdefault(args[0], []).append(round(res.seconds, 2))
        return res

    init = tf("init", "-input=false")
    assert "Terraform has been successfully initialized" in init.stdout
    lock = (work / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/aliyun/alicloud"' in lock and 'version     = "1.289.0"' in lock
    assert 'version     = "8.7.0"' in lock

    assert "The configuration is valid" in tf("validate").stdout
    plan = tf("plan", "-input=false", "-out=tfplan")
    assert "Plan: 25 to add, 0 to change, 0 to destroy." in plan.stdout
    assert sandbox.psk not in plan.output
    apply = tf("apply", "-input=false", "tfplan")
    assert "Apply complete! Resources: 25 added" in apply.stdout
    assert sandbox.psk not in apply.output

    out = {k: v["value"] for k, v in json.loads(tf("output", "-json").stdout).items()}
    assert re.fullmatch(r"vpc-[a-z0-9]{17}", out["vpc_id"])
    ali_net, gcp_net = ipaddress.ip_network("47.74.128.0/24"), ipaddress.ip_network("34.84.128.0/24")
    assert ipaddress.ip_address(out["gateway_ip"]) in ali_net
    assert all(ipaddress.ip_address(ip) in ali_net for ip in out["dual_ips"]) and len(set(out["dual_ips"])) == 2
    assert ipaddress.ip_address(out["gcp_ip"]) in gcp_net
    assert ipaddress.ip_address(out["gke_endpoint"]) in gcp_net
    assert out["tunnel_self_link"] == ("https://www.googleapis.com/compute/v1/projects/demo-proj/regions/"
                                       "asia-northeast1/vpnTunnels/to-single")
    assert __import__("base64").b64decode(out["gke_ca"]).startswith(b"-----BEGIN CERTIFICATE-----")
    assert out["pods_range"] == "pods" and out["pbr_status"] == "published"
    assert re.fullmatch(r"c[0-9a-f]{32}", out["ask_id"]) and out["ask_vpc"] == out["vpc_id"]
    assert re.fullmatch(r"c[0-9a-f]{32}", out["fleet_id"]) and out["membership"] == f"{out['fleet_id']}:{out['ask_id']}"
    assert "kind: Config" in out["ask_kubeconfig"] and "server: https://" in out["ask_kubeconfig"]
    assert out["ask_api"].startswith("https://47.74.128.")
    assert out["ask_ca"] and re.fullmatch(r"sg-[a-z0-9]{17}", out["fleet_sg"][0])
    assert out["pool_id"] == "projects/demo-proj/locations/asia-northeast1/clusters/gke/nodePools/pool"
    assert out["gcp_project"] == "demo-proj"

    # every Alibaba tunnel and every Google tunnel is up, as both clouds report it
    links = sandbox.links()
    assert len(links) == 6 and all(link["up"] for link in links), links
    replan = tf("plan", "-input=false", "-detailed-exitcode", check=False)
    assert replan.returncode == 0, replan.output
    tf("apply", "-input=false", "-refresh-only", "-auto-approve")  # what a deploy wait does
    state = show_state(sandbox, work)
    assert state["alicloud_vpn_connection.single"]["status"] == "ipsec_sa_established"
    assert [t["status"] for t in state["alicloud_vpn_connection.dual"]["tunnel_options_specification"]] == [
        "ipsec_sa_established", "ipsec_sa_established"]
    assert state["google_compute_vpn_tunnel.slave"]["detailed_status"] == "Tunnel is up and running."

    tf("destroy", "-input=false", "-auto-approve")
    assert sandbox.store.list() == []
    record_property("terraform_seconds", json.dumps(timings))
    print("terraform timings (s):", json.dumps(timings))


def test_validate_names_a_misspelled_argument(sandbox, tmp_path):
    config = {**copy.deepcopy(REQUIRED), "resource": {
        "alicloud_vpc": {"vpc": {"vpc_nmae": "typo", "cidr_block": "172.16.0.0/12"}}}}
    work = write(tmp_path / "typo", config)
    run_terraform(sandbox, work, "init", "-input=false")
    res = run_terraform(sandbox, work, "validate", "-json", check=False)
    assert res.returncode == 1
    diags = json.loads(res.stdout)["diagnostics"]
    assert any(d["detail"].startswith('No argument or block type is named "vpc_nmae".') for d in diags), diags

    config["resource"]["alicloud_vpc"]["vpc"] = {"vpc_name": "ok"}
    config["resource"]["alicloud_vpn_connection"] = {"c": {
        "vpn_gateway_id": "vpn-x", "local_subnet": ["172.16.0.0/12"], "remote_subnet": ["10.0.0.0/20"],
        "ike_config": {"ike_versoin": "ikev2"}}}
    write(work, config)
    res = run_terraform(sandbox, work, "validate", "-json", check=False)
    diags = json.loads(res.stdout)["diagnostics"]
    assert res.returncode == 1 and any('"ike_versoin"' in d["detail"] for d in diags), diags

    # alicloud v1.289.0 has no validator on ike_version: the real provider passes "ikev3" at
    # validate (the API refuses it at apply), so the sandbox does too
    config["resource"]["alicloud_vpn_connection"]["c"]["ike_config"] = {"ike_version": "ikev3"}
    write(work, config)
    res = run_terraform(sandbox, work, "validate", "-json", check=False)
    assert res.returncode == 0, res.stdout

    # validateCIDRNetworkAddress (alicloud validators.go) refuses host bits in local_subnet
    config["resource"]["alicloud_vpn_connection"]["c"]["local_subnet"] = ["172.16.0.1/12"]
    write(work, config)
    res = run_terraform(sandbox, work, "validate", "-json", check=False)
    diags = json.loads(res.stdout)["diagnostics"]
    assert res.returncode == 1 and any('must contain a valid network CIDR, expected "172.16.0.0/12"'
                                       in d["summary"] for d in diags), diags


def test_mismatched_psk_applies_but_the_link_stays_down(sandbox, tmp_path):
    config = both_clouds_config()
    res = config["resource"]
    res["google_compute_vpn_tunnel"] = {"single": res["google_compute_vpn_tunnel"]["single"]}
    res["google_compute_vpn_tunnel"]["single"]["shared_secret"] = "not-the-same-key"
    for key in ("google_container_cluster", "google_container_node_pool", "alicloud_vpn_pbr_route_entry",
                "alicloud_cs_managed_kubernetes", "alicloud_ack_one_cluster", "alicloud_ack_one_membership_attachment"):
        del res[key]
    del config["data"]
    res["alicloud_vpn_connection"] = {"single": res["alicloud_vpn_connection"]["single"]}
    del res["alicloud_vpn_gateway"]["dual"]
    del config["output"]
    work = write(tmp_path / "psk", config)
    run_terraform(sandbox, work, "init", "-input=false")
    run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve")
    run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve", "-refresh-only")
    state = show_state(sandbox, work)
    assert state["alicloud_vpn_connection.single"]["status"] == "ike_sa_not_established"
    assert state["google_compute_vpn_tunnel.single"]["detailed_status"] == "Authentication failure. Check pre-shared key."
    reasons = {link["reason"] for link in sandbox.links()}
    assert reasons == {"psk_mismatch"}
    listing = json.dumps(sandbox.objects())
    assert sandbox.psk not in listing and "not-the-same-key" not in listing


def test_object_deleted_in_the_cloud_is_recreated_by_the_next_plan(sandbox, tmp_path):
    config = {**copy.deepcopy(HEADER), "resource": {
        "alicloud_vpc": {"vpc": {"vpc_name": "v", "cidr_block": "172.16.0.0/12"}},
        "google_compute_network": {"net": {"name": "n", "auto_create_subnetworks": False}}}}
    work = write(tmp_path / "gone", config)
    run_terraform(sandbox, work, "init", "-input=false")
    run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve")
    vpc_id = sandbox.store.list("alicloud_vpc")[0]["id"]
    assert run_terraform(sandbox, work, "plan", "-detailed-exitcode", check=False).returncode == 0

    assert sandbox.store.delete("alicloud_vpc", vpc_id)
    plan = run_terraform(sandbox, work, "plan", "-detailed-exitcode", check=False)
    assert plan.returncode == 2
    assert "alicloud_vpc.vpc will be created" in plan.stdout
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in plan.stdout
    run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve")
    (new,) = sandbox.store.list("alicloud_vpc")
    assert new["id"] != vpc_id

    # a ForceNew change replaces; an ordinary one updates in place
    config["resource"]["alicloud_vpc"]["vpc"]["vpc_name"] = "renamed"
    config["resource"]["google_compute_network"]["net"]["auto_create_subnetworks"] = True
    write(work, config)
    plan = run_terraform(sandbox, work, "plan")
    assert "alicloud_vpc.vpc will be updated in-place" in plan.stdout
    assert "google_compute_network.net must be replaced" in plan.stdout
    run_terraform(sandbox, work, "destroy", "-auto-approve")
    assert sandbox.store.list() == []


def test_gke_deletion_protection_blocks_destroy(sandbox, tmp_path):
    config = {**copy.deepcopy(HEADER), "resource": {
        "google_compute_network": {"net": {"name": "n", "auto_create_subnetworks": False}},
        "google_container_cluster": {"gke": {"name": "gke", "location": "asia-northeast1",
                                             "network": "${google_compute_network.net.name}",
                                             "initial_node_count": 1}}}}  # deletion_protection left at its default
    work = write(tmp_path / "protected", config)
    run_terraform(sandbox, work, "init", "-input=false")
    run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve")
    res = run_terraform(sandbox, work, "destroy", "-auto-approve", check=False)
    assert res.returncode == 1
    assert ("Cannot destroy cluster because deletion_protection is set to true. Set it to false to proceed "
            "with cluster deletion.") in res.output
    assert len(sandbox.store.list("google_container_cluster")) == 1

    config["resource"]["google_container_cluster"]["gke"]["deletion_protection"] = False
    write(work, config)
    plan = run_terraform(sandbox, work, "plan")
    assert "~ deletion_protection" in plan.stdout and "1 to change" in plan.stdout
    run_terraform(sandbox, work, "apply", "-input=false", "-auto-approve")
    run_terraform(sandbox, work, "destroy", "-auto-approve")
    assert sandbox.store.list() == []
