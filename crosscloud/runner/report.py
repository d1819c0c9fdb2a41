"""Progress on the terminal: one line per event, with the step, the phase and elapsed time."""

from __future__ import annotations

import sys
import threading
import time

import click


class Reporter:
    def __init__(self, *, quiet: bool = False, stream=None):
        self.start = time.monotonic()
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()

    def _line(self, text: str, **style) -> None:
        if self.quiet:
            return
        with self._lock:
            try:
                click.secho(f"{time.monotonic() - self.start:7.1f}s  {text}", file=self.stream, **style)
            except OSError:  # the reader went away (`| head`): progress is not worth stopping a run for
                self.quiet = True

    def event(self, step: str, phase: str, message: str = "") -> None:
        self._line(f"{step:<10} {phase:<10} {message}".rstrip())

    def success(self, message: str) -> None:
        self._line(message, fg="green")

    def warning(self, message: str) -> None:
        self._line(message, fg="yellow")

    def failure(self, message: str) -> None:
        self._line(message, fg="red")
