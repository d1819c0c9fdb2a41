"""Units behind interrupts, damaged state and broken pipes (fast; the e2e tests run them for real)."""

import json
import threading

import pytest

from crosscloud.runner import interrupt
from crosscloud.runner.deploy import StateDamaged, Workspace
from crosscloud.runner.journal import Journal, read_applied
from crosscloud.runner.report import Reporter


def _state(ws, stack, text):
    path = ws.state_path(stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


GOOD = json.dumps({"version": 4, "lineage": "L1", "serial": 3, "resources": [{"type": "x", "name": "y"}]})


def _applied(tmp_path, stack="vpn", lineage="L1"):
    j = Journal(tmp_path, "deploy", "sandbox")
    j.mark_applied(stack, lineage)
    return j


@pytest.mark.parametrize("text,problem", [(None, "is missing"), ("", "is empty"), ("  \n", "is empty"),
                                          (GOOD[:40], "not valid JSON"), ("[]", "not a Terraform state"),
                                          ('{"resources": []}', "not a Terraform state"),
                                          (json.dumps({"version": 4, "lineage": "OTHER", "resources": []}), "another lineage")])
def test_damaged_state_of_an_applied_stack_is_refused(tmp_path, text, problem):
    ws = Workspace(tmp_path)
    _applied(tmp_path)
    path = _state(ws, "vpn", GOOD)
    if text is None:
        path.unlink()
    else:
        path.write_text(text)
    with pytest.raises(StateDamaged) as err:
        ws.state("vpn")
    msg = str(err.value)
    assert "stack vpn" in msg and str(path) in msg and problem in msg and "state push" in msg
    with pytest.raises(StateDamaged):
        ws.is_applied("vpn")


def test_backup_offered_when_it_holds_resources(tmp_path):
    ws = Workspace(tmp_path)
    _applied(tmp_path)
    path = _state(ws, "vpn", "")
    path.with_name(path.name + ".backup").write_text(GOOD)
    with pytest.raises(StateDamaged, match=r"cp .*\.backup"):
        ws.state("vpn")


def test_no_record_means_new_stack_and_destroyed_state_is_not_applied(tmp_path):
    ws = Workspace(tmp_path)
    assert ws.state("vpn") is None and not ws.is_applied("vpn")
    _state(ws, "vpn", "")
    assert ws.state("vpn") is None  # Terraform reads an empty file as no state
    _applied(tmp_path)
    _state(ws, "vpn", json.dumps({"version": 4, "lineage": "L1", "resources": []}))
    assert ws.is_applied("vpn") is False  # destroyed through terraform itself: same lineage, no objects
    _state(ws, "vpn", GOOD)
    assert ws.is_applied("vpn") is True


def test_empty_state_with_a_backup_of_objects_is_refused_even_without_a_journal(tmp_path):
    ws = Workspace(tmp_path)
    path = _state(ws, "network", "")
    path.with_name(path.name + ".backup").write_text(GOOD)
    with pytest.raises(StateDamaged, match="stack network"):
        ws.state("network")


@pytest.mark.parametrize("garbage", ["", "{", "[1]", "\xff"])
def test_garbage_journal_is_kept_aside_and_a_new_one_started(tmp_path, garbage):
    (tmp_path / "journal.json").write_text(garbage)
    j = Journal(tmp_path, "deploy", "sandbox")
    assert j.previous is None and "started a new one" in j.warning
    assert (tmp_path / "journal.json.damaged").read_text() == garbage
    assert json.loads((tmp_path / "journal.json").read_text())["outcome"] == "running"
    assert read_applied(tmp_path) == {}


def test_applied_record_carries_over_runs(tmp_path):
    _applied(tmp_path, "network", "L9")
    j = Journal(tmp_path, "deploy", "sandbox")
    assert j.applied("network")["lineage"] == "L9"
    j.mark_destroyed("network")
    assert read_applied(tmp_path) == {}


def test_reporter_survives_a_closed_pipe():
    class Closed:
        def write(self, _):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    r = Reporter(stream=Closed())
    r.event("network", "destroy")  # must not raise: a destroy goes on when `| head` has gone
    r.success("done")
    assert r.quiet


def test_interrupt_sleep_ends_at_once_on_stop():
    interrupt.STOP.clear()
    threading.Timer(0.05, interrupt.STOP.set).start()
    try:
        with pytest.raises(interrupt.Interrupted, match="waiting for x"):
            interrupt.sleep(60, "waiting for x")
    finally:
        interrupt.STOP.clear()


def test_no_terraform_starts_once_stopping(tmp_path):
    from crosscloud.runner.terraform import Terraform

    interrupt.STOP.set()
    try:
        with pytest.raises(interrupt.Interrupted, match="not started"):
            Terraform("vpn", tmp_path, {}, tmp_path / "logs").run("plan")
    finally:
        interrupt.STOP.clear()
