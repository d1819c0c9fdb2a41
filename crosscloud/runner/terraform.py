"""Running the terraform binary in one stack directory: logs to files, secrets scrubbed,
errors turned into a short summary (stack, resource address, Terraform's own message)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .interrupt import STOP, Interrupted  # noqa: F401  (Interrupted: re-exported for callers)


class TerraformError(RuntimeError):
    def __init__(self, stack: str, command: str, summary: str, log: Path | None):
        self.stack, self.command, self.summary, self.log = stack, command, summary, log
        where = f" (full log: {log})" if log else ""
        super().__init__(f"stack {stack}: terraform {command} failed: {summary}{where}")


@dataclass
class Result:
    returncode: int
    stdout: str


# Every terraform process started by this crosscloud process, so Ctrl-C can be forwarded.
_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def interrupt_all() -> None:
    """Ask every running terraform to stop gracefully, once (it tells its providers to stop,
    lets in-flight calls finish and saves state; a second SIGINT would make it abandon them).
    Sets the run's stop request, so no further terraform starts."""
    with _RUNNING_LOCK:
        if STOP.is_set():
            return
        STOP.set()
        for proc in _RUNNING:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)


# Terraform's Go runtime collects at GOGC=100 by default; crosscloud's terraform processes are short
# and their heaps small (stacks of tens of resources), so collecting a quarter as often saves 10-20 %
# of their CPU (bench/README.md, "Suite"), and the soft limit bounds a large state's heap. A user's
# own GOGC/GOMEMLIMIT wins.
GO_RUNTIME_DEFAULTS = {"GOGC": "400", "GOMEMLIMIT": "2GiB"}


def terraform_binary() -> str:
    from .tools import require_terraform

    return require_terraform()


class Terraform:
    """terraform in `workdir`, with `env` added to the environment and output logged under `logdir`."""

    def __init__(self, stack: str, workdir: Path, env: dict[str, str], logdir: Path, secrets: Sequence[str] = ()):
        self.stack, self.workdir, self.logdir = stack, workdir, logdir
        self.env = {**GO_RUNTIME_DEFAULTS, **os.environ, **env, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
        self.secrets = [s for s in secrets if s]

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def run(self, *args: str, check: bool = True, ok_codes: Sequence[int] = (0,),
            on_message: Callable[[dict], None] | None = None) -> Result:
        """Run terraform; with `on_message`, add -json and call it (in this thread) with every
        machine-readable UI message as it arrives, secrets scrubbed."""
        command = args[0]
        self.logdir.mkdir(parents=True, exist_ok=True)
        log = self.logdir / f"{self.stack}.log"
        argv = [terraform_binary(), *args, *(["-json"] if on_message else []), "-no-color"]
        with _RUNNING_LOCK:
            if STOP.is_set():  # the run is stopping: start nothing new
                raise Interrupted(f"stack {self.stack}: terraform {command} not started (interrupted)")
            proc = subprocess.Popen(argv, cwd=self.workdir, env=self.env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    start_new_session=True)  # Ctrl-C reaches terraform through us, once
            _RUNNING.add(proc)
        try:
            if on_message is None:
                out, err = proc.communicate()
            else:
                out, err = self._stream(proc, on_message)
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(proc)
        out, err = self.scrub(out), self.scrub(err)
        with log.open("a", encoding="utf-8") as fh:
            shown = " ".join(argv[1:-1])
            fh.write(f"\n$ terraform {shown}  (exit {proc.returncode})\n{readable(out) if on_message else out}{err}")
        if check and proc.returncode not in ok_codes:
            if proc.returncode in (-signal.SIGINT, 130) or "Interrupt received" in out + err or STOP.is_set():
                raise Interrupted(f"stack {self.stack}: terraform {command} was interrupted")
            raise TerraformError(self.stack, command, error_summary(out, err), log)
        return Result(proc.returncode, out)

    def _stream(self, proc: subprocess.Popen, on_message: Callable[[dict], None]) -> tuple[str, str]:
        errs: list[str] = []
        reader = threading.Thread(target=lambda: errs.append(proc.stderr.read()), daemon=True)
        reader.start()
        lines: list[str] = []
        failed: BaseException | None = None
        for line in proc.stdout:  # read to the end even if a callback fails: terraform must not block
            lines.append(line)
            if failed is None and line.startswith("{"):
                try:
                    msg = json.loads(self.scrub(line))
                except ValueError:
                    continue
                try:
                    on_message(msg)
                except Exception as err:  # noqa: BLE001  (re-raised once terraform has exited)
                    failed = err
        proc.wait()
        reader.join()
        if failed is not None:
            raise failed
        return "".join(lines), "".join(errs)

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args).stdout or "{}")


def readable(stdout: str) -> str:
    """-json output as the log shows it: each message's text (diagnostics with their detail)."""
    out = []
    for line in stdout.splitlines():
        try:
            msg = json.loads(line) if line.startswith("{") else None
        except ValueError:
            msg = None
        if not isinstance(msg, dict) or "@message" not in msg:
            out.append(line)
            continue
        out.append(msg["@message"])
        diag = msg.get("diagnostic") or {}
        if diag.get("address"):
            out.append(f"  with {diag['address']}")
        if diag.get("detail"):
            out.extend("  " + d for d in diag["detail"].splitlines())
        for name, o in (msg.get("outputs") or {}).items() if msg.get("type") == "outputs" else ():
            if "action" in o:  # planned
                out.append(f"  {name}: {o['action']}")
            else:
                out.append(f"  {name} = {'(sensitive value)' if o.get('sensitive') else json.dumps(o.get('value'))}")
    return "\n".join(out) + ("\n" if out else "")


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
