#!/usr/bin/env python3
"""Deploy wall time against the critical path of the resource graph, in the sandbox.

    .venv/bin/python bench/deploy.py [--scale S] [--runs N] [-c examples/seed.yaml] [--json FILE]

1. Synthesizes the stacks once (timed and reported on its own; every run starts from a copy of
   that output, so `deploy` skips synth and measures Terraform and the waits only).
2. Builds the resource graph from the synthesized JSON: one node per resource and data source of
   every stack; edges from `${type.name...}` / `${data.type.name...}` references and `depends_on`
   inside a stack, and across stacks from `terraform_remote_state` outputs (each
   `cross-stack-output-...` is mapped back to the resource the producing stack's output names);
   plus a `vpn-link` node after the Alibaba IPsec connection and the GCP tunnels, weighted with the
   sandbox's IPsec negotiation time. Resources weigh their *create* latency from
   `crosscloud.sandbox.semantics.LATENCY_MINUTES` (the table the sandbox sleeps by); data sources
   and remote state weigh nothing.
3. Prints the critical path (longest weighted chain), its length, the sum of all latencies and
   the bound a runner that applies whole stacks one after another could reach (no overheads).
4. Runs `crosscloud deploy --skip-fleet-phase` N times, each in a fresh temporary state dir (own
   sandbox) with CROSSCLOUD_SANDBOX_LATENCY=S, and destroys after each run (at latency 0: not
   measured). Prints every run's wall time and timeline, the median, and the ratios
   wall / critical path and wall / sum.

Latencies are in the sandbox's unit, real minutes; at scale S one minute sleeps S seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crosscloud.sandbox.semantics import (  # noqa: E402  (one source of truth: the sandbox's own table)
    DEFAULT_LATENCY_MINUTES, IPSEC_NEGOTIATION_MINUTES, LATENCY_MINUTES, side_effect_minutes)
from crosscloud.stackgraph import STACK_DEPENDENCIES, STACK_ORDER  # noqa: E402

DEFAULT_SCALE = 5.0  # seconds of sandbox time per real minute: the seed deploy then takes ~1 min
LINK_NODE = "vpn-link"
LINK_AFTER = ("alicloud_vpn_connection", "google_compute_vpn_tunnel")
REMOTE_STATE = "terraform_remote_state"
CROSS_OUTPUT = "cross-stack-output-"

_INTERP = re.compile(r"\$\{([^}]*)\}")
_TRAVERSAL = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+)+")


# ------------------------------------------------------------------------------------ graph
@dataclass
class Node:
    name: str  # "<stack>/<type>.<name>", "<stack>/data.<type>.<name>" or "vpn-link"
    weight: float  # minutes
    deps: set[str] = field(default_factory=set)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k != "//":  # cdktf metadata
                yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _traversals(value) -> list[str]:
    return [t for s in _strings(value) for expr in _INTERP.findall(s) for t in _TRAVERSAL.findall(expr)]


def create_minutes(type_name: str, body: dict | None = None) -> float:
    """The table's create figure plus its side effects (e.g. the hub's post-create wait)."""
    return LATENCY_MINUTES.get(type_name, DEFAULT_LATENCY_MINUTES)[0] + side_effect_minutes(type_name, "create", body or {})


def build_graph(stacks_dir: Path) -> dict[str, Node]:
    docs = {s: json.loads((stacks_dir / s / "cdk.tf.json").read_text()) for s in STACK_ORDER}
    nodes: dict[str, Node] = {}

    def remote_stack(stack: str, name: str) -> str:
        cfg = docs[stack]["data"][REMOTE_STATE][name].get("config") or {}
        path = Path(cfg.get("path", ""))  # local backend: ../<stack>/terraform.<stack>.tfstate
        found = path.parent.name
        if found not in docs:
            raise SystemExit(f"{stack}: remote state {name} points at {path}, not at a known stack")
        return found

    def resolve(stack: str, traversal: str) -> str | None:
        parts = traversal.split(".")
        doc = docs[stack]
        if parts[0] == "data" and len(parts) >= 3:
            if parts[1] == REMOTE_STATE:
                if len(parts) >= 5 and parts[3] == "outputs" and parts[4].startswith(CROSS_OUTPUT):
                    producer = remote_stack(stack, parts[2])
                    value = docs[producer]["output"][parts[4]]["value"]
                    refs = [r for t in _traversals(value) if (r := resolve(producer, t))]
                    if len(refs) != 1:
                        raise SystemExit(f"{producer}: output {parts[4]} names {refs}, expected one resource")
                    return refs[0]
                return None  # a plain output of another stack: not used by the synthesized stacks
            if parts[1] in doc.get("data", {}):
                return f"{stack}/data.{parts[1]}.{parts[2]}"
            return None
        if parts[0] in doc.get("resource", {}) and len(parts) >= 2:
            return f"{stack}/{parts[0]}.{parts[1]}"
        return None  # var., local., terraform., each., count., self.

    for stack, doc in docs.items():
        for kind, blocks in (("resource", doc.get("resource", {})), ("data", doc.get("data", {}))):
            for type_name, objs in blocks.items():
                if kind == "data" and type_name == REMOTE_STATE:
                    continue  # a read of a state file: the edges go straight to the producer
                for obj_name, body in objs.items():
                    key = f"{stack}/{type_name}.{obj_name}" if kind == "resource" else f"{stack}/data.{type_name}.{obj_name}"
                    weight = create_minutes(type_name, body) if kind == "resource" else 0.0
                    node = nodes[key] = Node(key, weight)
                    for t in _traversals(body):
                        ref = resolve(stack, t)
                        if ref and ref != key:
                            node.deps.add(ref)
                    for dep in body.get("depends_on", []):
                        ref = resolve(stack, dep.removeprefix("${").removesuffix("}"))
                        if ref:
                            node.deps.add(ref)
    link_deps = {k for k in nodes if k.split("/", 1)[1].split(".")[0] in LINK_AFTER}
    if link_deps:
        nodes[LINK_NODE] = Node(LINK_NODE, IPSEC_NEGOTIATION_MINUTES, link_deps)
    missing = {d for n in nodes.values() for d in n.deps} - set(nodes)
    if missing:
        raise SystemExit(f"references to unknown nodes: {sorted(missing)}")
    return nodes


def critical_path(nodes: dict[str, Node]) -> tuple[float, list[str]]:
    """The longest weighted chain (its length in minutes, its nodes in order)."""
    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}

    def visit(name: str, seen: tuple[str, ...] = ()) -> float:
        if name in finish:
            return finish[name]
        if name in seen:
            raise SystemExit(f"cycle through {name}")
        node = nodes[name]
        best, before = 0.0, None
        for d in sorted(node.deps):
            f = visit(d, seen + (name,))
            if f > best:
                best, before = f, d
        finish[name], via[name] = best + node.weight, before
        return finish[name]

    end = max(sorted(nodes), key=visit)
    chain, at = [], end
    while at is not None:
        chain.append(at)
        at = via[at]
    return finish[end], chain[::-1]


def stack_bound(nodes: dict[str, Node]) -> tuple[float, dict[str, float]]:
    """What a runner that applies whole stacks (each once all the stacks it needs are done) reaches
    with zero overhead: a stack takes its own internal critical path; the link waits after vpn."""
    own: dict[str, float] = {}
    for stack in STACK_ORDER:
        inner = {k: Node(k, n.weight, {d for d in n.deps if d.startswith(stack + "/")})
                 for k, n in nodes.items() if k.startswith(stack + "/")}
        own[stack] = critical_path(inner)[0] if inner else 0.0
    end: dict[str, float] = {}
    for stack in STACK_ORDER:
        end[stack] = own[stack] + max((end[d] for d in STACK_DEPENDENCIES[stack]), default=0.0)
    if LINK_NODE in nodes:
        end[LINK_NODE] = end["vpn"] + nodes[LINK_NODE].weight  # the SAs may come up during the apply: an upper bound
    return max(end.values()), end


# ------------------------------------------------------------------------------------ runs
def crosscloud(state_dir: Path, *args: str, scale: float) -> tuple[float, subprocess.CompletedProcess]:
    env = dict(os.environ, CROSSCLOUD_SANDBOX_LATENCY=f"{scale:g}", CHECKPOINT_DISABLE="1",
               JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    env.pop("TF_CLI_CONFIG_FILE", None)
    argv = [sys.executable, "-m", "crosscloud.cli.main_entry", "--state-dir", str(state_dir), *args]
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, proc


def presynth(config: str, into: Path) -> float:
    from crosscloud.config import load_topology
    from crosscloud.runner.deploy import Workspace, prepare_stacks
    from crosscloud.runner.report import Reporter

    t0 = time.perf_counter()
    prepare_stacks(load_topology(config), Workspace(into), Reporter(quiet=True))
    return time.perf_counter() - t0


_EVENT = re.compile(r"^\s*(\d+\.\d)s\s+(\S+)\s+(\S+)")


def timeline(stderr: str) -> list[tuple[float, str, str]]:
    return [(float(m[1]), m[2], m[3]) for line in stderr.splitlines() if (m := _EVENT.match(line))]


def one_run(config: str, template: Path, scale: float, keep: bool) -> dict:
    state = Path(tempfile.mkdtemp(prefix="crosscloud-bench-"))
    try:
        shutil.copytree(template / "out", state / "out")
        wall, proc = crosscloud(state, "deploy", "-c", config, "--skip-fleet-phase", scale=scale)
        if proc.returncode != 0:
            raise SystemExit(f"deploy failed (state dir {state}):\n{proc.stderr}")
        if "synth      skipped" not in proc.stderr:
            raise SystemExit("deploy synthesized: the pre-synthesized output was not reused\n" + proc.stderr)
        _, gone = crosscloud(state, "destroy", "-c", config, scale=0)
        if gone.returncode != 0:
            raise SystemExit(f"destroy failed (state dir {state}):\n{gone.stderr}")
        _, ls = crosscloud(state, "sandbox", "ls", "--json", scale=0)
        left = json.loads(ls.stdout or "[]")
        if left:
            raise SystemExit(f"destroy left {len(left)} objects in {state}/sandbox")
        return {"wall": wall, "timeline": timeline(proc.stderr), "stderr": proc.stderr}
    finally:
        crosscloud(state, "sandbox", "down", scale=0)  # destroy's fleet teardown started the background service
        if not keep:
            shutil.rmtree(state, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-c", "--config", default="examples/seed.yaml")
    ap.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                    help=f"CROSSCLOUD_SANDBOX_LATENCY: sandbox seconds per real minute (default {DEFAULT_SCALE:g})")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--graph-only", action="store_true", help="print the graph figures, run nothing")
    ap.add_argument("--timeline", action="store_true", help="print every run's event timeline")
    ap.add_argument("--keep", action="store_true", help="keep the temporary state dirs")
    ap.add_argument("--json", type=Path, help="write the figures and per-run data here")
    args = ap.parse_args()
    config = str(Path(args.config).resolve())

    template = Path(tempfile.mkdtemp(prefix="crosscloud-bench-synth-"))
    try:
        synth_s = presynth(config, template)
        nodes = build_graph(template / "out" / "stacks")
        cp, chain = critical_path(nodes)
        total = sum(n.weight for n in nodes.values())
        bound, ends = stack_bound(nodes)
        s = args.scale
        print(f"synth (once, not in the runs): {synth_s:.1f} s")
        print(f"graph: {sum(1 for k in nodes if '/data.' not in k and k != LINK_NODE)} resources, "
              f"{sum(1 for k in nodes if '/data.' in k)} data sources, {sum(len(n.deps) for n in nodes.values())} edges"
              f"{', + ' + LINK_NODE if LINK_NODE in nodes else ''}")
        print(f"critical path: {cp:.2f} min = {cp * s:.1f} s at scale {s:g}")
        for name in chain:
            print(f"    {nodes[name].weight:5.2f}  {name}")
        print(f"sum of all latencies: {total:.2f} min = {total * s:.1f} s")
        print(f"stack-at-a-time bound (zero overhead): {bound:.2f} min = {bound * s:.1f} s "
              f"({', '.join(f'{k} ends {v:.2f}' for k, v in ends.items())})")
        result = {"config": args.config, "scale": s, "synth_s": synth_s, "critical_path_min": cp, "chain": chain,
                  "sum_min": total, "stack_bound_min": bound, "runs": []}
        if not args.graph_only:
            for i in range(args.runs):
                run = one_run(config, template, s, args.keep)
                result["runs"].append({"wall": run["wall"], "timeline": run["timeline"]})
                print(f"run {i + 1}/{args.runs}: wall {run['wall']:.1f} s  "
                      f"(x{run['wall'] / (cp * s):.3f} critical path)" if cp * s else f"run {i + 1}: {run['wall']:.1f} s", flush=True)
                if args.timeline:
                    print("".join(f"      {line}\n" for line in run["stderr"].splitlines()), end="")
            walls = [r["wall"] for r in result["runs"]]
            med = statistics.median(walls)
            result.update(median_wall=med)
            print(f"\nscale {s:g} s/min, {len(walls)} runs: median wall {med:.1f} s "
                  f"(min {min(walls):.1f}, max {max(walls):.1f})")
            if cp * s:
                print(f"  critical path {cp * s:.1f} s   wall / critical path = {med / (cp * s):.3f}   "
                      f"(target <= 1.05: {'met' if med <= 1.05 * cp * s else 'NOT met'})")
                print(f"  sum           {total * s:.1f} s   wall / sum           = {med / (total * s):.3f}")
                print(f"  stack bound   {bound * s:.1f} s   wall / stack bound   = {med / (bound * s):.3f}")
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(template, ignore_errors=True)


if __name__ == "__main__":
    main()
