"""The sandbox clouds' behaviour, without Terraform: link model, formats, planning helpers."""

from __future__ import annotations

import ipaddress
import re

import pytest

from crosscloud.sandbox import semantics as sem
from crosscloud.sandbox import tfschema
from crosscloud.sandbox.cloud import Cloud, CloudError
from crosscloud.sandbox.gcp import serviceusage
from crosscloud.sandbox.store import CloudStore
from crosscloud.sandbox.testing import planned as plan
from crosscloud.sandbox.tfschema import UNKNOWN

PSK = "s3cretKEY0123456789abcdefABCDEF0"


def ali_end(**kw) -> sem.AlibabaEnd:
    base = dict(connection_id="vco-x", role="single", ip="47.74.128.10", peer_ip="34.84.128.20",
                ike={"psk": PSK, "ike_version": "ikev2", "ike_enc_alg": "aes256", "ike_auth_alg": "sha256",
                     "ike_pfs": "group14"},
                ipsec={"ipsec_enc_alg": "aes256", "ipsec_auth_alg": "sha256", "ipsec_pfs": "group14"},
                local_subnet=["172.16.0.0/12"], remote_subnet=["10.0.0.0/20", "10.4.0.0/14"])
    base.update(kw)
    return sem.AlibabaEnd(**base)


def gcp_end(**kw) -> sem.GoogleEnd:
    base = dict(tunnel_id="projects/p/regions/r/vpnTunnels/t", gateway_found=True, missing_rules=[],
                ip="34.84.128.20", peer_ip="47.74.128.10", psk=PSK, ike_version=2,
                local_ts=["10.4.0.0/14", "10.0.0.0/20"], remote_ts=["172.16.0.0/12"])
    base.update(kw)
    return sem.GoogleEnd(**base)


# ------------------------------------------------------------------ the IPsec link


def test_link_is_up_when_both_sides_agree():
    v = sem.evaluate(ali_end(), gcp_end())
    assert v.up
    assert v.alibaba_status == "ipsec_sa_established"
    assert v.google_status == "ESTABLISHED"
    assert v.google_text == "Tunnel is up and running."


@pytest.mark.parametrize("ali, gcp, reason, ali_status, text", [
    ({}, {"gateway_found": False}, "no_target_gateway", "ike_sa_not_established", "Waiting for full config."),
    ({}, {"missing_rules": ["UDP 4500"]}, "missing_forwarding_rules", "ike_sa_not_established",
     "Waiting for full config. Forwarding rules missing: UDP 4500."),
    ({"peer_ip": "34.84.128.99"}, {}, "peer_address_mismatch", "ike_sa_not_established",
     "No incoming packets from peer. The peer sends to a different gateway address."),
    ({"ike": {"psk": PSK, "ike_version": "ikev1"}}, {}, "ike_version_mismatch", "ike_sa_not_established",
     "Negotiation failure with peer. IKE version mismatch."),
    ({"ike": {"psk": PSK, "ike_version": "ikev2", "ike_enc_alg": "des"}}, {}, "ike_proposal_mismatch",
     "ike_sa_not_established", "Negotiation failure with peer. Proposal mismatch."),
    ({"ike": {"psk": PSK, "ike_version": "ikev2", "ike_pfs": "group1"}}, {}, "ike_proposal_mismatch",
     "ike_sa_not_established", "Negotiation failure with peer. Proposal mismatch."),
    ({}, {"psk": "another-key"}, "psk_mismatch", "ike_sa_not_established",
     "Authentication failure. Check pre-shared key."),
    ({"ipsec": {"ipsec_enc_alg": "des"}}, {}, "ipsec_proposal_mismatch", "ipsec_sa_not_established",
     "Negotiation failure with peer. Child SA proposal mismatch."),
    ({}, {"local_ts": ["10.0.0.0/20"]}, "traffic_selector_mismatch", "ipsec_sa_not_established",
     "Negotiation failure with peer. Traffic selector mismatch."),
    ({}, {"remote_ts": ["172.16.0.0/16"]}, "traffic_selector_mismatch", "ipsec_sa_not_established",
     "Negotiation failure with peer. Traffic selector mismatch."),
    ({"ike": {"psk": PSK, "ike_version": "ikev1"}}, {"ike_version": 1}, "ikev1_multiple_cidrs",
     "ipsec_sa_not_established", "Negotiation failure with peer. IKEv1 allows one CIDR per traffic selector."),
])
def test_each_disagreement_has_its_own_reason_and_wording(ali, gcp, reason, ali_status, text):
    v = sem.evaluate(ali_end(**ali), gcp_end(**gcp))
    assert not v.up
    assert v.reason == reason
    assert v.alibaba_status == ali_status
    assert v.google_text == text


def test_every_reason_has_distinct_google_wording():
    texts = [t for _, _, t in sem.LINK_REASONS.values()]
    assert len(set(texts)) == len(texts)
    assert {a for a, _, _ in sem.LINK_REASONS.values()} <= {
        "ike_sa_not_established", "ike_sa_established", "ipsec_sa_not_established", "ipsec_sa_established"}


def test_alibaba_defaults_meet_gcp_defaults_only_on_ike_version():
    """Leaving ike_config out on Alibaba (IKEv1) against GCP's default IKEv2 fails on the version."""
    v = sem.evaluate(ali_end(ike={"psk": PSK}, ipsec={}), gcp_end())
    assert v.reason == "ike_version_mismatch"


def test_selectors_compare_as_sets_of_networks():
    v = sem.evaluate(ali_end(remote_subnet=["10.4.0.0/14", "10.0.0.0/20"]),
                     gcp_end(local_ts=["10.0.0.0/20", "10.4.0.0/14"]))
    assert v.up


def test_negotiation_takes_time_when_latency_is_on():
    a, g = ali_end(updated_at=1000.0), gcp_end(updated_at=1000.0)
    assert sem.evaluate(a, g, now=1010.0, negotiation_s=30).reason == "negotiating"
    assert sem.evaluate(a, g, now=1010.0, negotiation_s=30).alibaba_status == "ike_sa_established"
    assert sem.evaluate(a, g, now=1031.0, negotiation_s=30).up


def test_link_verdicts_pair_tunnels_by_addresses():
    master = ali_end(role="master", ip="47.74.128.10")
    slave = ali_end(role="slave", ip="47.74.128.11")
    t_master = gcp_end(tunnel_id="t-master", peer_ip="47.74.128.10")
    t_slave = gcp_end(tunnel_id="t-slave", peer_ip="47.74.128.11", psk="wrong")
    lonely = gcp_end(tunnel_id="t-none", peer_ip="47.74.128.99")
    ali, gcp = sem.link_verdicts([master, slave], [t_master, t_slave, lonely])
    assert ali[("vco-x", "master")][0].up and ali[("vco-x", "master")][1] == "t-master"
    assert ali[("vco-x", "slave")][0].reason == "psk_mismatch"
    assert gcp["t-master"][0].up
    assert gcp["t-slave"][0].google_text == "Authentication failure. Check pre-shared key."
    assert gcp["t-none"][0].reason == "no_peer"
    assert gcp["t-none"][0].google_text == "No incoming packets from peer."


def test_alibaba_side_without_any_google_tunnel_is_not_established():
    ali, gcp = sem.link_verdicts([ali_end()], [])
    verdict, peer = ali[("vco-x", "single")]
    assert verdict.alibaba_status == "ike_sa_not_established" and peer is None


def test_dual_connection_status_is_the_best_tunnel():
    assert sem.connection_status(["ike_sa_not_established", "ipsec_sa_established"]) == "ipsec_sa_established"
    assert sem.connection_status(["ike_sa_not_established", "ipsec_sa_not_established"]) == "ipsec_sa_not_established"
    assert sem.connection_status([]) == "ike_sa_not_established"


def test_pbr_route_status():
    assert sem.pbr_status(True) == "published"
    assert sem.pbr_status(False) == "normal"
    planned = {"publish_vpc": True, "status": UNKNOWN}
    sem.plan_known("alicloud_vpn_pbr_route_entry", planned)
    assert planned["status"] == "published"


# ------------------------------------------------------------------ formats


def test_id_formats():
    assert re.fullmatch(r"vpc-[a-z0-9]{17}", sem.alibaba_id("vpc"))
    assert re.fullmatch(r"vco-[a-z0-9]{17}", sem.alibaba_id("vco"))
    assert re.fullmatch(r"c[0-9a-f]{32}", sem.ack_cluster_id())
    assert len({sem.alibaba_id("vsw") for _ in range(200)}) == 200
    pem = sem.pem_certificate()
    assert pem.startswith("-----BEGIN CERTIFICATE-----\n") and pem.endswith("-----END CERTIFICATE-----\n")


def test_latency_model(monkeypatch):
    monkeypatch.setenv(sem.LATENCY_ENV, "1.0")
    assert sem.latency_seconds("alicloud_cs_managed_kubernetes", "create") == 10.0
    assert sem.latency_seconds("google_container_cluster", "create") == 8.0
    assert sem.latency_seconds("alicloud_vpn_gateway", "create") == 5.0
    monkeypatch.setenv(sem.LATENCY_ENV, "0")
    assert sem.latency_seconds("alicloud_cs_managed_kubernetes", "create") == 0.0
    monkeypatch.delenv(sem.LATENCY_ENV)
    assert sem.latency_seconds("alicloud_vpc", "create") == 0.0


def test_redact_hides_secrets():
    out = sem.redact({"ike_config": [{"psk": "x", "ike_version": "ikev2"}], "shared_secret": "y", "name": "n"})
    assert out == {"ike_config": [{"psk": "(sensitive)", "ike_version": "ikev2"}],
                   "shared_secret": "(sensitive)", "name": "n"}


# ------------------------------------------------------------------ planning helpers

BLOCK = {
    "attributes": {
        "id": {"type": "string", "optional": True, "computed": True},
        "name": {"type": "string", "required": True, "force_new": True},
        "tags": {"type": ["map", "string"], "optional": True},
        "enable": {"type": "bool", "optional": True, "default": True},
        "status": {"type": "string", "computed": True},
    },
    "blocks": {
        "tunnel": {"nesting": "list", "attributes": {
            "peer": {"type": "string", "optional": True, "force_new": True},
            "ip": {"type": "string", "computed": True}}, "blocks": {}},
        "auto": {"nesting": "single", "max_items": 1, "computed": True, "attributes": {
            "psk": {"type": "string", "optional": True, "computed": True}}, "blocks": {}},
    },
}


def test_plan_new_marks_computed_unknown_everywhere():
    proposed = {"id": None, "name": "a", "tags": None, "enable": None, "status": None,
                "tunnel": [{"peer": "x", "ip": None}], "auto": []}
    planned = tfschema.plan_new(BLOCK, proposed, {"tunnel": [{"peer": "x"}], "auto": []})
    assert planned["id"] is UNKNOWN and planned["status"] is UNKNOWN
    assert planned["enable"] is True  # schema default
    assert planned["tags"] is None
    assert planned["tunnel"][0]["ip"] is UNKNOWN
    assert planned["auto"] is UNKNOWN  # Optional+Computed block left out


def test_plan_update_keeps_computed_block_and_finds_nested_force_new():
    prior = {"id": "i", "name": "a", "tags": None, "enable": True, "status": "ok",
             "tunnel": [{"peer": "x", "ip": "1.1.1.1"}], "auto": [{"psk": "k"}]}
    proposed = dict(prior, tunnel=[{"peer": "y", "ip": "1.1.1.1"}], auto=[])
    planned = tfschema.plan_update(BLOCK, prior, proposed, {"tunnel": [{"peer": "y"}], "auto": []})
    assert planned["auto"] == [{"psk": "k"}]
    assert tfschema.changed(BLOCK, prior, planned)
    assert tfschema.replace_paths(BLOCK, prior, planned) == [("tunnel", 0, "peer")]
    same = tfschema.plan_update(BLOCK, prior, dict(prior, auto=[]), {"tunnel": [{"peer": "x"}], "auto": []})
    assert not tfschema.changed(BLOCK, prior, same)


def test_google_force_new_table_is_used_for_google_types():
    fn = sem.google_force_new("google_compute_vpn_tunnel")
    assert fn(("shared_secret",)) and fn(("peer_ip",)) and not fn(("labels",))
    assert sem.google_force_new("google_compute_network")(("auto_create_subnetworks",))


def test_schema_files_follow_the_shared_format():
    kinds = {"string", "number", "bool"}

    def check_type(t):
        if isinstance(t, str):
            assert t in kinds
        else:
            assert t[0] in ("list", "set", "map", "object") and len(t) == 2
            if t[0] == "object":  # SDK: a computed-only nested resource is an object attribute
                for et in t[1].values():
                    check_type(et)
            else:
                check_type(t[1])

    def check_block(b, path):
        for name, a in b["attributes"].items():
            check_type(a["type"])
            assert a.get("required") or a.get("optional") or a.get("computed"), (path, name)
        for name, nb in b["blocks"].items():
            assert nb["nesting"] in ("single", "list", "set", "object"), (path, name)
            if nb["nesting"] == "single":
                assert nb["max_items"] == 1
            check_block(nb, path + (name,))

    for provider in ("alicloud", "google"):
        doc = tfschema.load(provider)
        check_block(doc["provider"]["config"], (provider,))
        for section in ("resources", "data_sources"):
            for t, b in doc[section].items():
                check_block(b, (t,))
    ali = tfschema.load("alicloud")
    assert set(ali["resources"]) == {
        "alicloud_vpc", "alicloud_vswitch", "alicloud_vpn_gateway", "alicloud_vpn_customer_gateway",
        "alicloud_vpn_connection", "alicloud_vpn_pbr_route_entry", "alicloud_security_group_rule",
        "alicloud_cs_managed_kubernetes", "alicloud_cs_kubernetes_node_pool",
        "alicloud_ack_one_cluster", "alicloud_ack_one_membership_attachment"}
    conn = ali["resources"]["alicloud_vpn_connection"]
    tos = conn["blocks"]["tunnel_options_specification"]
    assert tos["nesting"] == "list"
    assert {"tunnel_ike_config", "tunnel_ipsec_config", "tunnel_bgp_config"} <= set(tos["blocks"])
    assert all(tos["attributes"][k].get("computed") for k in ("internet_ip", "tunnel_id", "state", "status", "zone_no"))
    assert conn["attributes"]["vpn_gateway_id"]["force_new"]
    assert ali["data_sources"]["alicloud_cs_cluster_credential"]["attributes"]["kube_config"]["sensitive"]


# ------------------------------------------------------------------ the cloud on a store


@pytest.fixture
def clouds(tmp_path):
    store = CloudStore(tmp_path / "cloud.db")
    serviceusage.enable_services(store, "p1", ["compute.googleapis.com", "container.googleapis.com"])  # an old project
    return (Cloud(store, "alicloud", {"region": "ap-northeast-1"}),
            Cloud(store, "google", {"project": "p1", "region": "asia-northeast1"}), store)




def test_created_objects_have_cloud_formats(clouds):
    ali, gcp, store = clouds
    vpc = ali.create("alicloud_vpc", plan(ali, "alicloud_vpc", cidr_block="172.16.0.0/12"))
    assert re.fullmatch(r"vpc-[a-z0-9]{17}", vpc["id"])
    a = ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], cidr_block="172.16.1.0/24",
                                            zone_id="ap-northeast-1a"))
    b = ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], cidr_block="172.16.2.0/24",
                                            zone_id="ap-northeast-1b"))
    assert re.fullmatch(r"vsw-[a-z0-9]{17}", a["id"])
    gw = ali.create("alicloud_vpn_gateway", plan(ali, "alicloud_vpn_gateway", vpc_id=vpc["id"], bandwidth=10,
                                                 vswitch_id=a["id"], disaster_recovery_vswitch_id=b["id"]))
    assert re.fullmatch(r"vpn-[a-z0-9]{17}", gw["id"])
    ips = [gw["internet_ip"], gw["disaster_recovery_internet_ip"]]
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("47.74.128.0/24") for ip in ips)
    assert len(set(ips)) == 2
    dubai = Cloud(store, "alicloud", {"region": "me-east-1"})  # single-vSwitch gateways are still created there
    single = dubai.create("alicloud_vpn_gateway", plan(dubai, "alicloud_vpn_gateway", vpc_id=vpc["id"], bandwidth=10))
    assert single["disaster_recovery_internet_ip"] is None and single["vswitch_id"] in (a["id"], b["id"])

    addr = gcp.create("google_compute_address", plan(gcp, "google_compute_address", name="vpn-ip"))
    assert addr["id"] == "projects/p1/regions/asia-northeast1/addresses/vpn-ip"
    assert addr["self_link"] == "https://www.googleapis.com/compute/v1/" + addr["id"]
    assert ipaddress.ip_address(addr["address"]) in ipaddress.ip_network("34.84.128.0/24")
    net = gcp.create("google_compute_network", plan(gcp, "google_compute_network", name="n",
                                                    auto_create_subnetworks=False))
    assert net["id"] == "projects/p1/global/networks/n"
    sub = gcp.create("google_compute_subnetwork", plan(gcp, "google_compute_subnetwork", name="s", network=net["id"],
                                                       ip_cidr_range="10.0.0.0/20"))
    assert sub["id"] == "projects/p1/regions/asia-northeast1/subnetworks/s" and sub["gateway_address"] == "10.0.0.1"
    cluster = gcp.create("google_container_cluster", plan(gcp, "google_container_cluster", name="gke",
                                                          location="asia-northeast1", network="n", subnetwork="s"))
    assert cluster["id"] == "projects/p1/locations/asia-northeast1/clusters/gke"
    assert cluster["deletion_protection"] is True  # the provider's default
    ca = cluster["master_auth"][0]["cluster_ca_certificate"]
    assert __import__("base64").b64decode(ca).startswith(b"-----BEGIN CERTIFICATE-----")
    assert ipaddress.ip_address(cluster["endpoint"]) in ipaddress.ip_network("34.84.128.0/24")
    pool = gcp.create("google_container_node_pool", plan(gcp, "google_container_node_pool", cluster=cluster["id"],
                                                         name="pool"))
    assert pool["id"] == "projects/p1/locations/asia-northeast1/clusters/gke/nodePools/pool"
    ask = ali.create("alicloud_cs_managed_kubernetes", plan(ali, "alicloud_cs_managed_kubernetes", name="ask",
                                                            profile="Serverless", vswitch_ids=[a["id"]]))
    assert re.fullmatch(r"c[0-9a-f]{32}", ask["id"]) and ask["vpc_id"] == vpc["id"]
    assert ask["connections"]["api_server_internet"].startswith("https://47.74.128.")
    hub = ali.create("alicloud_ack_one_cluster", plan(ali, "alicloud_ack_one_cluster",
                                                      network=[{"vpc_id": vpc["id"], "vswitches": [a["id"]]}]))
    assert re.fullmatch(r"c[0-9a-f]{32}", hub["id"]) and hub["status"] == "running"
    m = ali.create("alicloud_ack_one_membership_attachment", plan(
        ali, "alicloud_ack_one_membership_attachment", cluster_id=hub["id"], sub_cluster_id=ask["id"]))
    assert m["id"] == f"{hub['id']}:{ask['id']}"
    cred = ali.read_data("alicloud_cs_cluster_credential", {"cluster_id": ask["id"]})
    assert "kind: Config" in cred["kube_config"] and "server: https://" in cred["kube_config"]
    assert set(cred["certificate_authority"]) == {
        "cluster_cert", "client_cert", "client_key"}

    # every public IP handed out is unique
    seen = [o for o in store.list()]
    public = [v for o in seen for v in o["attrs"].values() if isinstance(v, str)
              and re.fullmatch(r"(203\.0\.113|198\.51\.100)\.\d+", v)]
    assert len(public) == len(set(public))


def test_cloud_rules_references_and_in_use(clouds):
    ali, gcp, store = clouds
    with pytest.raises(CloudError, match="InvalidVpcId.NotFound"):
        ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id="vpc-doesnotexist00000",
                                            cidr_block="172.16.1.0/24", zone_id="z"))
    vpc = ali.create("alicloud_vpc", plan(ali, "alicloud_vpc", cidr_block="172.16.0.0/16"))
    with pytest.raises(CloudError, match="InvalidCidrBlock.Mismatch"):
        ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], cidr_block="10.0.0.0/24"))
    vsw = ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], cidr_block="172.16.1.0/24"))
    with pytest.raises(CloudError, match="DependencyViolation"):
        ali.delete("alicloud_vpc", vpc)
    ali.delete("alicloud_vswitch", vsw)
    ali.delete("alicloud_vpc", vpc)
    assert store.list() == []

    net = gcp.create("google_compute_network", plan(gcp, "google_compute_network", name="n"))
    cluster = gcp.create("google_container_cluster", plan(gcp, "google_container_cluster", name="c", network="n"))
    with pytest.raises(CloudError) as err:
        gcp.delete("google_container_cluster", cluster)
    assert err.value.summary == ("Cannot destroy cluster because deletion_protection is set to true. "
                                 "Set it to false to proceed with cluster deletion.")
    with pytest.raises(CloudError, match="resourceInUseByAnotherResource"):
        gcp.delete("google_compute_network", net)


def test_read_reports_objects_deleted_from_the_store(clouds):
    ali, _, store = clouds
    vpc = ali.create("alicloud_vpc", plan(ali, "alicloud_vpc", cidr_block="172.16.0.0/16"))
    assert ali.read("alicloud_vpc", vpc)["id"] == vpc["id"]
    store.delete("alicloud_vpc", vpc["id"])
    assert ali.read("alicloud_vpc", vpc) is None


def test_connection_mode_must_match_gateway(clouds):
    ali, gcp, _ = clouds
    vpc = ali.create("alicloud_vpc", plan(ali, "alicloud_vpc", cidr_block="172.16.0.0/12"))
    a = ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], cidr_block="172.16.1.0/24"))
    b = ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], cidr_block="172.16.2.0/24"))
    dual = ali.create("alicloud_vpn_gateway", plan(ali, "alicloud_vpn_gateway", vpc_id=vpc["id"], bandwidth=10,
                                                   vswitch_id=a["id"], disaster_recovery_vswitch_id=b["id"]))
    cgw = ali.create("alicloud_vpn_customer_gateway", plan(ali, "alicloud_vpn_customer_gateway",
                                                           ip_address="34.84.128.9"))
    with pytest.raises(CloudError, match="dual-tunnel mode"):
        ali.create("alicloud_vpn_connection", plan(
            ali, "alicloud_vpn_connection", vpn_gateway_id=dual["id"], customer_gateway_id=cgw["id"],
            local_subnet=["172.16.0.0/12"], remote_subnet=["10.0.0.0/20"]))
    conn = ali.create("alicloud_vpn_connection", plan(
        ali, "alicloud_vpn_connection", vpn_gateway_id=dual["id"], local_subnet=["172.16.0.0/12"],
        remote_subnet=["10.0.0.0/20"], tunnel_options_specification=[
            {"role": "master", "customer_gateway_id": cgw["id"], "tunnel_ike_config": [{"psk": PSK}]},
            {"role": "slave", "customer_gateway_id": cgw["id"], "tunnel_ike_config": [{"psk": PSK}]}]))
    assert re.fullmatch(r"vco-[a-z0-9]{17}", conn["id"])
    t = conn["tunnel_options_specification"]
    assert [x["internet_ip"] for x in t] == [dual["internet_ip"], dual["disaster_recovery_internet_ip"]]
    assert all(x["state"] == "active" and x["status"] == "ike_sa_not_established" for x in t)
    assert all(re.fullmatch(r"tun-[a-z0-9]{17}", x["tunnel_id"]) for x in t)


def _linked_pair(ali: Cloud, gcp: Cloud, psk: str = PSK):
    ali = Cloud(ali.store, "alicloud", {"region": "me-east-1"})  # a single-tunnel gateway is still created there
    vpc = ali.create("alicloud_vpc", plan(ali, "alicloud_vpc", cidr_block="172.16.0.0/12"))
    vsw = ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], cidr_block="172.16.1.0/24"))
    gw = ali.create("alicloud_vpn_gateway", plan(ali, "alicloud_vpn_gateway", vpc_id=vpc["id"], bandwidth=10,
                                                 vswitch_id=vsw["id"]))
    addr = gcp.create("google_compute_address", plan(gcp, "google_compute_address", name="ip"))
    net = gcp.create("google_compute_network", plan(gcp, "google_compute_network", name="n"))
    tgw = gcp.create("google_compute_vpn_gateway", plan(gcp, "google_compute_vpn_gateway", name="gw", network=net["id"]))
    for name, proto, port in (("esp", "ESP", None), ("u500", "UDP", "500"), ("u4500", "UDP", "4500")):
        gcp.create("google_compute_forwarding_rule", plan(gcp, "google_compute_forwarding_rule", name=name,
                                                          ip_protocol=proto, port_range=port,
                                                          ip_address=addr["self_link"], target=tgw["self_link"]))
    cgw = ali.create("alicloud_vpn_customer_gateway", plan(ali, "alicloud_vpn_customer_gateway",
                                                           ip_address=addr["address"]))
    conn = ali.create("alicloud_vpn_connection", plan(
        ali, "alicloud_vpn_connection", vpn_gateway_id=gw["id"], customer_gateway_id=cgw["id"],
        local_subnet=["172.16.0.0/12"], remote_subnet=["10.0.0.0/20"],
        ike_config=[{"psk": PSK, "ike_version": "ikev2", "ike_enc_alg": "aes256", "ike_auth_alg": "sha256"}],
        ipsec_config=[{"ipsec_enc_alg": "aes256", "ipsec_auth_alg": "sha256"}]))
    tunnel = gcp.create("google_compute_vpn_tunnel", plan(
        gcp, "google_compute_vpn_tunnel", name="t", shared_secret=psk, peer_ip=gw["internet_ip"],
        target_vpn_gateway=tgw["name"], local_traffic_selector=["10.0.0.0/20"],
        remote_traffic_selector=["172.16.0.0/12"]))
    return conn, tunnel


def test_link_follows_changes_on_either_side(clouds):
    ali, gcp, store = clouds
    conn, tunnel = _linked_pair(ali, gcp)
    assert gcp.read("google_compute_vpn_tunnel", tunnel)["detailed_status"] == "Tunnel is up and running."
    assert ali.read("alicloud_vpn_connection", conn)["status"] == "ipsec_sa_established"
    assert ali.read("alicloud_vpn_connection", conn)["ike_config"][0]["ike_local_id"]  # cloud-filled

    # an in-place update of the Alibaba PSK takes the link down on both sides
    block = ali.block("alicloud_vpn_connection")
    prior = ali.read("alicloud_vpn_connection", conn)
    proposed = dict(prior, ike_config=[dict(prior["ike_config"][0], psk="changed")])
    planned = tfschema.plan_update(block, prior, proposed, proposed)
    assert tfschema.changed(block, prior, planned) and tfschema.replace_paths(block, prior, planned) == []
    updated = ali.update("alicloud_vpn_connection", prior, planned)
    assert updated["id"] == conn["id"] and updated["status"] == "ike_sa_not_established"
    assert gcp.read("google_compute_vpn_tunnel", tunnel)["detailed_status"] == "Authentication failure. Check pre-shared key."
    assert store.list("google_compute_vpn_tunnel")[0]["status"] == "AUTHORIZATION_ERROR"

    # the forwarding rules disappear (e.g. deleted in the console): Google waits for config
    for o in store.list("google_compute_forwarding_rule"):
        if o["attrs"]["ip_protocol"] == "ESP":
            store.delete(o["type"], o["id"])
    assert gcp.read("google_compute_vpn_tunnel", tunnel)["detailed_status"] == (
        "Waiting for full config. Forwarding rules missing: ESP.")


def test_import_finds_objects_by_id_or_google_name(clouds):
    ali, gcp, _ = clouds
    vpc = ali.create("alicloud_vpc", plan(ali, "alicloud_vpc", cidr_block="172.16.0.0/12"))
    assert ali.import_state("alicloud_vpc", vpc["id"])["cidr_block"] == "172.16.0.0/12"
    assert ali.import_state("alicloud_vpc", "vpc-nothere") is None
    net = gcp.create("google_compute_network", plan(gcp, "google_compute_network", name="imp"))
    assert gcp.import_state("google_compute_network", net["self_link"])["id"] == net["id"]


def test_provider_schema_response_is_cached_per_schema_version(tmp_path, monkeypatch):
    from crosscloud.sandbox.provider import SandboxProvider, servicer_class

    monkeypatch.setenv("HOME", str(tmp_path))
    servicer = servicer_class()
    first = servicer(SandboxProvider("google")).GetProviderSchema(None, None)
    assert "google_compute_vpn_tunnel" in first.resource_schemas and not first.diagnostics
    cached = list((tmp_path / ".cache" / "crosscloud-provider").glob("schema-google-*.pb"))
    assert len(cached) == 1
    again = servicer(SandboxProvider("google")).GetProviderSchema(None, None)
    assert again == first
    tunnel = {a.name: a for a in first.resource_schemas["google_compute_vpn_tunnel"].block.attributes}
    assert tunnel["shared_secret"].sensitive and tunnel["shared_secret"].optional  # optional since 7.x (shared_secret_wo)
    cluster = {b.type_name: b for b in first.resource_schemas["google_container_cluster"].block.block_types}
    assert cluster["master_auth"].max_items == 1  # a "single" block served as a LIST of at most one
    assert cluster["master_auth"].nesting == cluster["master_auth"].LIST


def test_node_pools_go_on_ack_clusters_not_serverless_or_acs(clouds):
    ali, _gcp, _store = clouds
    vpc = ali.create("alicloud_vpc", plan(ali, "alicloud_vpc", cidr_block="192.168.0.0/16"))
    vsw = ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], cidr_block="192.168.1.0/24",
                                              zone_id="ap-northeast-1a"))
    pool = dict(vswitch_ids=[vsw["id"]], instance_types=["ecs.g7.large"], desired_size="1")
    for profile in ("Serverless", "Acs"):
        c = ali.create("alicloud_cs_managed_kubernetes", plan(ali, "alicloud_cs_managed_kubernetes", name=profile,
                                                              profile=profile, vswitch_ids=[vsw["id"]]))
        with pytest.raises(CloudError, match="ErrorClusterType"):
            ali.create("alicloud_cs_kubernetes_node_pool", plan(ali, "alicloud_cs_kubernetes_node_pool",
                                                                cluster_id=c["id"], **pool))
    ack = ali.create("alicloud_cs_managed_kubernetes", plan(ali, "alicloud_cs_managed_kubernetes", name="ack",
                                                            profile="Default", vswitch_ids=[vsw["id"]]))
    np = ali.create("alicloud_cs_kubernetes_node_pool", plan(ali, "alicloud_cs_kubernetes_node_pool",
                                                             cluster_id=ack["id"], **pool))
    assert np["id"] == f"{ack['id']}:{np['node_pool_id']}" and np["system_disk_category"] == "cloud_efficiency"
