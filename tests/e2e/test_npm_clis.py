"""The real `cdktn`/`cdktf` CLIs from npm (installed by `make cli` into .tools/) on this project."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("cli", CLIS)
def test_cli_synth_is_byte_identical_to_crosscloud_synth(cli, tmp_path):
    env = _env(tmp_path / "home")
    _run([sys.executable, "-m", "crosscloud.cli.main_entry", "synth", "-o", str(tmp_path / "cc")], ROOT, env)
    _run([str(BIN / cli), "synth", "--output", str(tmp_path / cli)], ROOT, env)
    ours = sorted(p.relative_to(tmp_path / "cc") for p in (tmp_path / "cc").rglob("*.json"))
    assert len(ours) == 6  # manifest + five stacks
    for rel in ours:
        assert (tmp_path / cli / rel).read_bytes() == (tmp_path / "cc" / rel).read_bytes(), rel


def test_cdktn_deploy_then_crosscloud_verify_and_destroy_share_one_state(tmp_path):
    project = _copy_project(tmp_path / "proj")
    home = tmp_path / "home"
    env = _env(home)
    cc = [sys.executable, "-m", "crosscloud.cli.main_entry"]
    env_lines = _run(cc + ["sandbox", "env"], project, env).stdout
    for line in env_lines.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.strip("'")
    _run([str(BIN / "cdktn"), "deploy", "*", "--auto-approve"], project, env)
    assert (project / "cdktf.out" / "stacks" / "vpn" / "terraform.vpn.tfstate").exists()

    status = json.loads(_run(cc + ["status", "--json"], project, env).stdout)
    assert all(s["applied"] for s in status["stacks"].values()), status["stacks"]
    deploy = _run(cc + ["deploy", "--json"], project, env)  # the ACK One phase; no Terraform change
    assert json.loads(deploy.stdout)["changed"] == []
    objects = json.loads(_run(cc + ["sandbox", "ls", "--json"], project, env).stdout)
    assert sum(o["type"] == "alicloud_vpc" for o in objects) == 1  # nothing created twice
    _run(cc + ["verify"], project, env)

    _run(cc + ["destroy"], project, env)
    assert json.loads(_run(cc + ["sandbox", "ls", "--json"], project, env).stdout) == []
    assert not (home / ".terraform.d").exists()  # TF_PLUGIN_CACHE_DIR is the sandbox's own
