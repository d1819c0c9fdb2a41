"""Helpers for tests that run the real ``terraform`` binary against a sandbox.

    sb = Sandbox(tmp_path / "sandbox").ensure()
    run_terraform(sb, workdir, "init")
    res = run_terraform(sb, workdir, "plan", "-detailed-exitcode", check=False)

Terraform runs in its own process group; on a timeout the whole group (Terraform and the
provider processes it started) is killed, so no process outlives a test.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .sandbox import Sandbox

NO_COLOR = {"init", "validate", "plan", "apply", "destroy", "output", "show", "refresh", "import",
            "state", "console", "graph", "providers", "test", "get"}


class TerraformError(RuntimeError):
    def __init__(self, args: tuple, result: "TerraformResult"):
        tail = "\n".join((result.stdout + "\n" + result.stderr).strip().splitlines()[-40:])
        super().__init__(f"terraform {' '.join(args)} exited {result.returncode}:\n{tail}")
        self.result = result


@dataclass
class TerraformResult:
    args: tuple
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def terraform_binary() -> str:
    found = shutil.which("terraform") or ("/usr/local/bin/terraform" if Path("/usr/local/bin/terraform").exists()
                                          else None)
    if not found:
        raise RuntimeError("terraform is not installed (expected on PATH or at /usr/local/bin/terraform); "
                           "the sandbox integration tests need Terraform >= 1.8")
    return found


def run_terraform(sandbox: Sandbox, workdir: Path | str, *args: str, check: bool = True,
                  timeout: float = 300, env: dict[str, str] | None = None) -> TerraformResult:
    """Run ``terraform <args>`` in ``workdir`` against ``sandbox`` (``-no-color`` added)."""
    cmd = [terraform_binary(), *args]
    if args and args[0] in NO_COLOR and "-no-color" not in args:
        cmd.insert(2, "-no-color")
    from ..runner.terraform import GO_RUNTIME_DEFAULTS  # noqa: PLC0415  (as crosscloud runs it)

    full_env = {**GO_RUNTIME_DEFAULTS, **os.environ, **sandbox.env(), **(env or {})}
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=workdir, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise TerraformError(tuple(args), TerraformResult(tuple(args), -9, out, err + "\n(timed out)",
                                                          time.monotonic() - start)) from None
    result = TerraformResult(tuple(args), proc.returncode, out, err, time.monotonic() - start)
    if check and proc.returncode != 0:
        raise TerraformError(tuple(args), result)
    return result


def planned(cloud, type_name: str, **config) -> dict:
    """The planned state Terraform would hand a sandbox provider for a new `type_name` with
    `config`, for tests that call :class:`~crosscloud.sandbox.cloud.Cloud` directly."""
    from . import semantics as sem  # noqa: PLC0415
    from . import tfschema  # noqa: PLC0415

    block = cloud.block(type_name)
    proposed = tfschema.normalise(block, config)
    plan = tfschema.plan_new(block, proposed, proposed, sem.GOOGLE_DEFAULTS.get(type_name),
                             sem.GOOGLE_COMPUTED_BLOCKS.get(type_name, set()))
    sem.plan_known(type_name, plan)
    return plan
