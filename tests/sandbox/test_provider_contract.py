"""Contract: the sandbox's validate verdicts equal the real providers', per rule kind, both ways.

Each case names where the real provider's rule lives (alicloud v1.289.0 = aliyun/terraform-provider-
alicloud at tag v1.289.0; google = hashicorp/terraform-provider-google at the 8.0.0 merge, HEAD
e03b7622). The rules come from schemas/*.rules.json (scripts/derive_provider_rules.py).
"""

from __future__ import annotations

import ipaddress

import pytest

from crosscloud.sandbox import semantics as sem
from crosscloud.sandbox import tfschema, validators
from crosscloud.sandbox.alibaba import api_checks
from crosscloud.sandbox.tfschema import UNKNOWN


def errors(provider, type_name, config, data=False):
    return [p for p in validators.validate(provider, type_name, config, data=data) if p.severity == "error"]


def warnings(provider, type_name, config):
    return [p for p in validators.validate(provider, type_name, config) if p.severity == "warning"]


# (source, provider, type, accepted config, refused config, words of the refusal)
CASES = [
    # ValidateFunc: GCE name regex (google/verify/validation.go ValidateGCEName)
    ("google compute/resource_compute_network.go name ValidateGCEName", "google", "google_compute_network",
     {"name": "my-net"}, {"name": "MyNet"}, "doesn't match regexp"),
    # ValidateFunc: inline GKE name check, 40 characters (container/resource_container_cluster.go)
    ("google container/resource_container_cluster.go name", "google", "google_container_cluster",
     {"name": "a" * 40}, {"name": "a" * 41}, "cannot be longer than 40 characters"),
    # ExactlyOneOf allow/deny (compute/resource_compute_firewall.go)
    ("google compute/resource_compute_firewall.go allow/deny ExactlyOneOf", "google", "google_compute_firewall",
     {"name": "fw", "allow": [{"protocol": "tcp"}]},
     {"name": "fw", "allow": [{"protocol": "tcp"}], "deny": [{"protocol": "udp"}]}, "only one of `allow,deny`"),
    # ExactlyOneOf next hops (compute/resource_compute_route.go)
    ("google compute/resource_compute_route.go next_hop_* ExactlyOneOf", "google", "google_compute_route",
     {"name": "r", "next_hop_ip": "10.0.0.1"},
     {"name": "r", "next_hop_ip": "10.0.0.1", "next_hop_vpn_tunnel": "t"}, "only one of `next_hop_gateway"),
    ("google compute/resource_compute_route.go next_hop_* ExactlyOneOf (none)", "google", "google_compute_route",
     {"name": "r", "next_hop_gateway": "default-internet-gateway"}, {"name": "r"}, "must be specified"),
    # validatePeerAddr (compute/resource_compute_vpn_tunnel.go): RFC 5735 ranges, TEST-NET included
    ("google compute/resource_compute_vpn_tunnel.go validatePeerAddr", "google", "google_compute_vpn_tunnel",
     {"name": "t", "peer_ip": "47.74.128.10", "shared_secret": "s"},
     {"name": "t", "peer_ip": "203.0.113.10", "shared_secret": "s"}, "conflicting with RFC5735"),
    # ConflictsWith (compute/resource_compute_firewall.go source_service_accounts vs source_tags)
    ("google compute/resource_compute_firewall.go source_service_accounts ConflictsWith", "google",
     "google_compute_firewall", {"name": "fw", "allow": [{"protocol": "tcp"}], "source_tags": ["a"]},
     {"name": "fw", "allow": [{"protocol": "tcp"}], "source_tags": ["a"], "source_service_accounts": ["x@y"]},
     "conflicts with"),
    # ValidateEnum, case-sensitive (compute/resource_compute_firewall.go direction)
    ("google compute/resource_compute_firewall.go direction ValidateEnum", "google", "google_compute_firewall",
     {"name": "fw", "allow": [{"protocol": "tcp"}], "direction": "INGRESS"},
     {"name": "fw", "allow": [{"protocol": "tcp"}], "direction": "ingress"}, 'to be one of ["INGRESS" "EGRESS" ""]'),
    # validation.IntAtLeast(0) (container/resource_container_node_pool.go schemaNodePool node_count)
    ("google container/resource_container_node_pool.go node_count IntAtLeast", "google", "google_container_node_pool",
     {"cluster": "c", "node_count": 0}, {"cluster": "c", "node_count": -1}, "expected node_count to be at least (0), got -1"),
    # StringInSlice(..., true): alicloud ignores case (resource_alicloud_vpn_gateway.go network_type)
    ("alicloud resource_alicloud_vpn_gateway.go network_type StringInSlice ignoreCase", "alicloud",
     "alicloud_vpn_gateway", {"vpc_id": "vpc-1", "bandwidth": 10, "network_type": "PUBLIC"},
     {"vpc_id": "vpc-1", "bandwidth": 10, "network_type": "internet"}, "expected network_type to be one of [public private]"),
    # validation.Any(IntBetween(1, 9), IntInSlice(12, 24, 36)) (resource_alicloud_vpn_gateway.go period)
    ("alicloud resource_alicloud_vpn_gateway.go period", "alicloud", "alicloud_vpn_gateway",
     {"vpc_id": "vpc-1", "bandwidth": 10, "period": 12}, {"vpc_id": "vpc-1", "bandwidth": 10, "period": 10},
     "expected period to be in the range (1 - 9)"),
    # ConflictsWith a deprecated alias (resource_alicloud_vpn_gateway.go vpn_gateway_name / name)
    ("alicloud resource_alicloud_vpn_gateway.go vpn_gateway_name ConflictsWith name", "alicloud",
     "alicloud_vpn_gateway", {"vpc_id": "vpc-1", "bandwidth": 10, "name": "gw"},
     {"vpc_id": "vpc-1", "bandwidth": 10, "name": "gw", "vpn_gateway_name": "gw"}, "conflicts with name"),
    # validateCIDRNetworkAddress (validators.go) on set elements (resource_alicloud_vpn_connection.go)
    ("alicloud resource_alicloud_vpn_connection.go local_subnet validateCIDRNetworkAddress", "alicloud",
     "alicloud_vpn_connection", {"vpn_gateway_id": "vpn-1", "local_subnet": ["172.16.0.0/12"], "remote_subnet": ["10.0.0.0/20"]},
     {"vpn_gateway_id": "vpn-1", "local_subnet": ["172.16.0.1/12"], "remote_subnet": ["10.0.0.0/20"]},
     'must contain a valid network CIDR, expected "172.16.0.0/12"'),
    # MaxItems 10 on a set attribute (resource_alicloud_vpn_connection.go remote_subnet)
    ("alicloud resource_alicloud_vpn_connection.go remote_subnet MaxItems", "alicloud", "alicloud_vpn_connection",
     {"vpn_gateway_id": "vpn-1", "local_subnet": ["172.16.0.0/12"], "remote_subnet": [f"10.0.{i}.0/24" for i in range(10)]},
     {"vpn_gateway_id": "vpn-1", "local_subnet": ["172.16.0.0/12"], "remote_subnet": [f"10.0.{i}.0/24" for i in range(11)]},
     "attribute supports 10 item maximum"),
    # StringLenBetween(1, 63) (resource_alicloud_cs_managed_kubernetes.go name)
    ("alicloud resource_alicloud_cs_managed_kubernetes.go name StringLenBetween", "alicloud",
     "alicloud_cs_managed_kubernetes", {"name": "a" * 63, "vswitch_ids": ["vsw-abc"]},
     {"name": "a" * 64, "vswitch_ids": ["vsw-abc"]}, "expected length of name to be in the range (1 - 63)"),
    # StringMatch ^vsw- on list elements (resource_alicloud_cs_managed_kubernetes.go vswitch_ids)
    ("alicloud resource_alicloud_cs_managed_kubernetes.go vswitch_ids StringMatch", "alicloud",
     "alicloud_cs_managed_kubernetes", {"name": "k", "vswitch_ids": ["vsw-abc"]},
     {"name": "k", "vswitch_ids": ["vpc-abc"]}, "should start with 'vsw-'."),
    # ExactlyOneOf worker_vswitch_ids / vswitch_ids / zone_ids (same file)
    ("alicloud resource_alicloud_cs_managed_kubernetes.go vswitch_ids ExactlyOneOf", "alicloud",
     "alicloud_cs_managed_kubernetes", {"name": "k", "zone_ids": ["ap-northeast-1a"]},
     {"name": "k", "zone_ids": ["ap-northeast-1a"], "vswitch_ids": ["vsw-abc"]}, "only one of"),
    # IntInSlice(0, 100) (resource_alicloud_vpn_pbr_route_entry.go weight)
    ("alicloud resource_alicloud_vpn_pbr_route_entry.go weight IntInSlice", "alicloud", "alicloud_vpn_pbr_route_entry",
     {"weight": 100}, {"weight": 50}, "expected weight to be one of [0 100], got 50"),
    # StringInSlice case-sensitive (resource_alicloud_ack_one_cluster.go profile)
    ("alicloud resource_alicloud_ack_one_cluster.go profile StringInSlice", "alicloud", "alicloud_ack_one_cluster",
     {"profile": "XFlow"}, {"profile": "xflow"}, "expected profile to be one of [Default XFlow]"),
]


@pytest.mark.parametrize("source,provider,type_name,ok,bad,words", CASES, ids=[c[0] for c in CASES])
def test_rule_both_directions(source, provider, type_name, ok, bad, words):
    assert errors(provider, type_name, ok) == [], source
    found = errors(provider, type_name, bad)
    assert found and any(words in p.summary + p.detail for p in found), (source, found)


def test_alicloud_errors_carry_the_providers_note():
    # alicloud validators.go appends skipResourceSchemaValidationWarning to its own validators' errors
    (p,) = errors("alicloud", "alicloud_vpn_gateway", {"vpc_id": "v", "bandwidth": 5, "vpn_type": "x"})
    assert p.summary.endswith("TF_SKIP_RESOURCE_SCHEMA_VALIDATION to true can skip the error and get a warning")
    # ... but not to the SDK's helper/validation ones (resource_alicloud_vpn_pbr_route_entry.go weight)
    (p,) = errors("alicloud", "alicloud_vpn_pbr_route_entry", {"weight": 1})
    assert p.summary == "expected weight to be one of [0 100], got 1"


def test_deprecated_but_live_arguments_warn_not_fail():
    # resource_alicloud_vpn_gateway.go "name": Deprecated since 1.215.0, still in the schema
    ws = warnings("alicloud", "alicloud_vpn_gateway", {"vpc_id": "vpc-1", "bandwidth": 10, "name": "gw"})
    assert [w.summary for w in ws] == ['"name": [DEPRECATED] Field \'name\' has been deprecated since provider '
                                       "version 1.215.0. New field 'vpn_gateway_name' instead."]
    assert errors("alicloud", "alicloud_vpn_gateway", {"vpc_id": "vpc-1", "bandwidth": 10, "name": "gw"}) == []
    # google (SDK v2) words it as "Argument is deprecated" (compute/resource_compute_firewall.go enable_logging)
    ws = warnings("google", "google_compute_firewall", {"name": "fw", "allow": [{"protocol": "tcp"}], "enable_logging": True})
    assert ws and ws[0].summary == "Argument is deprecated"


def test_removed_arguments_fail_with_the_providers_words():
    # resource_alicloud_cs_managed_kubernetes.go worker_number: Removed from 1.212.0
    found = errors("alicloud", "alicloud_cs_managed_kubernetes", {"name": "k", "vswitch_ids": ["vsw-a"], "worker_number": 2})
    assert found and "[REMOVED]" in found[0].summary


def test_unknown_values_wait_for_plan():
    # a peer_ip only known at plan is skipped at validate and checked by PlanResourceChange
    assert errors("google", "google_compute_vpn_tunnel", {"name": "t", "peer_ip": UNKNOWN, "shared_secret": "s"}) == []
    assert errors("google", "google_compute_route", {"name": "r", "next_hop_ip": UNKNOWN}) == []
    assert errors("alicloud", "alicloud_vpn_connection", {"vpn_gateway_id": "v", "local_subnet": UNKNOWN,
                                                          "remote_subnet": ["10.0.0.0/8"]}) == []


@pytest.mark.parametrize("type_name,config", [
    # no ValidateFunc on these in alicloud v1.289.0: the real provider passes them to the API
    ("alicloud_vpn_gateway", {"vpc_id": "vpc-1", "bandwidth": 7}),
    ("alicloud_vpn_connection", {"vpn_gateway_id": "v", "local_subnet": ["10.0.0.0/8"], "remote_subnet": ["10.1.0.0/16"],
                                 "ike_config": [{"ike_enc_alg": "chacha20"}]}),
    ("alicloud_cs_managed_kubernetes", {"name": "k", "vswitch_ids": ["vsw-a"], "profile": "Bogus"}),
])
def test_value_sets_the_provider_leaves_to_the_api_pass_validate_and_fail_at_apply(type_name, config):
    assert errors("alicloud", type_name, config) == []
    refused = api_checks.refusal(type_name, config)
    assert refused and "InvalidParameter" in refused[0]
    fixed = dict(config, bandwidth=10) if "bandwidth" in config else None
    if fixed:
        assert api_checks.refusal(type_name, fixed) is None


def test_skip_set_certificate_authority_is_accepted():
    block = tfschema.load("alicloud")["resources"]["alicloud_cs_managed_kubernetes"]
    assert "skip_set_certificate_authority" in block["attributes"]


def test_timeouts_is_a_single_block():
    ali = tfschema.load("alicloud")["resources"]["alicloud_vpn_gateway"]["blocks"]["timeouts"]
    assert ali["nesting"] == "object" and set(ali["attributes"]) == {"create", "update", "delete"}
    attrs, blocks = tfschema.to_tf_block(tfschema.load("alicloud")["resources"]["alicloud_vpn_gateway"])
    from tf.gen import tfplugin_pb2 as pb

    (t,) = [b for b in blocks if b.type_name == "timeouts"]
    assert t.to_pb().nesting == pb.Schema.NestedBlock.NestingMode.SINGLE


def test_every_alicloud_type_names_its_source_and_version():
    doc = tfschema.load("alicloud")
    rules = validators.rules_doc("alicloud")
    for section in ("resources", "data_sources"):
        for t, b in doc[section].items():
            assert b["source"].startswith("aliyun/terraform-provider-alicloud v1.289.0 alicloud/"), t
            assert rules[section][t]["source"] == b["source"]


def test_twin_public_ips_pass_the_google_peer_check():
    for rng in (sem.ALIBABA_PUBLIC_RANGE, sem.GOOGLE_PUBLIC_RANGE):
        ip = str(next(ipaddress.ip_network(rng).hosts()))
        assert errors("google", "google_compute_vpn_tunnel", {"name": "t", "peer_ip": ip, "shared_secret": "s"}) == []


def test_messages_never_echo_a_secret():
    # resource_alicloud_cs_kubernetes_node_pool.go password: the provider's message would carry it
    secret = "Sup3r-Secret-Value"
    found = validators.validate("alicloud", "alicloud_cs_kubernetes_node_pool",
                                {"cluster_id": "c", "password": secret, "key_name": "k"})
    assert found and all(secret not in p.summary + p.detail for p in found)
