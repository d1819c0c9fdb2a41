"""Running the terraform binary in one stack directory: logs to files, secrets scrubbed,
errors turned into a short summary (stack, resource address, Terraform's own message)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


class TerraformError(RuntimeError):
    def __init__(self, stack: str, command: str, summary: str, log: Path | None):
        self.stack, self.command, self.summary, self.log = stack, command, summary, log
        where = f" (full log: {log})" if log else ""
        super().__init__(f"stack {stack}: terraform {command} failed: {summary}{where}")


class Interrupted(RuntimeError):
    pass


@dataclass
class Result:
    returncode: int
    stdout: str


# Every terraform process started by this crosscloud process, so Ctrl-C can be forwarded.
_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def interrupt_all() -> None:
    """Ask every running terraform to stop gracefully (it finishes in-flight calls, saves state)."""
    with _RUNNING_LOCK:
        for proc in _RUNNING:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if not found:
        raise RuntimeError("terraform (>= 1.5) is not on PATH; install it and try again")
    return found


class Terraform:
    """terraform in `workdir`, with `env` added to the environment and output logged under `logdir`."""

    def __init__(self, stack: str, workdir: Path, env: dict[str, str], logdir: Path, secrets: Sequence[str] = ()):
        self.stack, self.workdir, self.logdir = stack, workdir, logdir
        self.env = {**os.environ, **env, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
        self.secrets = [s for s in secrets if s]

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def run(self, *args: str, check: bool = True, ok_codes: Sequence[int] = (0,)) -> Result:
        command = args[0]
        self.logdir.mkdir(parents=True, exist_ok=True)
        log = self.logdir / f"{self.stack}.log"
        proc = subprocess.Popen([terraform_binary(), *args, "-no-color"], cwd=self.workdir, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)  # Ctrl-C reaches terraform through us, once
        with _RUNNING_LOCK:
            _RUNNING.add(proc)
        try:
            out, err = proc.communicate()
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(proc)
        out, err = self.scrub(out), self.scrub(err)
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"\n$ terraform {' '.join(args)}  (exit {proc.returncode})\n{out}{err}")
        if check and proc.returncode not in ok_codes:
            if proc.returncode in (-signal.SIGINT, 130) or "Interrupt received" in out + err:
                raise Interrupted(f"stack {self.stack}: terraform {command} was interrupted")
            raise TerraformError(self.stack, command, error_summary(out, err), log)
        return Result(proc.returncode, out)

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args).stdout or "{}")


def error_summary(stdout: str, stderr: str) -> str:
    """Terraform's first error: from -json diagnostics when present, else the 'Error:' lines."""
    for line in stdout.splitlines():
        if line.startswith("{"):
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("@level") == "error":
                diag = msg.get("diagnostic") or {}
                address = diag.get("address") or ""
                text = diag.get("summary") or msg.get("@message", "")
                detail = (diag.get("detail") or "").strip().splitlines()
                return f"{address + ': ' if address else ''}{text}" + (f" — {detail[0]}" if detail else "")
    lines = [l.strip(" │╷╵") for l in (stderr + "\n" + stdout).splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("Error:"):
            context = [l for l in lines[i + 1:i + 8] if l and not l.startswith("Error:")]
            address = next((l.split("with ", 1)[1].rstrip(",") for l in context if l.startswith("with ")), "")
            rest = next((l for l in context if not l.startswith(("with ", "on "))), "")
            return f"{address + ': ' if address else ''}{line[6:].strip()}" + (f" — {rest}" if rest else "")
    tail = [l for l in lines if l][-3:]
    return " / ".join(tail) or "no output"
