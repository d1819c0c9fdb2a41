#!/usr/bin/env python3
"""Where users wait: `status`, `status --json` and a no-op `deploy` against the first deploy.

    .venv/bin/python bench/speed.py [--runs N] [-c examples/seed.yaml] [--code DIR ...] [--suite] [--json FILE]

Each round, per code tree (`--code`, default this checkout; give two, e.g. `--code . --code
/work/main`, for paired before/after rounds): a fresh state dir (own sandbox) at
CROSSCLOUD_SANDBOX_LATENCY=0, then `deploy` (first), `status`, `status --json`, `deploy`
(no-op), `deploy` (no-op, again), then `destroy` (not measured). Prints each round, the medians,
and ratios as the median of per-round ratios (no-op / first deploy: the two ran back to back, so
machine load mostly cancels). `--suite` also times the suite as `make test` runs it, once per code tree (minutes).
The code tree is put first on PYTHONPATH, so the CLI and the sandbox providers run that code.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(argv: list[str], env: dict, cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[3:])} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return wall


def one_round(code: Path, config: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code), CROSSCLOUD_SANDBOX_LATENCY="0", CHECKPOINT_DISABLE="1",
               JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    env.pop("TF_CLI_CONFIG_FILE", None)
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        cc = [sys.executable, "-m", "crosscloud.cli.main_entry", "--state-dir", str(Path(tmp) / "state")]
        cfg = ["-c", str((ROOT / config).resolve())]
        r = {"first_deploy": timed([*cc, "deploy", *cfg], env, code),
             "status": timed([*cc, "status", *cfg], env, code),
             "status_json": timed([*cc, "status", *cfg, "--json"], env, code),
             "noop_deploy": timed([*cc, "deploy", *cfg], env, code),
             "noop_deploy_2": timed([*cc, "deploy", *cfg], env, code)}
        timed([*cc, "destroy", *cfg], env, code)
    r["noop_ratio"] = min(r["noop_deploy"], r["noop_deploy_2"]) / r["first_deploy"]
    return r


def suite(code: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(code), CHECKPOINT_DISABLE="1", JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    t0 = time.perf_counter()
    # what `make test` runs (Makefile), after its setup
    workers = str((os.cpu_count() or 1) + 1)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", workers, "--maxschedchunk", "1"],
                   env=env, cwd=code)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("-c", "--config", default="examples/seed.yaml")
    ap.add_argument("--code", action="append", type=Path, help="code tree(s) to measure; default: this checkout")
    ap.add_argument("--suite", action="store_true", help="also time the test suite once per code tree")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    codes = [c.resolve() for c in (args.code or [ROOT])]
    rounds: dict[str, list[dict]] = {str(c): [] for c in codes}
    for i in range(args.runs):
        for code in (codes if i % 2 == 0 else list(reversed(codes))):  # alternate who runs first
            r = one_round(code, args.config)
            rounds[str(code)].append(r)
            print(f"round {i + 1} {code}: " + "  ".join(f"{k} {v:.2f}" for k, v in r.items()), flush=True)
    print(f"\n{'code':<40} {'first deploy s':>15} {'status s':>9} {'--json s':>9} {'no-op s':>8} {'no-op/first':>12}")
    summary = {}
    for code, rs in rounds.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        summary[code] = med
        print(f"{code:<40} {med['first_deploy']:>15.2f} {med['status']:>9.2f} {med['status_json']:>9.2f} "
              f"{min(med['noop_deploy'], med['noop_deploy_2']):>8.2f} {med['noop_ratio']:>12.2f}")
    if args.suite:
        for code in codes:
            summary[str(code)]["suite"] = suite(code)
            print(f"suite {code}: {summary[str(code)]['suite']:.0f} s")
    print("\ntargets: status <= 2 s, no-op deploy <= 0.25 x the first deploy")
    if args.json:
        args.json.write_text(json.dumps({"rounds": rounds, "medians": summary}, indent=2))


if __name__ == "__main__":
    main()
