"""Run named steps in dependency order, independent ones concurrently."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable, Mapping, Sequence


class OrderedSlots:
    """At most `n` holders at a time, and the slots go in the order steps were queued (run_graph's
    on_start queues them as they become ready, in its order), not in the order their threads
    happen to get there: the first `free` steps of the queue may take one. A queued step that
    ends without taking a slot must be forgotten, or the steps queued after it wait."""

    def __init__(self, n: int):
        self._cond = threading.Condition()
        self._free = n
        self._queue: list[str] = []

    def queue(self, step: str) -> None:
        with self._cond:
            self._queue.append(step)

    def forget(self, step: str) -> None:
        with self._cond:
            if step in self._queue:
                self._queue.remove(step)
                self._cond.notify_all()

    def acquire(self, step: str) -> None:
        with self._cond:
            if step not in self._queue:  # not queued by a scheduler: after those that were
                self._queue.append(step)
            self._cond.wait_for(lambda: self._queue.index(step) < self._free)
            self._queue.remove(step)
            self._free -= 1
            self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()


def run_graph(needs: Mapping[str, Sequence[str]], work: Callable[[str], None], *, workers: int = 4,
              on_interrupt: Callable[[], None] = lambda: None, on_start: Callable[[str], None] = lambda step: None) -> None:
    """Call work(step) once every step it needs has finished; ready steps start in the order of
    `needs` (on_start(step) just before, in this thread). The first failure stops new steps from
    starting; running ones finish, then it is raised. Ctrl-C calls on_interrupt (to stop the
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
                            on_start(step)
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
