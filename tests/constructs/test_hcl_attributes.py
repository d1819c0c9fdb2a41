"""HCL synthesis of the thin L1 classes through the CDK's own printer (what `cdktn|cdktf synth
--hcl` runs), in process; the real CLIs are driven in tests/e2e/test_npm_clis.py."""

import json

import hcl2

from crosscloud.cdk import App, TerraformStack
from crosscloud.constructs.alicloud import Vpc
from crosscloud.constructs.alicloud._base import AlicloudProvider
from crosscloud.constructs.google.generated import (
    ComputeNetwork,
    ComputeSubnetwork,
    ComputeSubnetworkSecondaryIpRange,
    GoogleProvider,
)
from crosscloud.constructs.hcl_attributes import hcl_attributes

TRICKY = 'a\\b "quoted" 100%\nsecond line\ttab'


def _cdk_hcl(tmp_path, build) -> dict:
    from cdktn import Testing  # the CDK's HCL printer (App reads SYNTH_HCL_OUTPUT only at kernel start)

    stack = TerraformStack(App(outdir=str(tmp_path)), "s")
    build(stack)
    return hcl2.loads(Testing.synth_hcl(stack))


def test_blocks_lists_and_escapes_survive_the_cdk_printer(tmp_path):
    def build(stack):
        GoogleProvider(stack, "google", project="p-1", region="asia-northeast1")
        AlicloudProvider(stack, "ali", region="ap-northeast-1", alias="tokyo")
        net = ComputeNetwork(stack, "net", name="n", auto_create_subnetworks=False, mtu=1460, description=TRICKY)
        ComputeSubnetwork(stack, "sub", name="s", network=net.id, ip_cidr_range="10.0.0.0/20",
                          secondary_ip_range=[ComputeSubnetworkSecondaryIpRange(range_name="pods", ip_cidr_range="10.4.0.0/14")],
                          log_config={"metadata": "INCLUDE_ALL_METADATA", "metadata_fields": ["a", "b"]})
        Vpc(stack, "vpc", cidr_block="192.168.0.0/16", vpc_name="v")

    doc = _cdk_hcl(tmp_path, build)
    providers = {name: body for entry in doc["provider"] for name, body in entry.items()}
    assert providers['"google"']["project"] == '"p-1"'
    assert providers['"alicloud"']["alias"] == '"tokyo"'
    res = {(t, n): b for entry in doc["resource"] for t, named in entry.items() for n, b in named.items()}
    net = res['"google_compute_network"', '"net"']
    assert net["auto_create_subnetworks"] is False and net["mtu"] == 1460
    assert json.loads(net["description"]) == TRICKY  # HCL escapes are JSON's here
    sub = res['"google_compute_subnetwork"', '"sub"']
    assert sub["network"] == '"${google_compute_network.net.id}"'
    assert sub["secondary_ip_range"] == [{"range_name": '"pods"', "ip_cidr_range": '"10.4.0.0/14"', "__is_block__": True}]
    assert sub["log_config"] == [{"metadata": '"INCLUDE_ALL_METADATA"', "metadata_fields": ['"a"', '"b"'],
                                  "__is_block__": True}]
    assert res['"alicloud_vpc"', '"vpc"'] == {"cidr_block": '"192.168.0.0/16"', "vpc_name": '"v"', "__is_block__": True}


def test_descriptors_follow_the_schema_for_blocks_and_the_value_for_attributes():
    schema = {"attributes": {"tags": {"type": ["set", "string"]}, "ports": {"type": ["list", "number"]}},
              "blocks": {"rule": {"nesting": "set", "attributes": {}, "blocks": {}}}}
    got = hcl_attributes({"tags": ["x"], "ports": [1, 2], "rule": [{"a": "b"}], "labels": {"k": "v"},
                          "obj": [{"k": 1}], "ref": "${a.b}"}, schema)
    assert got["tags"]["type"] == "set" and got["tags"]["storageClassType"] == "stringList"
    assert got["ports"]["type"] == "any"  # render.js prints numbers from their JSON shape
    assert got["rule"] == {"value": [{"a": {"value": "b", "isBlock": False, "type": "simple", "storageClassType": "string"}}],
                           "isBlock": True, "type": "set", "storageClassType": "objectList"}
    assert got["labels"]["type"] == "map" and got["obj"]["type"] == "any"
    assert got["ref"] == {"value": "${a.b}", "isBlock": False, "type": "simple", "storageClassType": "string"}
    assert hcl_attributes({"rule": "${x.y}"}, schema)["rule"]["isBlock"] is False  # a token for the blocks
