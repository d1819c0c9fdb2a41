"""End-to-end helpers: run the real `crosscloud` CLI in subprocesses against a temporary sandbox."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Crosscloud:
    def __init__(self, state_dir: Path, env: dict):
        self.state_dir = state_dir
        self.env = env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "crosscloud.cli.main_entry", "--state-dir", str(self.state_dir), *args]

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        proc = subprocess.run(self.argv(*args), cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"crosscloud {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self.argv(*args), cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args, "--json").stdout)

    def store_objects(self) -> list[dict]:
        return json.loads(self.run("sandbox", "ls", "--json").stdout)


@pytest.fixture
def crosscloud(tmp_path):
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CHECKPOINT_DISABLE="1",
               CROSSCLOUD_SANDBOX_LATENCY="0")
    env.pop("TF_CLI_CONFIG_FILE", None)
    cc = Crosscloud(tmp_path / "state", env)
    yield cc
    # leave nothing behind: the background service a deploy started stops; whatever a test
    # created, the sandbox store is dropped with tmp_path
    cc.run("sandbox", "down", check=False)


@pytest.fixture
def seed_config() -> str:
    return str(ROOT / "examples" / "seed.yaml")
