"""livestate: applied resources from Terraform state files, live status asked by id."""

import json

from crosscloud.runner.link import link_from_state
from crosscloud.runner.livestate import live_show, managed_instances, read_state, state_outputs
from crosscloud.runner.targets import sandbox_reader
from crosscloud.sandbox.sandbox import Sandbox

STATE = {
    "version": 4, "serial": 3,
    "outputs": {"fleet_id": {"value": "c-hub", "type": "string"}},
    "resources": [
        {"mode": "managed", "type": "alicloud_vpn_connection", "name": "conn", "provider": "p",
         "instances": [{"attributes": {"id": "vco-1", "status": "ike_sa_not_established"}}]},
        {"mode": "managed", "type": "alicloud_vpn_pbr_route_entry", "name": "route", "provider": "p",
         "instances": [{"index_key": "a", "attributes": {"id": "r-a", "route_dest": "10.1.0.0/16", "status": "normal"}},
                       {"index_key": "b", "attributes": {"id": "r-b", "route_dest": "10.2.0.0/16", "status": "normal"}}]},
        {"mode": "data", "type": "google_client_config", "name": "me", "provider": "p",
         "instances": [{"attributes": {"id": "x"}}]},
    ],
}


def test_state_file_read_as_terraform_would_show_it(tmp_path):
    (tmp_path / "terraform.vpn.tfstate").write_text(json.dumps(STATE))
    state = read_state(tmp_path, "vpn")
    assert state_outputs(state) == {"fleet_id": "c-hub"}
    assert [i["address"] for i in managed_instances(state)] == [
        "alicloud_vpn_connection.conn", 'alicloud_vpn_pbr_route_entry.route["a"]', 'alicloud_vpn_pbr_route_entry.route["b"]']
    assert read_state(tmp_path, "absent") == {} and state_outputs({}) == {}


def test_live_values_win_and_deleted_objects_are_named():
    cloud = {("alicloud_vpn_connection", "vco-1"): {"id": "vco-1", "status": "ipsec_sa_established"},
             ("alicloud_vpn_pbr_route_entry", "r-a"): {"id": "r-a", "route_dest": "10.1.0.0/16", "status": "published"}}
    show, missing = live_show(STATE, lambda t, i: cloud.get((t, i)))
    assert missing == ['alicloud_vpn_pbr_route_entry.route["b"]']
    link = link_from_state(show)
    assert link.alibaba == "ipsec_sa_established"  # the cloud's answer, not the state's stale one
    assert link.routes == [{"dest": "10.1.0.0/16", "status": "published", "published": True}]


def test_nothing_missing_when_the_cloud_has_everything():
    show, missing = live_show(STATE, lambda t, i: {"id": i})
    assert missing == [] and len(show["values"]["root_module"]["resources"]) == 3


def test_sandbox_reader_answers_from_the_store_without_twin_bookkeeping(tmp_path):
    sandbox = Sandbox(tmp_path / "sb")
    sandbox.store.put("alicloud_vpc", "vpc-1", {"id": "vpc-1", "cidr_block": "10.0.0.0/8", "_updated_at": 1.0})
    read = sandbox_reader(sandbox.dir)
    assert read("alicloud_vpc", "vpc-1") == {"id": "vpc-1", "cidr_block": "10.0.0.0/8"}
    assert read("alicloud_vpc", "vpc-2") is None and read("alicloud_vpc", "") is None
