"""One stop request per run: Ctrl-C or SIGTERM sets it once; every wait and every terraform start
checks it, so running steps end promptly and nothing new starts."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

STOP = threading.Event()


class Interrupted(RuntimeError):
    pass


def sleep(seconds: float, what: str = "waiting") -> None:
    """time.sleep that ends early, raising Interrupted, once a stop is requested."""
    if STOP.wait(seconds):
        raise Interrupted(f"{what}: interrupted")


@contextmanager
def signals_deferred(note) -> Iterator[None]:
    """While the running steps stop, a further Ctrl-C/SIGTERM only prints `note` (a second
    signal must not abandon terraform children mid-write, nor release the lock under them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = lambda signum, frame: note()  # noqa: E731
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
