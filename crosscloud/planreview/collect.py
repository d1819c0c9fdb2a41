"""Each stack's plan JSON, then the Review built from them.

Local runs (and the sandbox): `terraform plan -out=<file>` then `terraform show -json <file>`;
the plan file holds variable values (the pre-shared key among them), so it is deleted as soon as
it has been read. Its `resource_drift` is what a refresh-only plan would report (the same
refresh), so drift needs no second run. Terraform Cloud: a speculative plan (no -out, so it can
never be applied) and the run's plan JSON from the API (see tfc.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..runner.deploy import Runner, prepare_stacks
from ..runner.graph import run_graph
from ..runner.migrate import move_gke_state
from ..stackgraph import STACK_DEPENDENCIES, STACK_ORDER
from .consequences import derive
from .effects import EVERY, Graph, predict
from .model import Masker, StackPlan, stack_plan
from .render import Review

PLAN_FILE = "review.tfplan"


def local_plan_json(runner: Runner, stack: str) -> dict:
    tf = runner.terraform(stack)
    runner.init(tf)
    plan_file = runner.ws.stack_dir(stack) / PLAN_FILE
    try:
        tf.run("plan", "-input=false", "-lock=false", f"-out={PLAN_FILE}", "-detailed-exitcode", ok_codes=(0, 2))
        return tf.json("show", "-json", PLAN_FILE)
    finally:
        plan_file.unlink(missing_ok=True)


def plan_jsons(runner: Runner) -> dict[str, dict | str]:
    """stack -> its plan JSON, or the reason it cannot be planned yet."""
    ws, report = runner.ws, runner.report
    out: dict[str, dict | str] = {}
    ready = []
    for stack in STACK_ORDER:
        # with Terraform Cloud the state is remote: every workspace is asked (an upstream one
        # that was never applied makes that plan fail with Terraform's own message)
        missing = [d for d in STACK_DEPENDENCIES[stack] if not ws.is_applied(d)] if runner.runs_locally else []
        if missing:
            out[stack] = f"needs {', '.join(missing)} applied first (its outputs feed this stack)"
            report.event(stack, "waiting", out[stack])
        else:
            ready.append(stack)
    if runner.runs_locally:
        fetch = lambda stack: local_plan_json(runner, stack)  # noqa: E731
    else:
        from .tfc import speculative_plan_json

        fetch = lambda stack: speculative_plan_json(runner, stack)  # noqa: E731

    def work(stack: str) -> None:
        report.event(stack, "plan")
        out[stack] = fetch(stack)
        report.event(stack, "planned")

    run_graph({s: () for s in ready}, work)  # plans change nothing: all at once
    return {s: out[s] for s in STACK_ORDER}


def build(target: str, plans: dict[str, dict | str], documents: dict[str, dict], secrets: list[str]) -> Review:
    """Plans + synthesized documents -> Review (pure: no terraform, no clouds)."""
    masker = Masker(secrets)
    stacks: list[StackPlan] = []
    for stack in STACK_ORDER:
        plan = plans.get(stack)
        if isinstance(plan, dict):
            stacks.append(stack_plan(stack, plan, masker, documents.get(stack)))
        else:
            stacks.append(StackPlan(stack, planned=False, reason=plan or "not planned"))
    changed = {(c.stack, c.address): ({EVERY} if c.kind in ("replace", "destroy", "add") else c.top_attrs)
               for s in stacks for c in s.changes}
    changed_outputs = {s.stack: set(s.outputs) for s in stacks}
    predicted, outputs_changing = predict(Graph(documents), changed, changed_outputs)
    changes = [c for s in stacks for c in s.changes]
    return Review(target, stacks, derive(changes, predicted, outputs_changing))


def synthesized_documents(runner: Runner) -> dict[str, dict]:
    docs = {}
    for stack in STACK_ORDER:
        path: Path = runner.ws.stack_dir(stack) / "cdk.tf.json"
        if path.exists():
            docs[stack] = json.loads(path.read_text())
    return docs


def review(runner: Runner) -> Review:
    """Synthesize (unless unchanged), plan every stack that can be planned, and build the Review."""
    prepare_stacks(runner.topology, runner.ws, runner.report)
    move_gke_state(runner, lock_for="plan")  # state of the layout before the gke stack
    plans = plan_jsons(runner)
    return build(runner.target.name, plans, synthesized_documents(runner), list(runner.target.secrets))
