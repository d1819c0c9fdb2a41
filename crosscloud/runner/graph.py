"""Run named steps in dependency order, independent ones concurrently."""

from __future__ import annotations

import sys
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable, Mapping, Sequence


def run_graph(needs: Mapping[str, Sequence[str]], work: Callable[[str], None], *, workers: int = 4,
              on_interrupt: Callable[[], None] = lambda: None) -> None:
    """Call work(step) once every step it needs has finished. The first failure stops new steps
    from starting; running ones finish, then it is raised. Ctrl-C calls on_interrupt (to stop the
    running steps gracefully), waits for them, and re-raises."""
    unknown = {d for deps in needs.values() for d in deps} - set(needs)
    if unknown:
        raise ValueError(f"steps depend on unknown steps: {sorted(unknown)}")
    done: set[str] = set()
    running: dict[Future, str] = {}
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            while True:
                if failure is None:
                    for step in needs:
                        if step not in done and step not in running.values() and all(d in done for d in needs[step]):
                            running[pool.submit(work, step)] = step
                if not running:
                    break
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED, timeout=0.5)
                for future in finished:
                    step = running.pop(future)
                    if future.exception() is not None:
                        failure = failure or future.exception()
                    else:
                        done.add(step)
        except KeyboardInterrupt:
            from .interrupt import signals_deferred

            with signals_deferred(lambda: print("still stopping: waiting for the running steps to save their state",
                                                file=sys.stderr, flush=True)):
                on_interrupt()
                wait(list(running))
            raise
    if failure is not None:
        raise failure
    left = set(needs) - done
    if left:
        raise RuntimeError(f"steps never became ready (a cycle?): {sorted(left)}")
