"""plan / deploy / destroy over the stack graph.

deploy: synth (skipped when inputs are unchanged) -> per stack init, plan, apply when the plan
has changes -> wait until the IPsec link is up on both sides and routes are published.
Independent stacks run concurrently; Terraform state makes a re-run after a failure converge.

A stack that has no resources yet is planned and applied by one `terraform apply` (nothing to
refresh, nothing to leave untouched); a stack with resources is planned to a file and exactly that
plan is applied, or nothing when it has no changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Topology
from ..stackgraph import STACK_DEPENDENCIES, STACK_ORDER
from . import fastpath
from .graph import run_graph
from .journal import Journal, run_lock
from .link import LinkState, link_from_state, wait_for_link
from .report import Reporter
from .targets import Target
from .terraform import Terraform, interrupt_all

LINK_STEP = "vpn-link"
INPUTS_STAMP = ".inputs.sha256"
DEFAULT_LINK_TIMEOUT = 600.0


@dataclass
class Workspace:
    """The state dir's layout."""

    state_dir: Path

    @property
    def outdir(self) -> Path:
        return self.state_dir / "out"

    def stack_dir(self, stack: str) -> Path:
        return self.outdir / "stacks" / stack

    def logdir(self, run_id: str) -> Path:
        return self.state_dir / "logs" / run_id

    def is_applied(self, stack: str) -> bool:
        state = self.stack_dir(stack) / f"terraform.{stack}.tfstate"
        if not state.exists():
            return False
        try:
            return bool(json.loads(state.read_text()).get("resources"))
        except ValueError:
            return False


# What synthesized output depends on, besides the topology.
SYNTH_SOURCES = ("config", "constructs", "stacks.py", "stackgraph.py", "synth.py", "cdk.py")


def inputs_hash(topology: Topology) -> str:
    """A digest of the topology and of the crosscloud code that synthesizes it."""
    digest = hashlib.sha256(topology.model_dump_json().encode())
    package = Path(__file__).resolve().parent.parent
    for source in SYNTH_SOURCES:
        root = package / source
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare_stacks(topology: Topology, ws: Workspace, report: Reporter) -> bool:
    """Synthesize into the workspace unless the inputs are unchanged. Returns whether it synthesized."""
    stamp = ws.outdir / INPUTS_STAMP
    wanted = inputs_hash(topology)
    present = all((ws.stack_dir(s) / "cdk.tf.json").exists() for s in STACK_ORDER)
    if present and stamp.exists() and stamp.read_text() == wanted:
        report.event("synth", "skipped", "inputs unchanged since the last synth")
        return False
    from ..synth import synth

    report.event("synth", "running")
    synth(topology, ws.outdir)
    stamp.write_text(wanted)
    report.event("synth", "done")
    return True


@dataclass
class Runner:
    topology: Topology
    ws: Workspace
    target: Target
    report: Reporter
    run_id: str = "adhoc"
    initialized: set[str] = field(default_factory=set)  # stacks this process has run `init` in

    def terraform(self, stack: str) -> Terraform:
        return Terraform(stack, self.ws.stack_dir(stack), self.target.env, self.ws.logdir(self.run_id), self.target.secrets)

    def init(self, tf: Terraform) -> None:
        if tf.stack in self.initialized:  # nothing it installs changes while this process runs
            return
        if not fastpath.init_is_current(tf.workdir, self.target.env):  # an earlier run's init still holds
            tf.run("init", "-input=false")
            fastpath.mark_initialized(tf.workdir, self.target.env)
        self.initialized.add(tf.stack)

    @property
    def runs_locally(self) -> bool:
        """Terraform plans and applies in this process's terraform (not as Terraform Cloud runs)."""
        return self.topology.backend.type != "cloud"

    def apply_stack(self, stack: str) -> bool:
        """init + plan + apply-if-changed. Returns whether anything changed.

        With local runs the plan is read from Terraform's -json messages (no `terraform show`).
        A stack with no resources yet is planned and applied by one `terraform apply`, which
        reports its plan as soon as it is made: there is no prior state to refresh or to leave
        untouched, and a separate plan and apply of the saved plan would start Terraform and every
        provider once more. A stack with resources is planned to a file and exactly that plan is
        applied, or nothing when it has no changes (not even refreshed state is written).
        Terraform Cloud runs keep the saved cloud plan, `show -json`, apply sequence."""
        tf = self.terraform(stack)
        self.report.event(stack, "init")
        self.init(tf)
        if not self.runs_locally:
            self.report.event(stack, "plan")
            code = tf.run("plan", "-input=false", "-out=tfplan", "-detailed-exitcode", ok_codes=(0, 2)).returncode
            if code == 0:
                self.report.event(stack, "unchanged", "no changes")
                return False
            summary = plan_summary(tf.json("show", "-json", "tfplan"))
            self.report.event(stack, "apply", summary.short())
            tf.run("apply", "-input=false", "-auto-approve", "tfplan")
            self.report.event(stack, "applied", summary.short())
            return True
        self.report.event(stack, "plan")
        planned = PlanStream()
        if not self.ws.is_applied(stack):
            def on_message(msg: dict) -> None:
                if planned(msg) and not planned.summary.empty:
                    self.report.event(stack, "apply", planned.summary.short())

            tf.run("apply", "-input=false", "-auto-approve", on_message=on_message)
            if not planned.changed:
                self.report.event(stack, "unchanged", "no changes")
                return False
        else:
            code = tf.run("plan", "-input=false", "-out=tfplan", "-detailed-exitcode",
                          ok_codes=(0, 2), on_message=planned).returncode
            if code == 0:
                self.report.event(stack, "unchanged", "no changes")
                return False
            self.report.event(stack, "apply", planned.summary.short())
            tf.run("apply", "-input=false", "-auto-approve", "tfplan")
        self.report.event(stack, "applied", planned.summary.short())
        return True

    def converge_stack(self, stack: str) -> bool:
        """apply_stack, unless fastpath proves there is nothing to plan (see its trade-offs)."""
        stack_dir = self.ws.stack_dir(stack)
        upstream = {d: self.ws.stack_dir(d) for d in STACK_DEPENDENCIES[stack]}
        if self.runs_locally:
            from .livestate import reader_for

            why = fastpath.plan_skippable(stack_dir, stack, upstream, self.target.env, reader_for(self.target))
            if why:
                self.report.event(stack, "unchanged", why)
                return False
        fastpath.forget_applied(stack_dir)
        changed = self.apply_stack(stack)
        if self.runs_locally:
            fastpath.mark_applied(stack_dir, stack, upstream, self.target.env)
        return changed

    def refreshed_state(self, stack: str) -> dict:
        """The stack's resources as the clouds report them now, without writing state or
        taking the state lock (status may run beside a deploy)."""
        tf = self.terraform(stack)
        self.init(tf)
        tf.run("plan", "-refresh-only", "-lock=false", "-input=false", "-out=refresh.tfplan")
        planned = tf.json("show", "-json", "refresh.tfplan")
        return {"values": (planned.get("prior_state") or {}).get("values") or {}}

    def outputs(self, stack: str) -> dict:
        if self.runs_locally:  # the local state file holds them: no terraform process needed
            from .livestate import read_state, state_outputs

            return state_outputs(read_state(self.ws.stack_dir(stack), stack))
        return {k: v.get("value") for k, v in self.terraform(stack).json("output", "-json").items()}

    def link_state(self) -> LinkState:
        """The link as the clouds report it now: asked by id through the target's live reader
        (no terraform), or by a refresh-only plan where there is none (see livestate)."""
        from .livestate import live_stack, reader_for

        read = reader_for(self.target) if self.runs_locally else None
        if read is None:
            return link_from_state(self.refreshed_state("vpn"))
        return link_from_state(live_stack(self.ws.stack_dir("vpn"), "vpn", read)[0])

    def wait_link(self, timeout: float) -> LinkState:
        self.report.event(LINK_STEP, "waiting", "until IPsec is established on both sides and routes are published")
        link = wait_for_link(self.link_state, timeout=timeout, report=lambda s: self.report.event(LINK_STEP, "state", s))
        self.report.event(LINK_STEP, "up", link.describe())
        return link

    def destroy_stack(self, stack: str) -> None:
        tf = self.terraform(stack)
        if not self.ws.is_applied(stack):
            self.report.event(stack, "skipped", "nothing to destroy")
            return
        self.report.event(stack, "init")
        self.init(tf)
        self.report.event(stack, "destroy")
        tf.run("destroy", "-input=false", "-auto-approve")
        self.report.event(stack, "destroyed")


@dataclass
class PlanSummary:
    changes: dict[str, list[str]] = field(default_factory=lambda: {"add": [], "change": [], "replace": [], "destroy": []})

    def short(self) -> str:
        return ", ".join(f"{len(v)} to {k}" for k, v in self.changes.items() if v) or "no changes"

    @property
    def empty(self) -> bool:
        return not any(self.changes.values())


class PlanStream:
    """Reads a plan from Terraform's -json messages (no `terraform show` of a plan file):
    call it with each message; it returns True on the one that ends the plan."""

    ACTIONS = {"create": "add", "update": "change", "replace": "replace", "delete": "destroy", "remove": "forget"}
    SKIPPED = ("noop", "read", "move", "import")  # what `show -json` lists as no-op or read

    def __init__(self) -> None:
        self.summary = PlanSummary()
        self.outputs_change = False

    @property
    def changed(self) -> bool:
        return not self.summary.empty or self.outputs_change

    def __call__(self, msg: dict) -> bool:
        kind = msg.get("type")
        if kind == "planned_change":
            change = msg.get("change") or {}
            action = change.get("action")
            if action not in self.SKIPPED:
                addr = (change.get("resource") or {}).get("addr", "?")
                self.summary.changes.setdefault(self.ACTIONS.get(action, action), []).append(addr)
        elif kind == "outputs":  # planned outputs carry an action; applied ones a value instead
            planned = [o["action"] for o in (msg.get("outputs") or {}).values() if "action" in o]
            self.outputs_change = self.outputs_change or any(a != "noop" for a in planned)
        elif kind == "change_summary" and (msg.get("changes") or {}).get("operation") == "plan":
            return True
        return False


def plan_summary(plan: dict) -> PlanSummary:
    summary = PlanSummary()
    for rc in plan.get("resource_changes", []):
        actions = rc.get("change", {}).get("actions", [])
        if actions in (["no-op"], ["read"]):
            continue
        kind = ("replace" if set(actions) == {"create", "delete"} else
                {"create": "add", "update": "change", "delete": "destroy"}.get(actions[0], actions[0]))
        summary.changes.setdefault(kind, []).append(rc["address"])
    return summary


StepHook = Callable[[Runner], None]


def deploy(runner: Runner, command: str = "deploy", *, link_timeout: float = DEFAULT_LINK_TIMEOUT,
           after_link: dict[str, tuple[tuple[str, ...], StepHook]] | None = None) -> dict:
    """Apply every stack in order, wait for the link, then run `after_link` steps
    (name -> (needs, hook)). Returns {"changed": [stacks], "link": LinkState dict}."""
    ws, report = runner.ws, runner.report
    with run_lock(ws.state_dir, command) as note:
        if note:
            report.warning(note)
        journal = Journal(ws.state_dir, command, runner.target.name)
        runner.run_id = journal.run_id
        result: dict = {"changed": [], "link": None}
        try:
            prepare_stacks(runner.topology, ws, report)
            needs: dict[str, tuple[str, ...]] = {s: STACK_DEPENDENCIES[s] for s in STACK_ORDER}
            needs[LINK_STEP] = ("vpn",)
            hooks = dict(after_link or {})
            needs.update({name: deps for name, (deps, _) in hooks.items()})

            def work(step: str) -> None:
                journal.step(step, "running")
                try:
                    if step == LINK_STEP:
                        result["link"] = runner.wait_link(link_timeout).as_dict()
                    elif step in hooks:
                        hooks[step][1](runner)
                    elif runner.converge_stack(step):
                        result["changed"].append(step)
                except BaseException as err:
                    journal.step(step, "failed", str(err))
                    raise
                journal.step(step, "done")

            run_graph(needs, work, on_interrupt=interrupt_all)
        except KeyboardInterrupt:
            journal.finish("interrupted", "Ctrl-C: run the same command again to continue")
            raise
        except BaseException as err:
            journal.finish("failed", str(err))
            raise
        result["changed"].sort(key=lambda s: STACK_ORDER.index(s))
        journal.finish("succeeded", f"changed: {', '.join(result['changed']) or 'nothing'}")
    return result


def destroy(runner: Runner, *, before: StepHook | None = None, after: StepHook | None = None) -> None:
    ws, report = runner.ws, runner.report
    with run_lock(ws.state_dir, "destroy") as note:
        if note:
            report.warning(note)
        journal = Journal(ws.state_dir, "destroy", runner.target.name)
        runner.run_id = journal.run_id
        try:
            if before:
                before(runner)
            # Reverse graph: a stack goes once everything that needs it is gone.
            dependents = {s: tuple(d for d in STACK_ORDER if s in STACK_DEPENDENCIES[d]) for s in STACK_ORDER}

            def work(stack: str) -> None:
                journal.step(stack, "running")
                runner.destroy_stack(stack)
                journal.step(stack, "destroyed")

            run_graph(dependents, work, on_interrupt=interrupt_all)
            if after:
                after(runner)
        except KeyboardInterrupt:
            journal.finish("interrupted", "Ctrl-C: run destroy again to continue")
            raise
        except BaseException as err:
            journal.finish("failed", str(err))
            raise
        journal.finish("succeeded")


def plan(runner: Runner) -> dict[str, dict]:
    """Plan every stack whose dependencies are applied; say why the others cannot be planned yet."""
    ws, report = runner.ws, runner.report
    prepare_stacks(runner.topology, ws, report)
    out: dict[str, dict] = {}
    for stack in STACK_ORDER:
        missing = [d for d in STACK_DEPENDENCIES[stack] if not ws.is_applied(d)]
        if missing:
            out[stack] = {"planned": False, "reason": f"needs {', '.join(missing)} applied first (its outputs feed this stack)"}
            report.event(stack, "waiting", out[stack]["reason"])
            continue
        tf = runner.terraform(stack)
        report.event(stack, "plan")
        runner.init(tf)
        tf.run("plan", "-input=false", "-out=tfplan", "-detailed-exitcode", ok_codes=(0, 2))
        summary = plan_summary(tf.json("show", "-json", "tfplan"))
        out[stack] = {"planned": True, **summary.changes}
        report.event(stack, "planned", summary.short())
    return out
