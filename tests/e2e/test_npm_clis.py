"""The real `cdktn`/`cdktf` CLIs from npm (installed by `make cli` into .tools/) on this project."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".tools" / "node_modules" / ".bin"
CLIS = ("cdktn", "cdktf")

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _clis_installed():
    # a missing prerequisite is a setup failure, never a skip (`make test` installs them)
    missing = [c for c in CLIS if not (BIN / c).exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} not in {BIN}: run `make cli` (make test does it)")


def _env(home: Path) -> dict:
    env = dict(os.environ, HOME=str(home), CHECKPOINT_DISABLE="1", CROSSCLOUD_SANDBOX_LATENCY="0",
               JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", PYTHONPATH=str(ROOT),
               PATH=os.pathsep.join([str(BIN), str(Path(sys.executable).parent), os.environ["PATH"]]))
    for var in [v for v in env if v.startswith("TF_")]:
        env.pop(var)
    return env


def _run(argv, cwd, env, timeout=600):
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(argv)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _copy_project(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for rel in files:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest / rel)
    return dest


@pytest.mark.parametrize("backend", ["local", "cloud"])
@pytest.mark.parametrize("cli", CLIS)
def test_cli_synth_is_byte_identical_to_crosscloud_synth(cli, backend, tmp_path):
    env = _env(tmp_path / "home")
    config = ROOT / "examples" / "seed.yaml"  # main.py's default is acs.yaml, crosscloud's seed.yaml
    if backend == "cloud":  # Terraform Cloud: a `cloud` block and a workspace per stack
        data = yaml.safe_load(config.read_text())
        data["backend"] = {"type": "cloud", "organization": "acme", "workspace_prefix": "cc"}
        config = tmp_path / "seed-cloud.yaml"
        config.write_text(yaml.safe_dump(data))
    env["CROSSCLOUD_CONFIG"] = str(config)
    _run([sys.executable, "-m", "crosscloud.cli.main_entry", "synth", "-c", str(config),
          "-o", str(tmp_path / "cc")], ROOT, env)
    _run([str(BIN / cli), "synth", "--output", str(tmp_path / cli)], ROOT, env)
    ours = sorted(p.relative_to(tmp_path / "cc") for p in (tmp_path / "cc").rglob("*.json"))
    assert len(ours) == 7  # manifest + six stacks
    for rel in ours:
        assert (tmp_path / cli / rel).read_bytes() == (tmp_path / "cc" / rel).read_bytes(), rel
    vpn = json.loads((tmp_path / cli / "stacks" / "vpn" / "cdk.tf.json").read_text())
    if backend == "cloud":
        assert vpn["terraform"]["cloud"] == {"hostname": "app.terraform.io", "organization": "acme",
                                             "workspaces": {"name": "cc-vpn"}}
    else:
        assert "cloud" not in vpn["terraform"] and "local" in vpn["terraform"]["backend"]


_WHOLE_INTERPOLATION = re.compile(r'^"\$\{([^{}]*)\}"$')


def _same_meaning(value):
    """python-hcl2's reading of a value, with the spellings that mean the same to Terraform made
    equal: "${ref}" (the CDK's printer) and ref (crosscloud's)."""
    if isinstance(value, dict):
        return {k: _same_meaning(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_same_meaning(v) for v in value]
    if isinstance(value, str) and (whole := _WHOLE_INTERPOLATION.match(value)):
        return "${%s}" % whole.group(1)
    return value


def _blocks(path: Path) -> dict:
    """Top-level blocks of an HCL file by address; nested blocks stay marked as blocks."""
    out: dict = {}
    for kind, entries in hcl2.loads(path.read_text()).items():
        for entry in entries:
            if kind in ("resource", "data"):
                out.update({(kind, t, n): b for t, named in entry.items() for n, b in named.items()})
            elif kind in ("output", "variable"):
                out.update({(kind, n): b for n, b in entry.items()})
            else:
                for name, body in (entry.items() if kind == "provider" else [("", entry)]):
                    out.setdefault((kind, name), []).append(body)
    return _same_meaning(out)


@pytest.mark.parametrize("example", ["seed", "multi"])
@pytest.mark.parametrize("cli", CLIS)
def test_cli_synth_hcl_means_what_crosscloud_synth_hcl_says_and_validates(cli, example, tmp_path):
    env = _env(tmp_path / "home")
    env["CROSSCLOUD_CONFIG"] = f"examples/{example}.yaml"
    cc = [sys.executable, "-m", "crosscloud.cli.main_entry"]
    _run(cc + ["synth", "--hcl", "-c", env["CROSSCLOUD_CONFIG"], "-o", str(tmp_path / "cc")], ROOT, env)
    _run([str(BIN / cli), "synth", "--hcl", "--output", str(tmp_path / cli)], ROOT, env)
    stacks = sorted(p.name for p in (tmp_path / "cc" / "stacks").iterdir())
    assert sorted(p.name for p in (tmp_path / cli / "stacks").iterdir()) == stacks
    for stack in stacks:
        ours, theirs = (_blocks(tmp_path / d / "stacks" / stack / "cdk.tf") for d in ("cc", cli))
        assert theirs.keys() == ours.keys(), stack
        assert any(k[0] == "resource" for k in ours), stack
        for address in ours:
            assert theirs[address] == ours[address], (stack, address)

    (tmp_path / "sandbox").mkdir()
    for line in _run(cc + ["sandbox", "env"], tmp_path / "sandbox", env).stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.strip("'")
    for stack in stacks:
        workdir = tmp_path / cli / "stacks" / stack
        _run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], workdir, env)
        checked = json.loads(_run(["terraform", "validate", "-json", "-no-color"], workdir, env).stdout)
        assert checked["valid"] and checked["warning_count"] == 0, (stack, checked["diagnostics"])


@pytest.mark.parametrize("cli", CLIS)
def test_cli_deploy_then_crosscloud_fleet_phase_and_cli_destroy_share_one_state(cli, tmp_path):
    """The README's words for a user of the CDK CLIs: `<cli> diff`/`deploy '*'`, crosscloud's ACK One
    phase and verify on the same state, `crosscloud destroy --fleet-only`, then `<cli> destroy '*'`."""
    project = _copy_project(tmp_path / "proj")
    home = tmp_path / "home"
    env = _env(home)
    cc = [sys.executable, "-m", "crosscloud.cli.main_entry"]
    env_lines = _run(cc + ["sandbox", "env"], project, env).stdout
    for line in env_lines.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.strip("'")
    try:
        diff = _run([str(BIN / cli), "diff", "network"], project, env)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", diff.stdout)  # the CLIs colour terraform's output
        assert re.search(r"Plan: \d+ to add, 0 to change, 0 to destroy", plain), plain[-2000:]
        _run([str(BIN / cli), "deploy", "*", "--auto-approve"], project, env)
        assert (project / "cdktf.out" / "stacks" / "vpn" / "terraform.vpn.tfstate").exists()

        status = json.loads(_run(cc + ["status", "--json"], project, env).stdout)
        assert all(s["applied"] for s in status["stacks"].values()), status["stacks"]
        deploy = _run(cc + ["deploy", "--json"], project, env)  # the ACK One phase; no Terraform change
        assert json.loads(deploy.stdout)["changed"] == []
        objects = json.loads(_run(cc + ["sandbox", "ls", "--json"], project, env).stdout)
        assert sum(o["type"] == "alicloud_vpc" for o in objects) == 1  # nothing created twice
        _run(cc + ["verify"], project, env)

        _run(cc + ["destroy", "--fleet-only"], project, env)  # what Terraform does not own
        left = json.loads(_run(cc + ["sandbox", "ls", "--json"], project, env).stdout)
        assert sum(o["type"] == "alicloud_vpc" for o in left) == 1  # the stacks are untouched
        _run([str(BIN / cli), "destroy", "*", "--auto-approve"], project, env)
        assert json.loads(_run(cc + ["sandbox", "ls", "--json"], project, env).stdout) == []
        status = json.loads(_run(cc + ["status", "--json"], project, env).stdout)
        assert not any(s["applied"] for s in status["stacks"].values()), status["stacks"]
    finally:  # the deploy started the twin's background service
        subprocess.run(cc + ["sandbox", "down"], cwd=project, env=env, capture_output=True, timeout=60)
    assert not (home / ".terraform.d").exists()  # TF_PLUGIN_CACHE_DIR is the sandbox's own
