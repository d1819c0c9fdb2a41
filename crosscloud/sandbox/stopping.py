"""Terraform's StopProvider in the sandbox providers, as SDK-built providers answer it.

Terraform sends StopProvider on Ctrl-C and then waits for the calls in flight. An SDK provider
cancels its stop context: a create already accepted by the cloud stops waiting for the object to
become ready and returns its id with an error, so Terraform records the object (tainted) and the
next apply replaces it instead of failing with "already exists". Here the waits are the twin's
latency model; the same thing happens when they are cut short.
"""

from __future__ import annotations

import threading

STOP = threading.Event()


class CreateInterrupted(Exception):
    """A create the cloud accepted, cut short by StopProvider: `state` carries its id."""

    def __init__(self, type_name: str, state: dict):
        super().__init__(type_name)
        self.type_name, self.state = type_name, state


def wait(seconds: float) -> bool:
    """Sleep `seconds` of modelled cloud time; False if StopProvider cut it short."""
    return not STOP.wait(seconds) if seconds > 0 else not STOP.is_set()
