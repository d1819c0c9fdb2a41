"""The twin's wall clock: real time, shifted by CROSSCLOUD_SANDBOX_CLOCK_OFFSET seconds.

Things that expire in the clouds (cluster credentials valid for temporary_duration_minutes)
expire against this clock, so a test or a demo can run a command "three days later" without
waiting: CROSSCLOUD_SANDBOX_CLOCK_OFFSET=259260 crosscloud verify.
"""

from __future__ import annotations

import os
import time

CLOCK_OFFSET_ENV = "CROSSCLOUD_SANDBOX_CLOCK_OFFSET"


def now() -> float:
    try:
        offset = float(os.environ.get(CLOCK_OFFSET_ENV, "0") or 0)
    except ValueError:
        offset = 0.0
    return time.time() + offset
