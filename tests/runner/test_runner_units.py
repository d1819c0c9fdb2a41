"""The runner's parts that need no terraform: graph scheduling, lock, journal, link reading, summaries."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from crosscloud.runner.graph import OrderedSlots, run_graph
from crosscloud.runner.journal import Journal, LockHeld, run_lock
from crosscloud.runner.link import LinkState, LinkTimeout, likely_cause, link_from_state, wait_for_link
from crosscloud.runner.deploy import plan_summary
from crosscloud.runner.terraform import error_summary


def test_graph_runs_independent_steps_concurrently_and_in_order():
    needs = {"network": (), "vpn": ("network",), "clusters": ("network",), "fleet": ("clusters",)}
    events, lock = [], threading.Lock()
    both_running = threading.Event()
    active = set()

    def work(step):
        with lock:
            events.append(("start", step))
            active.add(step)
            if {"vpn", "clusters"} <= active:
                both_running.set()
        if step in ("vpn", "clusters"):
            assert both_running.wait(2), "vpn and clusters did not overlap"
        with lock:
            active.discard(step)
            events.append(("end", step))

    run_graph(needs, work)
    order = [s for kind, s in events if kind == "start"]
    assert order[0] == "network" and order.index("fleet") > order.index("clusters")
    assert events.index(("end", "network")) < events.index(("start", "vpn"))


def test_graph_failure_stops_new_steps_and_is_raised():
    ran = []

    def work(step):
        ran.append(step)
        if step == "a":
            raise RuntimeError("boom in a")

    with pytest.raises(RuntimeError, match="boom in a"):
        run_graph({"a": (), "b": ("a",)}, work)
    assert ran == ["a"]


def test_graph_rejects_unknown_dependencies():
    with pytest.raises(ValueError, match="unknown"):
        run_graph({"a": ("ghost",)}, lambda s: None)



def test_start_up_slots_go_in_queue_order_not_arrival_order():
    """A step queued later that gets to acquire() first still waits for the earlier one; a queued
    step that ends without a slot (forget) stops holding the others up."""
    slots, order = OrderedSlots(1), []
    for step in ("first", "second", "third"):
        slots.queue(step)

    def take(step: str) -> None:
        slots.acquire(step)
        order.append(step)
        slots.release()

    early = [threading.Thread(target=take, args=(s,)) for s in ("third", "second")]
    for t in early:
        t.start()
    time.sleep(0.2)  # both wait: neither is first in the queue
    assert order == []
    slots.forget("first")  # skipped (nothing to change): the next in the queue goes
    for t in early:
        t.join(timeout=5)
    assert order == ["second", "third"]

def test_lock_refuses_a_live_holder_and_recovers_a_stale_one(tmp_path):
    with run_lock(tmp_path, "deploy"):
        with pytest.raises(LockHeld, match=f"pid {os.getpid()}"):
            with run_lock(tmp_path, "destroy"):
                pass
    assert not (tmp_path / "lock").exists()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    import socket

    (tmp_path / "lock").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "command": "deploy", "started": 0}))
    with run_lock(tmp_path, "deploy") as note:
        assert note and f"pid {dead.pid}" in note and "stale" in note



def test_lock_of_a_forked_run_is_stale_only_when_client_and_worker_are_both_gone(tmp_path):
    """With the CLI fork server the lock names the client (what the user started) and lists the
    forked worker too: a killed client's worker still stopping terraform keeps the lock."""
    import socket

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    held = {"pid": dead.pid, "pids": [dead.pid, os.getpid()], "host": socket.gethostname(), "command": "deploy", "started": 0}
    (tmp_path / "lock").write_text(json.dumps(held))
    with pytest.raises(LockHeld, match=f"pid {dead.pid}"):
        with run_lock(tmp_path, "destroy"):
            pass
    (tmp_path / "lock").write_text(json.dumps(dict(held, pids=[dead.pid, dead.pid])))
    with run_lock(tmp_path, "deploy") as note:
        assert note and "stale" in note

def test_journal_records_steps_without_secrets(tmp_path):
    j = Journal(tmp_path, "deploy", "sandbox")
    j.step("network", "running")
    j.step("network", "done")
    j.finish("succeeded")
    data = json.loads((tmp_path / "journal.json").read_text())
    assert data["steps"]["network"]["status"] == "done" and data["outcome"] == "succeeded"
    assert Journal(tmp_path, "deploy", "sandbox").previous["run_id"] == data["run_id"]


def state_with(conn_status, tunnels, gcp, routes):
    res = [{"type": "alicloud_vpn_connection", "name": "c", "values": {"status": conn_status, "tunnel_options_specification": tunnels}}]
    res += [{"type": "google_compute_vpn_tunnel", "name": n, "values": {"name": n, "detailed_status": s}} for n, s in gcp.items()]
    res += [{"type": "alicloud_vpn_pbr_route_entry", "name": f"r{i}", "values": {"route_dest": d, "status": s}} for i, (d, s) in enumerate(routes)]
    return {"values": {"root_module": {"resources": res}}}


def test_link_read_from_state_both_sides():
    up = "ipsec_sa_established"
    show = state_with(up, [{"role": "master", "status": up}, {"role": "slave", "status": up}],
                      {"t1": "Tunnel is up and running.", "t2": "Tunnel is up and running."},
                      [("10.0.0.0/20", "published"), ("10.4.0.0/14", "published")])
    link = link_from_state(show)
    assert link.up and link.routes_published
    show = state_with(up, [], {"t1": "Negotiation failure with peer. Proposal mismatch."}, [("10.0.0.0/20", "normal")])
    link = link_from_state(show)
    assert link.alibaba_up and not link.gcp_up and not link.routes_published
    assert "IKE/IPsec parameters" in likely_cause(link)


def test_wait_for_link_times_out_naming_side_and_cause():
    down = LinkState(alibaba="ike_sa_not_established", gcp={"t": "Authentication failure. Check pre-shared key."},
                     routes=[{"dest": "10.0.0.0/20", "status": "published", "published": True}])
    seen = []
    with pytest.raises(LinkTimeout) as err:
        wait_for_link(lambda: down, timeout=0.3, report=seen.append, first_delay=0.05)
    msg = str(err.value)
    assert "Alibaba and GCP sides not established" in msg and "pre-shared keys differ" in msg
    assert seen, "progress was not reported"


def test_wait_for_link_returns_when_up():
    states = iter([LinkState(), LinkState(alibaba="ipsec_sa_established", gcp={"t": "Tunnel is up and running."},
                                          routes=[{"dest": "x", "status": "published", "published": True}])])
    assert wait_for_link(lambda: next(states), timeout=5, report=lambda s: None, first_delay=0.01).up


def test_plan_summary_classifies_actions():
    plan = {"resource_changes": [
        {"address": "a.x", "change": {"actions": ["create"]}},
        {"address": "a.y", "change": {"actions": ["delete", "create"]}},
        {"address": "a.z", "change": {"actions": ["update"]}},
        {"address": "a.w", "change": {"actions": ["no-op"]}},
        {"address": "a.v", "change": {"actions": ["delete"]}},
    ]}
    s = plan_summary(plan)
    assert s.changes == {"add": ["a.x"], "change": ["a.z"], "replace": ["a.y"], "destroy": ["a.v"]}
    assert s.short() == "1 to add, 1 to change, 1 to replace, 1 to destroy"


def test_error_summary_names_address_and_message():
    stderr = ("\n│ Error: Cannot destroy cluster because deletion_protection is set to true.\n│ \n"
              "│   with google_container_cluster.gke_consumer,\n│   on cdk.tf.json line 42:\n")
    assert error_summary("", stderr).startswith("google_container_cluster.gke_consumer: Cannot destroy cluster")


@pytest.mark.parametrize("gcp_words,cause", [
    ("Negotiation failure with peer. Traffic selector mismatch.", "traffic selectors are not mirrored"),
    ("Negotiation failure with peer. Proposal mismatch.", "IKE/IPsec parameters disagree"),
    ("Authentication failure. Check pre-shared key.", "pre-shared keys differ"),
    ("No incoming packets from peer.", "peer IP"),
])
def test_likely_cause_from_the_clouds_words(gcp_words, cause):
    link = LinkState(alibaba="ipsec_sa_not_established", gcp={"t": gcp_words})
    assert cause in likely_cause(link)


def _recording_runner(tmp_path, seed_data, monkeypatch, method):
    from types import SimpleNamespace

    from crosscloud.config import parse_topology
    from crosscloud.runner.deploy import Runner, Workspace
    from crosscloud.runner.report import Reporter

    order: list[str] = []
    lock = threading.Lock()

    def record(self, stack):
        with lock:
            order.append(stack)
        time.sleep(0.05)  # let a wrongly scheduled dependent overtake
        return False

    monkeypatch.setattr(Runner, method, record)
    target = SimpleNamespace(name="sandbox", env={}, secrets=[], settle=None)
    return Runner(parse_topology(seed_data), Workspace(tmp_path / "state"), target, Reporter(quiet=True)), order


def test_destroy_goes_in_reverse_dependency_order_with_gke_beside_members(tmp_path, seed_data, monkeypatch):
    from crosscloud.runner.deploy import destroy
    from crosscloud.stackgraph import STACK_DEPENDENCIES

    runner, order = _recording_runner(tmp_path, seed_data, monkeypatch, "destroy_stack")
    destroy(runner)
    assert sorted(order) == sorted(STACK_DEPENDENCIES) and order[-1] == "network"
    for stack, needs in STACK_DEPENDENCIES.items():
        assert all(order.index(stack) < order.index(n) for n in needs), order  # what needs a stack goes first
    assert order.index("gke") < order.index("clusters")  # nothing needs gke: it goes in the first round


def test_deploy_starts_every_ready_step_at_once(tmp_path, seed_data, monkeypatch):
    """After network, vpn/clusters/gke/fleet and any step that needs only network are all ready:
    none may wait for a worker slot (a queued step would delay everything after it)."""
    from crosscloud.runner import deploy as runner_deploy

    runner, order = _recording_runner(tmp_path, seed_data, monkeypatch, "converge_stack")
    monkeypatch.setattr(runner_deploy, "prepare_stacks", lambda *a: False)
    monkeypatch.setattr(runner_deploy.Runner, "wait_link", lambda self, timeout: LinkState())
    active, peak = set(), []
    original = runner_deploy.Runner.converge_stack

    def tracked(name, call):
        active.add(name)
        peak.append(len(active))
        try:
            return call()
        finally:
            active.discard(name)

    monkeypatch.setattr(runner_deploy.Runner, "converge_stack", lambda self, s: tracked(s, lambda: original(self, s)))
    hooks = {f"side-{i}": (("network",), lambda r, i=i: tracked(f"side-{i}", lambda: time.sleep(0.05))) for i in range(2)}
    runner_deploy.deploy(runner, after_link=hooks)
    assert max(peak) == 6 and order[0] == "network" and order[-1] == "members"


def test_gke_registration_runs_beside_members_and_the_rest_waits_for_everything(tmp_path, seed_data, monkeypatch):
    """The registration step needs only gke and the hub: members may wait for it (it would
    deadlock if the registration waited for members); the join + manifests step gets its result."""
    import contextlib

    import crosscloud.fleet as fleet
    import crosscloud.fleet.context as context
    import crosscloud.fleet.phase as phase
    from crosscloud.runner import deploy as runner_deploy

    registered, finished = threading.Event(), []
    monkeypatch.setattr(context, "fleet_context", contextlib.contextmanager(lambda runner: (yield "ctx")))
    monkeypatch.setattr(phase, "register_gke_clusters", lambda ctx: (registered.set(), {"gke-consumer": "c-reg"})[1])
    monkeypatch.setattr(phase, "run_fleet_phase", lambda ctx, reg: finished.append((reg, sorted(order))))
    runner, order = _recording_runner(tmp_path, seed_data, monkeypatch, "converge_stack")
    recorded = runner_deploy.Runner.converge_stack

    def converge(self, stack):
        if stack == "members":
            assert registered.wait(5), "the registration did not run before members finished"
        return recorded(self, stack)

    monkeypatch.setattr(runner_deploy.Runner, "converge_stack", converge)
    monkeypatch.setattr(runner_deploy, "prepare_stacks", lambda *a: False)
    monkeypatch.setattr(runner_deploy.Runner, "wait_link", lambda self, timeout: LinkState())
    steps = fleet.fleet_phase_steps()
    assert steps[fleet.REGISTER_STEP][0] == ("gke", "fleet")
    runner_deploy.deploy(runner, after_link=steps)
    from crosscloud.stackgraph import STACK_ORDER

    assert finished == [({"gke-consumer": "c-reg"}, sorted(STACK_ORDER))]  # after every stack


def test_stack_startups_take_turns_longest_first_and_applies_do_not(tmp_path, seed_data, monkeypatch):
    """Local runs: at most `startups` stacks are in init/plan at once (ready ones start in
    LONGEST_FIRST order); a stack gives its slot back when its plan is made, so applies overlap."""
    from crosscloud.runner import deploy as runner_deploy
    from crosscloud.stackgraph import LONGEST_FIRST, STACK_ORDER

    assert sorted(LONGEST_FIRST) == sorted(STACK_ORDER)  # every stack, once
    runner, _ = _recording_runner(tmp_path, seed_data, monkeypatch, "destroy_stack")
    runner.startups = OrderedSlots(2)
    lock = threading.Lock()
    planning, applying, started, peaks = set(), set(), [], {"plan": 0, "apply": 0}

    def phase(kind, group, stack, seconds):
        with lock:
            group.add(stack)
            peaks[kind] = max(peaks[kind], len(group))
        time.sleep(seconds)
        with lock:
            group.discard(stack)

    class FakeTerraform:
        def __init__(self, stack):
            self.stack = stack

        def run(self, *args, on_message=None, **kw):
            with lock:
                started.append(self.stack)
            phase("plan", planning, self.stack, 0.1)
            on_message({"type": "planned_change", "change": {"action": "create", "resource": {"addr": "x.y"}}})
            on_message({"type": "change_summary", "changes": {"operation": "plan"}})
            phase("apply", applying, self.stack, 0.3)  # the cloud's wait: no slot held

    monkeypatch.setattr(runner_deploy.Runner, "terraform", lambda self, stack: FakeTerraform(stack))
    monkeypatch.setattr(runner_deploy.Runner, "init", lambda self, tf: None)
    monkeypatch.setattr(runner_deploy.Runner, "converge_stack", lambda self, s: self.apply_stack(s))
    monkeypatch.setattr(runner_deploy.Workspace, "is_applied", lambda self, s: False)
    monkeypatch.setattr(runner_deploy, "prepare_stacks", lambda *a: False)
    monkeypatch.setattr(runner_deploy, "_record", lambda *a: None)
    monkeypatch.setattr(runner_deploy.Runner, "wait_link", lambda self, timeout: LinkState())
    result = runner_deploy.deploy(runner)
    assert sorted(result["changed"]) == sorted(STACK_ORDER)
    assert peaks["plan"] == 2  # never more than the slots, and both used
    assert peaks["apply"] >= 3  # vpn/clusters/gke/fleet apply side by side
    after_network = started[1:5]
    assert set(after_network[:2]) == {"clusters", "gke"} and set(after_network[2:]) == {"vpn", "fleet"}, started


def test_terraform_runs_with_lazier_go_gc_unless_the_user_set_it(tmp_path, monkeypatch):
    from crosscloud.runner.terraform import Terraform

    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    tf = Terraform("network", tmp_path, {}, tmp_path / "logs")
    assert (tf.env["GOGC"], tf.env["GOMEMLIMIT"]) == ("400", "2GiB")
    monkeypatch.setenv("GOGC", "50")
    monkeypatch.setenv("GOMEMLIMIT", "512MiB")
    tf = Terraform("network", tmp_path, {}, tmp_path / "logs")
    assert (tf.env["GOGC"], tf.env["GOMEMLIMIT"]) == ("50", "512MiB")
