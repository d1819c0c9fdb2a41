"""The CLI through click's CliRunner and, where the process boundary matters, a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from crosscloud.cli.main import cli
from support import EXAMPLES, ROOT


def run(*args, **kw):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kw)


def test_validate_ok_prints_summary():
    result = run("validate", "-c", str(EXAMPLES / "seed.yaml"))
    assert result.exit_code == 0
    assert "valid" in result.output and "ask-provider (alibaba/ask)" in result.output


def test_validate_json():
    result = run("validate", "-c", str(EXAMPLES / "single.yaml"), "--json")
    data = json.loads(result.output)
    assert data["valid"] is True and data["vpn"].startswith("single-tunnel")


def test_validate_lists_every_problem_and_exits_1(tmp_path, seed_data):
    seed_data["gcp"]["pods_cidr"] = "10.146.0.0/16"  # overlaps the subnet
    seed_data["vpn"]["integrity"] = "md5"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(seed_data))
    result = CliRunner().invoke(cli, ["validate", "-c", str(bad)])
    assert result.exit_code == 1
    assert "gcp.pods_cidr" in result.output and "overlaps gcp.subnet_cidr" in result.output
    assert "vpn.integrity: 'md5'" in result.output
    assert "Traceback" not in result.output


def test_malformed_yaml_is_a_message_with_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: demo\nclusters:\n  - {name: a, cloud: gcp\n")
    result = CliRunner().invoke(cli, ["validate", "-c", str(bad)])
    assert result.exit_code == 1
    assert "line" in result.output and "malformed YAML" in result.output and "Traceback" not in result.output


def test_missing_file_is_a_message(tmp_path):
    result = CliRunner().invoke(cli, ["validate", "-c", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "cannot be read" in result.output


def test_help_and_validate_do_not_import_google_or_cdktf():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from crosscloud.cli.main import cli\n"
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output\n"
        f"r = CliRunner().invoke(cli, ['validate', '-c', {str(EXAMPLES / 'seed.yaml')!r}]); assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in sys.modules if m.startswith(('cdktf', 'jsii', 'constructs'))]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_synth_is_deterministic_across_directories_and_processes(tmp_path, monkeypatch):
    """The same topology gives byte-identical files whatever the cwd, output dir or process."""
    import os

    one, two = tmp_path / "a" / "out", tmp_path / "b" / "elsewhere"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    assert run("synth", "-c", str(EXAMPLES / "seed.yaml"), "-o", str(one)).exit_code == 0
    env = dict(os.environ, TF_VAR_ipsec_psk="never-in-files-7d1f")
    subprocess.run([sys.executable, "-m", "crosscloud.cli.main_entry", "synth", "-c", str(EXAMPLES / "seed.yaml"), "-o", "elsewhere"],
                   cwd=tmp_path / "b", env=env, check=True, capture_output=True)
    files_one = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert files_one == files_two and Path("stacks/vpn/cdk.tf.json") in files_one
    for rel in files_one:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
        assert b"never-in-files" not in (two / rel).read_bytes()


def test_synth_json_summary(tmp_path):
    result = run("synth", "-c", str(EXAMPLES / "single.yaml"), "-o", str(tmp_path), "--json")
    data = json.loads(result.output)
    assert data["stacks"]["vpn"]["google_compute_vpn_tunnel"] == 1
    assert set(data["stacks"]) == {"network", "vpn", "clusters", "gke", "fleet", "members"}


def test_synth_of_invalid_topology_writes_nothing(tmp_path, seed_data):
    seed_data["vpn"]["mode"] = "triple"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(seed_data))
    result = CliRunner().invoke(cli, ["synth", "-c", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()


def test_cdktf_entry_point_builds_the_same_stacks(tmp_path):
    """`cdktf synth` runs main.py with CDKTF_OUTDIR set; it must build what `crosscloud synth` builds."""
    import os

    env = dict(os.environ, CDKTF_OUTDIR=str(tmp_path / "cdktf"), CROSSCLOUD_CONFIG=str(EXAMPLES / "single.yaml"))
    subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, check=True, capture_output=True)
    assert run("synth", "-c", str(EXAMPLES / "single.yaml"), "-o", str(tmp_path / "ours")).exit_code == 0
    for stack in ("network", "vpn", "clusters", "gke", "fleet", "members"):
        cdktf_doc = json.loads((tmp_path / "cdktf" / "stacks" / stack / "cdk.tf.json").read_text())
        ours = json.loads((tmp_path / "ours" / "stacks" / stack / "cdk.tf.json").read_text())
        assert cdktf_doc == ours, stack


def test_light_commands_never_load_cdktf(tmp_path):
    """diff, sandbox ls and status (nothing deployed) stay light: no CDKTF, no google package."""
    from crosscloud.config import load_topology
    from crosscloud.synth import synth as run_synth

    out = run_synth(load_topology(EXAMPLES / "single.yaml"), tmp_path / "out").outdir
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from crosscloud.cli.main import cli\n"
        f"for args in (['diff', {str(out)!r}, {str(out)!r}], ['--state-dir', {str(tmp_path / 'st')!r}, 'sandbox', 'ls'],\n"
        f"             ['--state-dir', {str(tmp_path / 'st')!r}, 'status', '-c', {str(EXAMPLES / 'single.yaml')!r}, '--json']):\n"
        "    r = CliRunner().invoke(cli, args); assert r.exit_code == 0, (args, r.output)\n"
        "print([m for m in sys.modules if m.startswith(('cdktf', 'jsii', 'constructs'))])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_destroy_fleet_only_with_nothing_deployed_says_so_and_writes_nothing(tmp_path):
    state = tmp_path / "state"
    result = CliRunner().invoke(cli, ["--state-dir", str(state), "destroy", "--fleet-only",
                                      "-c", str(EXAMPLES / "seed.yaml")])
    assert result.exit_code == 0, result.output
    assert "nothing to undo: the fleet stack (the ACK One hub) is not applied" in result.output
    assert not (state / "journal.json").exists() and not (state / "lock").exists()
