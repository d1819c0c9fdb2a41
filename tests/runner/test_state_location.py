"""One state location: crosscloud and cdktf/cdktn share the cdktf.json `output` folder."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crosscloud.runner.deploy import Workspace
from crosscloud.synth import project_output_dir

ROOT = Path(__file__).resolve().parents[2]


def test_state_dir_beside_a_cdktf_json_uses_its_output_folder(tmp_path):
    (tmp_path / "cdktf.json").write_text(json.dumps({"language": "python", "output": "build/tf"}))
    ws = Workspace(tmp_path / ".crosscloud")
    assert ws.outdir == (tmp_path / "build" / "tf").resolve()
    assert ws.stack_dir("vpn") == (tmp_path / "build" / "tf" / "stacks" / "vpn").resolve()


def test_cdktf_json_without_output_means_cdktf_out(tmp_path):
    (tmp_path / "cdktf.json").write_text(json.dumps({"language": "python"}))
    assert project_output_dir(tmp_path) == (tmp_path / "cdktf.out").resolve()


def test_state_dir_elsewhere_keeps_its_own_out_folder(tmp_path):
    assert project_output_dir(tmp_path) is None
    assert Workspace(tmp_path / "state").outdir == tmp_path / "state" / "out"


def test_broken_cdktf_json_is_named(tmp_path):
    (tmp_path / "cdktf.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"cdktf\.json: not valid JSON"):
        project_output_dir(tmp_path)


def test_repository_cdktf_json_names_what_crosscloud_synth_writes_by_default():
    assert project_output_dir(ROOT) == (ROOT / "cdktf.out").resolve()


@pytest.mark.integration
def test_verify_without_a_deployed_stack_says_so_plainly(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "crosscloud.cli.main_entry", "--state-dir", str(tmp_path / "s"),
                           "verify", "-c", str(ROOT / "examples" / "seed.yaml")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "not deployed" in proc.stderr and "vpn" in proc.stderr and "crosscloud deploy" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
