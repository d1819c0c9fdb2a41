"""`crosscloud diff` on two synth outputs."""

import json
import shutil

from click.testing import CliRunner

from crosscloud.cli.main import cli
from crosscloud.config import Topology, parse_topology
from crosscloud.synth import synth


def test_diff_names_exactly_the_changed_attributes(tmp_path, seed_data):
    old = synth(parse_topology(seed_data), tmp_path / "old", hcl=True).outdir
    seed_data["gcp"]["pods_cidr"] = "10.48.0.0/14"
    new = synth(parse_topology(seed_data), tmp_path / "new").outdir
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["changed"] is True
    changes = {(s, addr, c["path"], json.dumps(c["old"]), json.dumps(c["new"]))
               for s, d in data["stacks"].items() for addr, cs in d["changed"].items() for c in cs}
    pods = ('"10.40.0.0/14"', '"10.48.0.0/14"')
    selectors = (json.dumps(["10.146.0.0/20", "10.40.0.0/14", "10.44.0.0/20"]), json.dumps(["10.146.0.0/20", "10.48.0.0/14", "10.44.0.0/20"]))
    assert changes == {
        ("network", "google_compute_subnetwork.subnet", "secondary_ip_range[0].ip_cidr_range", *pods),
        ("vpn", "alicloud_vpn_connection.ipsec_connection", "remote_subnet", *selectors),
        ("vpn", "alicloud_vpn_pbr_route_entry.policy_route_1", "route_dest", *pods),
        ("vpn", "google_compute_vpn_tunnel.tunnel_master", "local_traffic_selector", *selectors),
        ("vpn", "google_compute_vpn_tunnel.tunnel_slave", "local_traffic_selector", *selectors),
        # the provider's security group admits the GKE pod range
        ("clusters", "alicloud_security_group_rule.ask_provider_from_gke_pods_tcp_8080", "cidr_ip", *pods),
    }
    assert all(not d["added"] and not d["removed"] for d in data["stacks"].values())


def test_diff_hcl_against_json_is_empty(tmp_path, seed_data):
    out = synth(parse_topology(seed_data), tmp_path / "a", hcl=True).outdir
    hcl_only = tmp_path / "b"
    shutil.copytree(out, hcl_only)
    for p in hcl_only.rglob("cdk.tf.json"):
        p.unlink()
    result = CliRunner().invoke(cli, ["diff", str(out), str(hcl_only), "--exit-code"])
    assert result.exit_code == 0, result.output
    assert "no differences" in result.output


def test_diff_exit_code_and_text(tmp_path, seed_data):
    old = synth(parse_topology(seed_data), tmp_path / "old").outdir
    seed_data["vpn"]["mode"] = "single"  # refused by preflight in Tokyo (dual-tunnel only); diff needs no cloud rules
    new = synth(Topology.model_validate(seed_data), tmp_path / "new").outdir
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--exit-code"])
    assert result.exit_code == 1
    assert "- google_compute_vpn_tunnel.tunnel_slave" in result.output
    assert "~ alicloud_vpn_connection.ipsec_connection" in result.output


def test_diff_of_a_non_synth_dir_is_an_error(tmp_path):
    result = CliRunner().invoke(cli, ["diff", str(tmp_path), str(tmp_path)])
    assert result.exit_code == 2 and "not a synth output directory" in result.output
