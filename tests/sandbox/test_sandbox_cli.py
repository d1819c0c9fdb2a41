"""The sandbox directory and `crosscloud sandbox env|ls|reset` (through click's CliRunner)."""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crosscloud.cli.sandbox_cmd import sandbox as sandbox_group
from crosscloud.sandbox.kube.storage import KubeStore
from crosscloud.sandbox.sandbox import LAUNCHER, Sandbox


@click.group()
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=".crosscloud")
@click.pass_context
def cli(ctx: click.Context, state_dir: Path) -> None:
    """Mimics the main crosscloud group: the global --state-dir lands in ctx.obj."""
    ctx.ensure_object(dict)
    ctx.obj["state_dir"] = state_dir


cli.add_command(sandbox_group)


def test_ensure_builds_an_idempotent_sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sb").ensure()
    launchers = [sb.launcher("alicloud"), sb.launcher("google")]
    assert launchers[0] == sb.dir / ("mirror/registry.terraform.io/aliyun/alicloud/1.289.0/linux_amd64/"
                                     "terraform-provider-alicloud_v1.289.0")
    assert launchers[1].name == "terraform-provider-google_v8.7.0"
    for path in launchers:
        assert path.read_text() == LAUNCHER and os.access(path, os.X_OK)
    assert stat.S_IMODE(sb.psk_path.stat().st_mode) == 0o600
    psk = sb.psk
    assert len(psk) >= 32 and psk.isalnum()
    rc = sb.cli_config.read_text()
    assert "filesystem_mirror" in rc and str(sb.mirror) in rc and "direct" in rc and "exclude" in rc
    assert (sb.home / ".cache" / "tf-python-provider" / "crosscloud-cert.json").exists()
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in launchers + [sb.psk_path, sb.cli_config]}
    time.sleep(0.01)
    Sandbox(tmp_path / "sb").ensure()
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before
    assert sb.env() == {
        "TF_CLI_CONFIG_FILE": str(sb.cli_config), "CHECKPOINT_DISABLE": "1", "TF_VAR_ipsec_psk": psk, "TF_VAR_ipsec_psk_wo": psk,
        "TF_PLUGIN_CACHE_DIR": str(sb.dir / "plugin-cache"),
        "TF_CLI_ARGS_providers_lock": f"-fs-mirror={sb.mirror}",
        "CROSSCLOUD_SANDBOX_DIR": str(sb.dir), "TF_IN_AUTOMATION": "1"}


def test_launcher_starts_the_provider_and_prints_the_handshake(tmp_path):
    sb = Sandbox(tmp_path / "sb").ensure()
    env = {k: v for k, v in os.environ.items() if k != "CROSSCLOUD_SANDBOX_DIR"}
    proc = subprocess.Popen([str(sb.launcher("google"))], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**env, "PLUGIN_PROTOCOL_VERSIONS": "6"}, cwd=tmp_path, start_new_session=True)
    try:
        line = proc.stdout.readline().decode()
    finally:
        proc.kill()
        proc.wait()
    assert line.startswith("1|6|unix|") and line.rstrip().split("|")[4] == "grpc", line


def test_provider_refuses_unknown_names():
    res = subprocess.run([sys.executable, "-P", "-m", "crosscloud.sandbox.provider", "aws"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode != 0 and "usage" in res.stderr


def test_env_prints_shell_exports_for_eval(tmp_path):
    runner = CliRunner()
    state = tmp_path / "state"
    res = runner.invoke(cli, ["--state-dir", str(state), "sandbox", "env"])
    assert res.exit_code == 0, res.output
    sb = Sandbox(state / "sandbox")
    exported = {}
    for line in res.output.splitlines():
        assert line.startswith("export ")
        key, _, value = line[len("export "):].partition("=")
        exported[key] = shlex.split(value)[0]
    from crosscloud.sandbox.access import sdk_env

    assert exported == {**sb.env(), **sdk_env(sb.dir)}      # terraform's, then the Alibaba SDKs'
    assert exported["CROSSCLOUD_SANDBOX_OPENAPI_ENDPOINT"].startswith("127.0.0.1:")
    # the subcommand's own --state-dir wins over the global one
    other = tmp_path / "other"
    res = runner.invoke(cli, ["sandbox", "env", "--state-dir", str(other)])
    assert f"CROSSCLOUD_SANDBOX_DIR={other / 'sandbox'}" in res.output
    # eval in a real shell gives the same environment
    out = subprocess.run(["sh", "-c", f'eval "$1"; echo "$TF_CLI_CONFIG_FILE|$TF_VAR_ipsec_psk"', "sh",
                          runner.invoke(cli, ["--state-dir", str(state), "sandbox", "env"]).output],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == f"{sb.cli_config}|{sb.psk}"


def _seed(sb: Sandbox) -> None:
    sb.store.put("alicloud_vpn_connection", "vco-abcdefghijklmnopq",
                 {"id": "vco-abcdefghijklmnopq", "vpn_connection_name": "to-gcp", "status": "ike_sa_not_established",
                  "ike_config": [{"psk": sb.psk, "ike_version": "ikev2"}]},
                 name="to-gcp", status="ike_sa_not_established")
    sb.store.put("google_compute_vpn_tunnel", "projects/p/regions/r/vpnTunnels/t",
                 {"id": "projects/p/regions/r/vpnTunnels/t", "name": "t", "shared_secret": "other-secret",
                  "peer_ip": "47.74.128.9", "target_vpn_gateway": "gw"}, name="t")


def _seed_kube(sb: Sandbox) -> KubeStore:
    kube = KubeStore(sb.kube_db_path)
    for name in ("provider-ns", "consumer-ns"):
        kube.put("c-ask", "", "namespaces", "", name, {"apiVersion": "v1", "kind": "Namespace",
                                                      "metadata": {"name": name}}, expect_rv="")
    kube.set_agent("c-registered", "c-gke", "private")
    assert kube.next_number("ip:c-ask:services") == 1
    return kube


def test_ls_and_reset(tmp_path):
    runner = CliRunner()
    state = tmp_path / "state"
    base = ["--state-dir", str(state), "sandbox"]
    res = runner.invoke(cli, base + ["ls"])
    assert res.exit_code == 0 and "holds no objects" in res.output
    assert "The sandbox clusters hold 0 Kubernetes objects." in res.output
    assert json.loads(runner.invoke(cli, base + ["ls", "--json"]).output) == []
    assert not (state / "sandbox" / "kube.db").exists()  # ls creates nothing

    sb = Sandbox(state / "sandbox").ensure()
    _seed(sb)
    kube = _seed_kube(sb)
    res = runner.invoke(cli, base + ["ls"])
    assert res.exit_code == 0
    header, *rows, count = res.output.splitlines()
    assert count == "The sandbox clusters hold 2 Kubernetes objects."
    assert header.split() == ["TYPE", "ID", "NAME", "STATUS"]
    assert any(r.split()[:4] == ["alicloud_vpn_connection", "vco-abcdefghijklmnopq", "to-gcp",
                                 "ike_sa_not_established"] for r in rows)
    res = runner.invoke(cli, base + ["ls", "--json"])
    objs = json.loads(res.output)
    assert {(o["type"], o["id"]) for o in objs} == {("alicloud_vpn_connection", "vco-abcdefghijklmnopq"),
                                                    ("google_compute_vpn_tunnel", "projects/p/regions/r/vpnTunnels/t")}
    assert all({"type", "id", "name", "status"} <= set(o) for o in objs)
    tunnel = next(o for o in objs if o["type"] == "google_compute_vpn_tunnel")
    assert tunnel["status"] == "WAITING_FOR_FULL_CONFIG" and tunnel["detail"] == "Waiting for full config."
    assert sb.psk not in res.output and "other-secret" not in res.output
    assert sb.describe("alicloud_vpn_connection", "vco-abcdefghijklmnopq")["ike_config"][0]["psk"] == "(sensitive)"

    assert sb.kubernetes_objects() == 2
    rv_before = kube.current_rv()

    res = runner.invoke(cli, base + ["reset"])
    assert res.exit_code == 0
    assert res.output == (f"Removed 2 objects from the sandbox at {sb.dir}, "
                          "and 2 Kubernetes objects from its clusters.\n")
    assert sb.store.list() == []
    assert kube.count() == 0 and sb.kubernetes_objects() == 0
    assert kube.list("c-ask", "", "namespaces") == [] and kube.agents() == {}
    assert kube.next_number("ip:c-ask:services") == 1            # allocations start over
    assert runner.invoke(cli, base + ["ls"]).output.splitlines()[-1] == \
        "The sandbox clusters hold 0 Kubernetes objects."
    assert runner.invoke(cli, base + ["reset"]).output == (
        f"Removed 0 objects from the sandbox at {sb.dir}, and 0 Kubernetes objects from its clusters.\n")
    assert kube.current_rv() > rv_before                           # resourceVersions stay monotonic


def test_reset_tells_watchers_what_was_deleted(tmp_path):
    """An API server still serving kube.db sees the reset as deletions, not as a silent gap."""
    sb = Sandbox(tmp_path / "sb").ensure()
    kube = _seed_kube(sb)
    since = kube.current_rv()
    assert sb.reset() == (0, 2)
    events, covered = kube.events_since("c-ask", "", "namespaces", since)
    assert covered
    assert [(t, o["metadata"]["name"]) for _, t, o in events] == [("DELETED", "provider-ns"),
                                                                  ("DELETED", "consumer-ns")]
    assert all(int(o["metadata"]["resourceVersion"]) == rv and rv > since for rv, _, o in events)
    # a watch from before the reset's own events has nothing older left to replay
    assert kube.events_since("c-ask", "", "namespaces", 1)[1] is False


def test_reset_of_a_missing_sandbox_creates_nothing(tmp_path):
    sb = Sandbox(tmp_path / "absent")
    assert sb.reset() == (0, 0)
    assert not sb.dir.exists()


@pytest.mark.parametrize("args", [["sandbox", "--help"], ["sandbox", "ls", "--help"]])
def test_help_is_light(args):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0 and "Usage" in res.output


def test_cli_module_imports_only_click():
    code = ("import sys; import crosscloud.cli.sandbox_cmd; "
            "heavy = [m for m in ('crosscloud.sandbox.sandbox', 'crosscloud.sandbox.store', 'sqlite3', 'tf', 'grpc')"
            " if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_lock_file_of_another_launcher_is_forgotten_and_init_selects_again(tmp_path):
    """Stacks whose lock pins an older launcher (the sandbox was created again by a newer
    crosscloud) would fail with "Required plugins are not installed"; the runner forgets such a
    lock before init. One that matches is kept."""
    sb = Sandbox(tmp_path / "sb").ensure()
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf.json").write_text(json.dumps({"terraform": {"required_providers": {
        "alicloud": {"source": "aliyun/alicloud", "version": ">= 1.250.0"}}}}))
    env = {**os.environ, **sb.env()}

    def init():
        res = subprocess.run(["terraform", "init", "-input=false", "-no-color"], cwd=stack, env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
        return (stack / ".terraform.lock.hcl").read_text()

    assert sb.package_hash("alicloud") in init()  # our hash is the one Terraform records
    assert sb.forget_stale_lock(stack) is False and (stack / ".terraform.lock.hcl").exists()

    launcher = sb.launcher("alicloud")
    launcher.write_text(launcher.read_text() + "# another launcher version\n")
    assert sb.forget_stale_lock(stack) is True and not (stack / ".terraform.lock.hcl").exists()
    assert sb.package_hash("alicloud") in init()
