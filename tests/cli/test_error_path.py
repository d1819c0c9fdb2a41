"""One error path for every command: non-zero exit, one message, no traceback; --json prints
{"ok": false, "error": {...}} of the same shape on every failure."""

import json
import os
import stat

import pytest
from click.testing import CliRunner
from support import EXAMPLES

from crosscloud.cli.main import cli
from crosscloud.runner import tools
from crosscloud.runner.journal import run_lock

SEED = str(EXAMPLES / "seed.yaml")


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def assert_error(result, kind, *fragments, code=1):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and set(doc["error"]) >= {"kind", "message", "exit_code"}, doc
    assert doc["error"]["kind"] == kind and doc["error"]["exit_code"] == code, doc
    assert all(f in json.dumps(doc) for f in fragments), doc
    return doc


@pytest.mark.parametrize("command", ["validate", "synth", "plan", "deploy", "status", "verify"])
def test_bad_config_is_one_json_document_for_every_command(command, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "seed.yaml").read_text().replace("node_count: 1", "node_count: true"))
    result = run("--state-dir", str(tmp_path / "st"), command, "-c", str(bad), "--json")
    doc = assert_error(result, "config", "clusters[1].node_count", "whole number")
    assert doc["error"]["file"] == str(bad)


@pytest.mark.parametrize("command", ["validate", "deploy"])
def test_config_directory_is_a_clear_error_not_a_usage_error(command, tmp_path):
    result = run("--state-dir", str(tmp_path / "st"), command, "-c", str(EXAMPLES))
    assert result.exit_code == 1 and "is a directory" in result.output and "Traceback" not in result.output


def test_usage_error_under_json_is_json():
    assert_error(run("status", "--json", "--target", "moon"), "usage", "moon", code=2)


def test_verify_when_nothing_is_deployed(tmp_path):
    doc = assert_error(run("--state-dir", str(tmp_path), "verify", "-c", SEED, "--json"), "not-deployed", "deploy first")
    assert "network" in doc["error"]["stacks"]
    text = run("--state-dir", str(tmp_path), "verify", "-c", SEED)
    assert text.exit_code == 1 and "not deployed" in text.output and "Traceback" not in text.output


def _fake_tool(tmp_path, name, version_line):
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    script = bindir / name
    script.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bindir


@pytest.mark.parametrize("path_kind", ["missing", "old"])
def test_terraform_missing_or_too_old_found_before_work(tmp_path, monkeypatch, path_kind):
    bindir = _fake_tool(tmp_path, "terraform", "Terraform v1.3.9") if path_kind == "old" else tmp_path / "empty"
    monkeypatch.setenv("PATH", str(bindir))
    result = run("--state-dir", str(tmp_path / "st"), "deploy", "-c", SEED, "--json")
    assert_error(result, "tool", "terraform", "1.5.0")
    assert not (tmp_path / "st" / "journal.json").exists() and not (tmp_path / "st" / "lock").exists()


def test_node_too_old_found_before_synth(tmp_path, monkeypatch):
    bindir = _fake_tool(tmp_path, "node", "v18.19.0")
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    result = run("synth", "-c", SEED, "-o", str(tmp_path / "out"), "--json")
    assert_error(result, "tool", "node", "20.9.0", "18.19.0")
    assert not (tmp_path / "out").exists()


def test_tool_versions_accepted_when_new_enough(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(_fake_tool(tmp_path, "terraform", "Terraform v1.5.0")))
    assert tools.require_terraform().endswith("terraform")


def test_a_tool_replaced_in_place_is_checked_again(tmp_path, monkeypatch):
    """The version is asked once per binary file (the CLI fork server's children inherit it): an
    upgrade or downgrade at the same path is a different file and is asked again."""
    monkeypatch.setenv("PATH", str(_fake_tool(tmp_path, "terraform", "Terraform v1.11.0")))
    assert tools.require_terraform() == str(tmp_path / "bin" / "terraform")
    assert tools.require_terraform() == str(tmp_path / "bin" / "terraform")  # answered from the cache
    _fake_tool(tmp_path, "terraform", "Terraform v1.4.7  (downgraded)")
    with pytest.raises(tools.ToolMissing, match=r"version 1\.4\.7; crosscloud needs terraform >= 1\.5\.0"):
        tools.require_terraform()


def test_lock_held_is_one_json_error(tmp_path):
    with run_lock(tmp_path, "deploy"):
        result = run("--state-dir", str(tmp_path), "deploy", "-c", SEED, "--json")
    assert_error(result, "lock", "another crosscloud deploy is running")


def test_sandbox_reset_respects_the_lock(tmp_path):
    (tmp_path / "sandbox").mkdir()
    with run_lock(tmp_path, "deploy"):
        result = run("--state-dir", str(tmp_path), "sandbox", "reset")
        assert result.exit_code == 1 and "another crosscloud deploy is running" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "lock").exists()
    assert run("--state-dir", str(tmp_path), "sandbox", "reset").exit_code == 0
    assert not (tmp_path / "lock").exists()


def test_unexpected_error_is_one_line_without_traceback(tmp_path, monkeypatch):
    import crosscloud.summary as summary

    def boom(_topology):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(summary, "topology_summary", boom)
    assert_error(run("validate", "-c", SEED, "--json"), "internal", "ZeroDivisionError", "CROSSCLOUD_DEBUG")
    text = run("validate", "-c", SEED)
    assert text.exit_code == 1 and "Traceback" not in text.output and "unexpected ZeroDivisionError" in text.output


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2])
def test_ctrl_c_during_synth_is_one_message_without_jsii_traceback(tmp_path, delay):
    """Ctrl-C reaches the whole process group (jsii's node child too), as in a terminal."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "crosscloud.cli.main_entry", "synth", "-c", SEED, "-o", str(tmp_path / "out")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(delay)
    try:
        os.killpg(proc.pid, signal.SIGINT)
    except ProcessLookupError:
        pass
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
