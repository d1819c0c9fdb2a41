#!/usr/bin/env python3
"""Run one command; print its wall time and the peak memory of its whole process tree.

    python bench/measure.py [--json] -- CMD ARG...

Peak memory is the sum, over every process of the tree (here: Python and its node child), of that
process's own peak RSS (VmHWM in /proc/<pid>/status, a kernel-kept high-water mark, so sampling
every few milliseconds loses nothing but what a process adds in its last interval). That is the
"Python + node" figure; `/usr/bin/time -v` reports only the largest single process. Stdlib only,
Linux only. The command's stdout/stderr go to /dev/null unless --show-output.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _hwm_kib(pid: int) -> tuple[str, int] | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            name, hwm = "?", None
            for line in fh:
                if line.startswith("Name:"):
                    name = line.split(None, 1)[1].strip()
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                    break
        return (name, hwm) if hwm is not None else None
    except OSError:
        return None


def measure(cmd: list[str], *, interval: float = 0.005, show_output: bool = False, env: dict | None = None) -> dict:
    peaks: dict[int, tuple[str, int]] = {}
    done = threading.Event()
    sink = None if show_output else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, env=env)

    def sample() -> None:
        while not done.is_set():
            stack = [proc.pid]
            while stack:
                pid = stack.pop()
                got = _hwm_kib(pid)
                if got is not None and got[1] > peaks.get(pid, ("", -1))[1]:
                    peaks[pid] = got
                stack += _children(pid)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # (ru_maxrss of wait4 is the largest single process of the tree, not the main one: not used.)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    by_name: dict[str, int] = {}
    for name, kib in peaks.values():
        by_name[name] = by_name.get(name, 0) + kib
    return {
        "wall_s": round(wall, 4),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),  # main process + the children it waited for
        "peak_mib": round(sum(k for _, k in peaks.values()) / 1024, 1),
        "peak_mib_by_process": {n: round(k / 1024, 1) for n, k in sorted(by_name.items())},
        "exit": proc.returncode,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-output", action="store_true")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command")
    result = measure(cmd, show_output=args.show_output)
    if args.json:
        print(json.dumps(result))
    else:
        procs = ", ".join(f"{n} {m}" for n, m in result["peak_mib_by_process"].items())
        print(f"wall {result['wall_s']:.3f} s  peak {result['peak_mib']:.1f} MiB ({procs})  exit {result['exit']}")
    return 0 if result["exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
