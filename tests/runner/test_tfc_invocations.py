"""Terraform Cloud runs cannot happen offline, so this checks what crosscloud asks of terraform
for a `backend.type: cloud` topology: a stand-in `terraform` on PATH records every invocation
(argv, directory, whether the TFC token reached it) and answers like a remote run would."""

import json
import os
import stat
import sys
import textwrap

import pytest

from crosscloud.config import parse_topology
from crosscloud.runner.deploy import Runner, Workspace, deploy
from crosscloud.runner.report import Reporter
from crosscloud.runner.targets import resolve_target

FAKE = textwrap.dedent("""\
    #!{python}
    import json, os, sys
    args = [a for a in sys.argv[1:] if a != "-no-color"]
    if args[:1] == ["version"]:  # cdktf asks while validating the cloud backend during synth
        print("Terraform v1.11.4")
        sys.exit(0)
    with open(os.environ["FAKE_TF_LOG"], "a") as log:
        log.write(json.dumps({{"args": args, "cwd": os.path.basename(os.getcwd()),
                              "token": os.environ.get("TF_TOKEN_app_terraform_io") == "tfc-token",
                              "sandbox": "CROSSCLOUD_SANDBOX_DIR" in os.environ}}) + "\\n")
    up = {{"values": {{"root_module": {{"resources": [
        {{"type": "alicloud_vpn_connection", "name": "c", "values": {{"status": "ipsec_sa_established"}}}},
        {{"type": "google_compute_vpn_tunnel", "name": "t", "values": {{"name": "t", "detailed_status": "Tunnel is up and running."}}}},
        {{"type": "alicloud_vpn_pbr_route_entry", "name": "r", "values": {{"route_dest": "10.0.0.0/8", "status": "published"}}}}]}}}}}}
    if args[0] == "plan" and "-detailed-exitcode" in args:
        sys.exit(2)  # changes pending: a saved cloud plan
    if args[:2] == ["show", "-json"]:
        if args[2].endswith("refresh.tfplan"):
            print(json.dumps({{"prior_state": up}}))
        else:
            print(json.dumps({{"resource_changes": [{{"address": "x.y", "change": {{"actions": ["create"]}}}}]}}))
    if args[0] == "output":
        print("{{}}")
    """)


@pytest.fixture
def fake_terraform(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "terraform"
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "invocations.jsonl"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_TF_LOG", str(log))
    for var, value in [("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b"),
                       ("GOOGLE_CREDENTIALS", "{}"), ("TF_TOKEN_app_terraform_io", "tfc-token")]:
        monkeypatch.setenv(var, value)
    return log


def test_cloud_backend_deploy_invocations(fake_terraform, seed_data, tmp_path):
    seed_data["backend"] = {"type": "cloud", "organization": "acme", "workspace_prefix": "cc"}
    topology = parse_topology(seed_data)
    state = tmp_path / "state"
    runner = Runner(topology, Workspace(state), resolve_target("clouds", topology, state), Reporter(quiet=True))
    result = deploy(runner, link_timeout=5)
    assert sorted(result["changed"]) == ["clusters", "fleet", "gke", "members", "network", "vpn"]

    calls = [json.loads(line) for line in fake_terraform.read_text().splitlines()]
    assert all(c["token"] and not c["sandbox"] for c in calls), "TFC token must reach terraform; no sandbox env"
    per_stack = {}
    for c in calls:
        per_stack.setdefault(c["cwd"], []).append(c["args"][:2])
    for stack in ("network", "vpn", "clusters", "gke", "fleet", "members"):
        assert per_stack[stack][:4] == [["init", "-input=false"], ["plan", "-input=false"], ["show", "-json"],
                                        ["apply", "-input=false"]], per_stack[stack]
    applies = [c["cwd"] for c in calls if c["args"][0] == "apply" and "-refresh-only" not in c["args"]]
    assert applies.index("network") < min(applies.index("vpn"), applies.index("clusters"), applies.index("gke"))
    assert max(applies.index("clusters"), applies.index("fleet")) < applies.index("members")
    # the link wait reads the clouds through a refresh-only plan that takes no state lock
    assert any(c["args"][:3] == ["plan", "-refresh-only", "-lock=false"] and c["cwd"] == "vpn" for c in calls)
    doc = json.loads((state / "out" / "stacks" / "vpn" / "cdk.tf.json").read_text())
    assert doc["terraform"]["cloud"]["workspaces"] == {"name": "cc-vpn"}
