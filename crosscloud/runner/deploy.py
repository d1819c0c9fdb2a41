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
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Topology
from ..stackgraph import LONGEST_FIRST, STACK_DEPENDENCIES, STACK_ORDER
from . import fastpath
from .graph import OrderedSlots, run_graph
from .interrupt import STOP, Interrupted
from .journal import Journal, _alive, read_applied, run_lock
from .link import LinkState, link_from_state, wait_for_link
from .migrate import move_gke_state
from .report import Reporter
from .targets import Target
from .terraform import Terraform, TerraformError, interrupt_all

LINK_STEP = "vpn-link"
PLAN_DIR_PREFIX = ".plan-"
INPUTS_STAMP = ".inputs.sha256"
DEFAULT_LINK_TIMEOUT = 600.0


class NotDeployed(TerraformError):
    """A command that reads a deployed stack found none (a TerraformError, so the commands that
    already report those report this one too, without a traceback)."""

    def __init__(self, stack: str, where: Path):
        RuntimeError.__init__(self, f"stack {stack} is not deployed (no synthesized stack in {where}): "
                                    "run `crosscloud deploy` (or `cdktn deploy '*'`) first")
        self.stack, self.command, self.summary, self.log = stack, "plan", str(self), None


@dataclass
class Workspace:
    """The state dir's layout."""

    state_dir: Path

    @property
    def outdir(self) -> Path:
        # A state dir beside a cdktf.json shares that project's output folder, so crosscloud and
        # `cdktf deploy`/`cdktn deploy` read and write the same stacks and local state.
        from ..synth import project_output_dir  # noqa: PLC0415

        return project_output_dir(self.state_dir.resolve().parent) or self.state_dir / "out"

    def stack_dir(self, stack: str) -> Path:
        return self.outdir / "stacks" / stack

    def logdir(self, run_id: str) -> Path:
        return self.state_dir / "logs" / run_id

    def state_path(self, stack: str) -> Path:
        return self.stack_dir(stack) / f"terraform.{stack}.tfstate"

    def state(self, stack: str) -> dict | None:
        """The stack's Terraform state, None when there is none yet; StateDamaged when the file is
        missing, empty or unreadable although the journal says the stack was applied (planning
        it as new would create every object a second time)."""
        path = self.state_path(stack)
        record = read_applied(self.state_dir).get(stack)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = None
        except (OSError, UnicodeDecodeError) as err:
            raise StateDamaged(stack, path, f"cannot be read ({type(err).__name__})", self.journal_path) from None
        if text is None or not text.strip():
            if record or _resources(path.with_name(path.name + ".backup")):
                raise StateDamaged(stack, path, "is missing" if text is None else "is empty", self.journal_path)
            return None
        try:
            doc = json.loads(text)
        except ValueError:
            raise StateDamaged(stack, path, "is not valid JSON (truncated or half-written)", self.journal_path) from None
        if not isinstance(doc, dict) or "version" not in doc or not isinstance(doc.get("resources", []), list):
            raise StateDamaged(stack, path, "is not a Terraform state file", self.journal_path)
        if record and record.get("lineage") and doc.get("lineage") != record["lineage"] and not doc.get("resources"):
            raise StateDamaged(stack, path, f"is an empty state of another lineage ({doc.get('lineage')}, the journal "
                                            f"recorded {record['lineage']})", self.journal_path)
        return doc

    @property
    def journal_path(self) -> Path:
        return self.state_dir / "journal.json"

    def is_applied(self, stack: str) -> bool:
        return bool((self.state(stack) or {}).get("resources"))


def _resources(path: Path) -> list:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return []
    return (doc.get("resources") or []) if isinstance(doc, dict) else []


class StateDamaged(RuntimeError):
    """A stack's state file cannot be trusted; never plan such a stack as new."""

    def __init__(self, stack: str, path: Path, problem: str, journal: Path):
        self.stack, self.path = stack, path
        backup = path.with_name(path.name + ".backup")
        steps = []
        if _resources(backup):
            steps.append(f"restore Terraform's previous copy: cp {backup} {path}")
        steps.append(f"or push a good copy: terraform -chdir={path.parent} state push <file>")
        steps.append(f"if the stack's cloud objects are really gone, remove \"{stack}\" under \"applied\" in {journal}")
        super().__init__(f"stack {stack}: state file {path} {problem}, but the stack was applied; refusing to plan it "
                         f"as new (that would create its objects twice). To continue: " + "; ".join(steps))


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


def synth_needed(topology: Topology, ws: Workspace) -> bool:
    stamp = ws.outdir / INPUTS_STAMP
    present = all((ws.stack_dir(s) / "cdk.tf.json").exists() for s in STACK_ORDER)
    try:
        return not (present and stamp.read_text() == inputs_hash(topology))
    except OSError:
        return True


def prepare_stacks(topology: Topology, ws: Workspace, report: Reporter) -> bool:
    """Synthesize into the workspace unless the inputs are unchanged. Returns whether it synthesized."""
    stamp = ws.outdir / INPUTS_STAMP
    if not synth_needed(topology, ws):
        report.event("synth", "skipped", "inputs unchanged since the last synth")
        return False
    wanted = inputs_hash(topology)
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
    # Local runs: at most one Terraform start-up (init and plan, CPU-bound) per core at a time, so
    # the stacks that start first (LONGEST_FIRST) plan at full speed instead of sharing the cores
    # with every stack that became ready with them; applies (waits on the cloud) are not limited.
    startups: OrderedSlots = field(default_factory=lambda: OrderedSlots(max(2, os.cpu_count() or 2)))

    @contextmanager
    def plan_file(self, name: str = "tfplan"):
        """A path for a saved plan, in a private (0700) directory removed after use: plan files
        embed variable values and state, the IPsec pre-shared key among them."""
        self.ws.state_dir.mkdir(parents=True, exist_ok=True)
        private = Path(tempfile.mkdtemp(prefix=f"{PLAN_DIR_PREFIX}{os.getpid()}-", dir=self.ws.state_dir.resolve()))  # terraform runs in the stack dir
        try:
            yield private / name
        finally:
            shutil.rmtree(private, ignore_errors=True)

    def terraform(self, stack: str) -> Terraform:
        return Terraform(stack, self.ws.stack_dir(stack), self.target.env, self.ws.logdir(self.run_id), self.target.secrets)

    def init(self, tf: Terraform) -> None:
        if tf.stack in self.initialized:  # nothing it installs changes while this process runs
            return
        if self.target.before_init is not None:
            self.target.before_init(tf.workdir)
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
        if not self.runs_locally:
            self.report.event(stack, "init")
            self.init(tf)
            self.report.event(stack, "plan")
            with self.plan_file() as planfile:
                code = tf.run("plan", "-input=false", f"-out={planfile}", "-detailed-exitcode", ok_codes=(0, 2)).returncode
                if code == 0:
                    self.report.event(stack, "unchanged", "no changes")
                    return False
                summary = plan_summary(tf.json("show", "-json", str(planfile)))
                self.report.event(stack, "apply", summary.short())
                tf.run("apply", "-input=false", "-auto-approve", str(planfile))
            self.report.event(stack, "applied", summary.short())
            return True
        with _Held(self.startups, stack) as startup:
            self.report.event(stack, "init")
            self.init(tf)
            self.report.event(stack, "plan")
            planned = PlanStream()
            if not self.ws.is_applied(stack):
                def on_message(msg: dict) -> None:
                    if planned(msg):
                        startup.release()
                        if not planned.summary.empty:
                            self.report.event(stack, "apply", planned.summary.short())

                tf.run("apply", "-input=false", "-auto-approve", on_message=on_message)
                if not planned.changed:
                    self.report.event(stack, "unchanged", "no changes")
                    return False
            else:
                with self.plan_file() as planfile:
                    code = tf.run("plan", "-input=false", f"-out={planfile}", "-detailed-exitcode",
                                  ok_codes=(0, 2), on_message=planned).returncode
                    startup.release()
                    if code == 0:
                        self.report.event(stack, "unchanged", "no changes")
                        return False
                    self.report.event(stack, "apply", planned.summary.short())
                    tf.run("apply", "-input=false", "-auto-approve", str(planfile))
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
        if not (self.ws.stack_dir(stack) / "cdk.tf.json").is_file():
            raise NotDeployed(stack, self.ws.stack_dir(stack))
        tf = self.terraform(stack)
        self.init(tf)
        with self.plan_file("refresh.tfplan") as planfile:
            tf.run("plan", "-refresh-only", "-lock=false", "-input=false", f"-out={planfile}")
            planned = tf.json("show", "-json", str(planfile))
        return {"values": (planned.get("prior_state") or {}).get("values") or {}}

    def fresh_outputs(self, stack: str) -> dict:
        """The stack's outputs recomputed from what the clouds say now — data sources read again,
        e.g. short-lived cluster credentials — without writing state or taking the lock."""
        tf = self.terraform(stack)
        self.init(tf)
        with self.plan_file("outputs.tfplan") as planfile:  # it holds the outputs, sensitive ones too
            tf.run("plan", "-refresh-only", "-lock=false", "-input=false", f"-out={planfile}")
            planned = tf.json("show", "-json", str(planfile))
        return {k: v.get("after") for k, v in (planned.get("output_changes") or {}).items()}

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
            self.forget_secrets(stack)
            self.report.event(stack, "skipped", "nothing to destroy")
            return
        self.report.event(stack, "init")
        self.init(tf)
        self.report.event(stack, "destroy")
        tf.run("destroy", "-input=false", "-auto-approve")
        self.forget_secrets(stack)
        self.report.event(stack, "destroyed")

    def forget_secrets(self, stack: str) -> None:
        """Once a stack is destroyed, remove what still holds its old state (the pre-shared key
        among it): Terraform's .backup of the state, plan files of older crosscloud versions."""
        state = self.ws.state_path(stack)
        for leftover in (state.with_name(state.name + ".backup"), state.parent / "tfplan", state.parent / "refresh.tfplan"):
            leftover.unlink(missing_ok=True)


@dataclass
class PlanSummary:
    changes: dict[str, list[str]] = field(default_factory=lambda: {"add": [], "change": [], "replace": [], "destroy": []})

    def short(self) -> str:
        return ", ".join(f"{len(v)} to {k}" for k, v in self.changes.items() if v) or "no changes"

    @property
    def empty(self) -> bool:
        return not any(self.changes.values())


class _Held:
    """A start-up slot released once: early by release(), or on leaving the block."""

    def __init__(self, slots: OrderedSlots, stack: str):
        self.slots, self.stack, self.held = slots, stack, False

    def __enter__(self) -> "_Held":
        self.slots.acquire(self.stack)
        self.held = True
        return self

    def release(self) -> None:
        if self.held:
            self.held = False
            self.slots.release()

    def __exit__(self, *exc) -> None:
        self.release()


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


def _start(runner: Runner, command: str, note: str | None) -> Journal:
    """Inside the lock: a fresh stop request, a journal, no plan files left by a killed run."""
    ws, report = runner.ws, runner.report
    STOP.clear()
    if note:
        report.warning(note)
    journal = Journal(ws.state_dir, command, runner.target.name)
    if journal.warning:
        report.warning(journal.warning)
    runner.run_id = journal.run_id
    for leftover in ws.state_dir.glob(PLAN_DIR_PREFIX + "*"):
        pid = leftover.name[len(PLAN_DIR_PREFIX):].split("-", 1)[0]
        if not (pid.isdigit() and _alive(int(pid))):  # a status may be running beside this run
            shutil.rmtree(leftover, ignore_errors=True)
    return journal


def _record(runner: Runner, journal: Journal, stack: str) -> None:
    """Note in the journal whether the stack now has objects (its state's lineage if so)."""
    try:
        state = runner.ws.state(stack)
    except StateDamaged:
        return
    if state and state.get("resources"):
        journal.mark_applied(stack, state.get("lineage"))
    else:
        journal.mark_destroyed(stack)


def _stopped(err: BaseException) -> bool:
    return isinstance(err, (KeyboardInterrupt, Interrupted)) or STOP.is_set()


def deploy(runner: Runner, command: str = "deploy", *, link_timeout: float = DEFAULT_LINK_TIMEOUT,
           after_link: dict[str, tuple[tuple[str, ...], StepHook]] | None = None) -> dict:
    """Apply every stack in order, wait for the link, then run `after_link` steps
    (name -> (needs, hook)). Returns {"changed": [stacks], "link": LinkState dict}."""
    ws, report = runner.ws, runner.report
    with run_lock(ws.state_dir, command) as note:
        journal = _start(runner, command, note)
        result: dict = {"changed": [], "link": None}
        try:
            prepare_stacks(runner.topology, ws, report)
            move_gke_state(runner, journal)  # state of the layout before the gke stack
            # insertion order = the order ready steps start in (run_graph)
            needs: dict[str, tuple[str, ...]] = {s: STACK_DEPENDENCIES[s] for s in LONGEST_FIRST}
            needs[LINK_STEP] = ("vpn",)
            hooks = dict(after_link or {})
            needs.update({name: deps for name, (deps, _) in hooks.items()})
            for stack in STACK_ORDER:  # refuse damaged state before anything runs
                ws.state(stack)

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
                    journal.step(step, "interrupted" if _stopped(err) else "failed", str(err))
                    raise
                finally:
                    if step in STACK_DEPENDENCIES:
                        runner.startups.forget(step)  # skipped, or failed before its start-up
                        _record(runner, journal, step)
                journal.step(step, "done")

            def queue_startup(step: str) -> None:  # stacks take start-up slots in LONGEST_FIRST order
                if step in STACK_DEPENDENCIES:
                    runner.startups.queue(step)

            run_graph(needs, work, workers=len(needs), on_interrupt=interrupt_all,  # a queued step would wait for a slot
                      on_start=queue_startup)
        except BaseException as err:
            if _stopped(err):
                journal.finish("interrupted", f"{type(err).__name__}: run the same command again to continue")
            else:
                journal.finish("failed", str(err))
            raise
        result["changed"].sort(key=lambda s: STACK_ORDER.index(s))
        journal.finish("succeeded", f"changed: {', '.join(result['changed']) or 'nothing'}")
    return result


def destroy(runner: Runner, *, before: StepHook | None = None, after: StepHook | None = None) -> None:
    ws = runner.ws
    with run_lock(ws.state_dir, "destroy") as note:
        journal = _start(runner, "destroy", note)
        try:
            move_gke_state(runner, journal)  # synthesized in the new layout, state in the old one
            for stack in STACK_ORDER:  # a damaged state would leave its objects orphaned
                ws.state(stack)
            if before:
                before(runner)
            # Reverse graph: a stack goes once everything that needs it is gone.
            dependents = {s: tuple(d for d in STACK_ORDER if s in STACK_DEPENDENCIES[d]) for s in STACK_ORDER}

            def work(stack: str) -> None:
                journal.step(stack, "running")
                try:
                    runner.destroy_stack(stack)
                except BaseException as err:
                    journal.step(stack, "interrupted" if _stopped(err) else "failed", str(err))
                    raise
                finally:
                    _record(runner, journal, stack)
                journal.step(stack, "destroyed")

            run_graph(dependents, work, workers=len(dependents), on_interrupt=interrupt_all)
            if after:
                after(runner)
        except BaseException as err:
            if _stopped(err):
                journal.finish("interrupted", f"{type(err).__name__}: run destroy again to continue")
            else:
                journal.finish("failed", str(err))
            raise
        journal.finish("succeeded")


def plan(runner: Runner) -> dict[str, dict]:
    """Plan every stack whose dependencies are applied; say why the others cannot be planned yet."""
    ws, report = runner.ws, runner.report
    prepare_stacks(runner.topology, ws, report)
    move_gke_state(runner, lock_for="plan")
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
        with runner.plan_file() as planfile:
            tf.run("plan", "-input=false", f"-out={planfile}", "-detailed-exitcode", ok_codes=(0, 2))
            summary = plan_summary(tf.json("show", "-json", str(planfile)))
        out[stack] = {"planned": True, **summary.changes}
        report.event(stack, "planned", summary.short())
    return out
