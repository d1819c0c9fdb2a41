"""Terraform Cloud plan review, offline: a stand-in `terraform` records its invocations and
prints a run URL like a remote speculative plan does; a local HTTP server stands in for the
TFC API (checks the bearer token, answers json-output with a 307 to a download URL).
What this proves: crosscloud asks for speculative plans (no -out, never applied), reads the
run id from terraform's output and fetches that run's plan JSON with the workspace token.
What it cannot prove offline: the real service's answers (taken from its API documentation)."""

import http.server
import json
import os
import stat
import sys
import textwrap
import threading

import pytest

from crosscloud.config import parse_topology
from crosscloud.planreview import render
from crosscloud.planreview.collect import review
from crosscloud.planreview.tfc import TfcError
from crosscloud.runner.deploy import Runner, Workspace
from crosscloud.runner.report import Reporter
from crosscloud.runner.targets import resolve_target

PSK = "tfc-psk-never-shown-0123456789"

FAKE = textwrap.dedent("""\
    #!{python}
    import json, os, sys
    args = [a for a in sys.argv[1:] if a != "-no-color"]
    if args[:1] == ["version"]:
        print("Terraform v1.11.4"); sys.exit(0)
    with open(os.environ["FAKE_TF_LOG"], "a") as log:
        log.write(json.dumps({{"args": args, "cwd": os.path.basename(os.getcwd())}}) + "\\n")
    if args[0] == "plan":
        stack = os.path.basename(os.getcwd())
        print("Running plan in HCP Terraform. Output will stream here.")
        print("To view this run in a browser, visit:")
        print(os.environ["FAKE_TFC"] + "/app/acme/cc-" + stack + "/runs/run-" + stack.capitalize() + "123")
        sys.exit(2)
    """)


def plan_json(stack: str) -> dict:
    if stack != "vpn":
        return {"resource_changes": []}
    return {"resource_changes": [{
        "address": "google_compute_vpn_tunnel.tunnel_master", "type": "google_compute_vpn_tunnel", "name": "tunnel_master",
        "action_reason": "replace_because_cannot_update",
        "change": {"actions": ["delete", "create"], "replace_paths": [["shared_secret"]],
                   "before": {"name": "t", "shared_secret": PSK, "peer_ip": "203.0.113.1"},
                   "after": {"name": "t", "shared_secret": PSK + "x", "peer_ip": "203.0.113.1"},
                   "after_unknown": {"id": True}, "before_sensitive": {"shared_secret": True},
                   "after_sensitive": {"shared_secret": True}}}],
        "variables": {"ipsec_psk": {"value": PSK}}}


@pytest.fixture
def tfc(tmp_path, monkeypatch):
    requests = []

    class Api(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            requests.append((self.path, self.headers.get("Authorization")))
            if self.path.startswith("/api/v2/runs/"):
                if self.headers.get("Authorization") != "Bearer tfc-token":
                    self.send_response(401); self.end_headers(); return
                run = self.path.split("/")[4]
                self.send_response(307)
                self.send_header("Location", f"/archivist/{run}")
                self.end_headers()
            elif self.path.startswith("/archivist/run-"):
                stack = self.path.split("run-")[1][:-3].lower()
                body = json.dumps(plan_json(stack)).encode()
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(404); self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "terraform"
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "invocations.jsonl"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_TF_LOG", str(log))
    monkeypatch.setenv("FAKE_TFC", f"http://127.0.0.1:{server.server_address[1]}")
    for var, value in [("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b"),
                       ("GOOGLE_CREDENTIALS", "{}"), ("TF_TOKEN_app_terraform_io", "tfc-token"),
                       ("TF_VAR_ipsec_psk", PSK)]:
        monkeypatch.setenv(var, value)
    yield log, requests
    server.shutdown()


def make_runner(seed_data, tmp_path):
    seed_data["backend"] = {"type": "cloud", "organization": "acme", "workspace_prefix": "cc"}
    topology = parse_topology(seed_data)
    state = tmp_path / "state"
    return Runner(topology, Workspace(state), resolve_target("clouds", topology, state), Reporter(quiet=True))


def test_speculative_plans_and_run_json(tfc, seed_data, tmp_path):
    log, requests = tfc
    result = review(make_runner(seed_data, tmp_path))
    calls = [json.loads(l) for l in log.read_text().splitlines()]
    plans = [c for c in calls if c["args"][0] == "plan"]
    assert sorted(c["cwd"] for c in plans) == ["clusters", "fleet", "gke", "members", "network", "vpn"]
    assert all(not any(a.startswith("-out") for a in c["args"]) for c in plans), "speculative: no saved plan"
    assert not any(c["args"][0] in ("apply", "show") for c in calls)
    api = [p for p, _ in requests if p.startswith("/api/")]
    assert sorted(api) == sorted(f"/api/v2/runs/run-{s.capitalize()}123/plan/json-output"
                                 for s in ("network", "vpn", "clusters", "gke", "fleet", "members"))
    assert all(auth == "Bearer tfc-token" for p, auth in requests if p.startswith("/api/"))
    md = render.markdown(result)
    assert "`google_compute_vpn_tunnel.tunnel_master` **replace** — forced by `shared_secret`" in md
    assert "(sensitive value)" in md and PSK not in md and PSK not in render.as_json(result)
    assert "(known after apply)" in md


def test_token_refused_is_a_clear_error(tfc, seed_data, tmp_path, monkeypatch):
    runner = make_runner(seed_data, tmp_path)
    monkeypatch.setenv("TF_TOKEN_app_terraform_io", "wrong")
    with pytest.raises(TfcError, match=r"HTTP 401 \(the token needs admin access"):
        review(runner)
