"""The twin as a background service: `crosscloud sandbox up|down|status`.

One process serves the Kubernetes API of every sandbox cluster and the Alibaba OpenAPI emulation
on 127.0.0.1, at the ports fixed in services.json, until SIGTERM. Its controllers reconcile on
their own (the API server's ticker), as the clouds' do. All state is in the SQLite files, so a
restart — even after a kill -9 — picks up where the last one stopped. The pid file is written
once both ports listen and removed on a clean exit; a pid file whose process is gone is stale.

    python -m crosscloud.sandbox.daemon SANDBOX_DIR      # what `sandbox up` starts, detached
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import services

PID_FILE = "daemon.pid"
LOG_FILE = "daemon.log"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
# What each port emulates, for `sandbox status`.
EMULATES = {
    "kube": "Kubernetes API of every sandbox cluster (ACK One hub, ASK, GKE) under /clusters/<key>",
    "openapi": "Alibaba Cloud OpenAPI: Container Service (CS, ROA) and ACK One (ADCP 2022-01-01, RPC)",
}


class DaemonError(RuntimeError):
    pass


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    ports: dict[str, int]
    stale: bool = False            # a pid file was left by a process that is gone

    def endpoints(self) -> dict[str, str]:
        return {"kube": f"https://127.0.0.1:{self.ports['kube']}", "openapi": f"127.0.0.1:{self.ports['openapi']}"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():           # a reused pid is not our daemon
        try:
            return b"crosscloud.sandbox.daemon" in cmdline.read_bytes()
        except OSError:
            return False
    return True


def _read_pid(sandbox_dir: Path) -> int | None:
    try:
        return int(json.loads((sandbox_dir / PID_FILE).read_text())["pid"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def status(sandbox_dir: Path | str) -> Status:
    sandbox_dir = Path(sandbox_dir)
    pid = _read_pid(sandbox_dir)
    p = services.ports(sandbox_dir)
    if pid is not None and _alive(pid):
        return Status(True, pid, p)
    return Status(False, None, p, stale=pid is not None)


def up(sandbox_dir: Path | str) -> tuple[Status, bool]:
    """Start the service unless it runs; (status, whether this call started it)."""
    sandbox_dir = Path(sandbox_dir)
    st = status(sandbox_dir)
    if st.running:
        return st, False
    (sandbox_dir / PID_FILE).unlink(missing_ok=True)
    taken = [f"{name} {port}" for name, port in st.ports.items() if services.listening(port)]
    if taken:
        raise DaemonError(f"cannot start the sandbox service: port(s) {', '.join(taken)} of {sandbox_dir / services.SERVICES_FILE} "
                          "are in use by another process (a crosscloud command serving them itself, or something else)")
    code_root = str(Path(__file__).resolve().parents[2])     # the daemon runs this very code
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [code_root, os.environ.get("PYTHONPATH")])))
    with open(sandbox_dir / LOG_FILE, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "crosscloud.sandbox.daemon", str(sandbox_dir.resolve())],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True,
                                close_fds=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DaemonError(f"the sandbox service exited with code {proc.returncode} while starting; "
                              f"see {sandbox_dir / LOG_FILE}:\n{_tail(sandbox_dir / LOG_FILE)}")
        if _read_pid(sandbox_dir) == proc.pid:
            return status(sandbox_dir), True
        time.sleep(0.05)
    proc.terminate()
    raise DaemonError(f"the sandbox service did not come up within {START_TIMEOUT:.0f}s; see {sandbox_dir / LOG_FILE}")


def down(sandbox_dir: Path | str) -> int | None:
    """Stop the service (SIGTERM, then wait); the pid it stopped, or None if it was not running."""
    sandbox_dir = Path(sandbox_dir)
    st = status(sandbox_dir)
    if not st.running:
        (sandbox_dir / PID_FILE).unlink(missing_ok=True)
        return None
    os.kill(st.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if not _alive(st.pid):
            (sandbox_dir / PID_FILE).unlink(missing_ok=True)
            return st.pid
        time.sleep(0.05)
    raise DaemonError(f"the sandbox service (pid {st.pid}) did not stop within {STOP_TIMEOUT:.0f}s of SIGTERM")


def status_json(st: Status) -> dict:
    ep = st.endpoints()
    return {"running": st.running, "pid": st.pid,
            "endpoints": {name: {"url": ep[name], "emulates": EMULATES[name]} for name in EMULATES}}


def status_text(sandbox_dir: Path | str, st: Status) -> str:
    head = (f"sandbox service: running (pid {st.pid}), {sandbox_dir}\n" if st.running else
            f"sandbox service: not running{' (stale pid file)' if st.stale else ''}; start it with crosscloud sandbox up\n")
    ep = st.endpoints()
    rows = "".join(f"  {ep[name]:<24}  {what}\n" for name, what in EMULATES.items())
    tail = ("  kubectl: crosscloud sandbox kubeconfig --merge; SDKs: eval \"$(crosscloud sandbox env)\"\n"
            if st.running else "")
    return head + rows + tail


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def serve(sandbox_dir: Path) -> None:
    """The daemon's body: serve both APIs until SIGTERM/SIGINT, then stop them cleanly."""
    from .sandbox import Sandbox

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sandbox = Sandbox(sandbox_dir).ensure()
    with services.running(sandbox) as ep:
        if not ep.served_here:
            raise DaemonError("another process already serves this sandbox's ports")
        pid_file = sandbox_dir / PID_FILE
        tmp = pid_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "ports": services.ports(sandbox_dir),
                                   "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}))
        tmp.replace(pid_file)
        print(f"serving {ep.kube_url} (kubernetes) and {ep.openapi} (alibaba openapi), pid {os.getpid()}", flush=True)
        stop.wait()
    if _read_pid(sandbox_dir) == os.getpid():
        (sandbox_dir / PID_FILE).unlink(missing_ok=True)
    print("stopped", flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
