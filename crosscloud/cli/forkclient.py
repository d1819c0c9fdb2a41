"""The `crosscloud` command's first step: hand the command to a warm fork server when one answers.

A command spends most of its CPU importing (click, pydantic, the Alibaba Cloud SDKs, the
kubernetes client: 0.3–0.8 s of a 0.4–1.8 s run). :mod:`.forkserver` imports all that once; this
client passes its stdin/stdout/stderr (SCM_RIGHTS), environment, working directory, umask and
arguments, and a forked child of the server runs the command exactly as this process would have.
This process forwards the signals a terminal or a supervisor sends it (Ctrl-C, SIGTERM, SIGHUP,
SIGQUIT) to the child's process group and exits with the child's exit status; if it is killed,
the child gets SIGTERM (the CLI stops terraform gracefully, as for `kill`).

With no server answering it starts one in the background for the next command and returns None:
the caller runs the command in this process. ``CROSSCLOUD_CLI_FORKSERVER=off`` means always so.
Only built-in modules and the fork servers' wire format (:mod:`crosscloud.forking`) are imported here.
"""

from __future__ import annotations

import _signal
import _socket
import os
import struct
import sys
import zlib

from ..forking import CODE_ROOT, FORKED, request_bytes

SOCKET_ENV = "CROSSCLOUD_CLI_FORKSERVER"  # another socket name, or "off": every command in its own process
FORWARDED = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT)
# What decides how an interpreter starts (stdio encoding and buffering, paths, hash seed): a
# server is shared only by clients that agree on all of it.
_SHAPING_PREFIXES = ("PYTHON", "LC_")


def _default_interpreter() -> bool:
    """No command-line or environment flags a forked child could not reproduce (-X, -O, -I, -W...)."""
    f = sys.flags
    return not (sys._xoptions or sys.warnoptions or f.optimize or f.isolated or f.ignore_environment or f.no_site
                or f.dev_mode or f.verbose or f.inspect or f.interactive or f.bytes_warning or f.safe_path)


def socket_name(env: dict[str, str] | None = None) -> str | None:
    """Abstract unix socket of the fork server for this user, interpreter, checkout and interpreter
    environment (None: run in this process)."""
    env = os.environ if env is None else env
    chosen = env.get(SOCKET_ENV, "")
    if chosen == "off" or not sys.platform.startswith("linux") or not _default_interpreter():
        return None
    if chosen:
        return "\0" + chosen
    shaping = sorted(f"{k}={v}" for k, v in env.items() if k.startswith(_SHAPING_PREFIXES) or k == "LANG")
    key = "\0".join([str(os.getuid()), sys.executable, CODE_ROOT, *shaping]).encode()
    return f"\0crosscloud-cli-{zlib.crc32(key):08x}{zlib.crc32(key[::-1]):08x}"


def start_server(name: str) -> None:
    """The server, detached, with only what shapes an interpreter from this environment (no
    credentials or keys: each child gets its client's whole environment instead)."""
    env = {k: v for k, v in os.environ.items() if k.startswith(_SHAPING_PREFIXES) or k in ("LANG", "PATH", "HOME")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [CODE_ROOT, env.get("PYTHONPATH")]))
    devnull = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    try:
        os.posix_spawn(sys.executable, [sys.executable, "-P", "-m", "crosscloud.cli.forkserver", name[1:]], env,
                       file_actions=devnull, setsid=True)
    except OSError:
        pass  # only the next command is slower


def _recv_exact(conn, size: int) -> bytes:
    """Up to `size` bytes: fewer when the other end closed (or reset) the connection first."""
    data = b""
    while len(data) < size:
        try:
            chunk = conn.recv(size - len(data))
        except InterruptedError:
            continue
        except OSError:  # e.g. ECONNRESET after a REFUSED: what arrived still counts
            break
        if not chunk:
            break
        data += chunk
    return data


def run(argv: list[str]) -> int | None:
    """Run the command `argv` (argv[0] the program) in a forked child of the server: its exit
    status, or None when no server took it (then run it here)."""
    name = socket_name()
    if name is None:
        return None
    child: list[int] = []
    pending: list[int] = []
    forwarded: list[int] = []

    def forward(signum, _frame) -> None:
        if not child:
            pending.append(signum)  # delivered as soon as the child is known
            return
        forwarded.append(signum)
        try:
            os.killpg(child[0], signum)
        except OSError:
            pass

    previous = {sig: _signal.signal(sig, forward) for sig in FORWARDED}
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    listening = False
    try:
        conn.connect(name)
        listening = True
        umask = os.umask(0o022)
        os.umask(umask)
        request = request_bytes([f"{umask:o}", *argv], dict(os.environ), os.getcwd())
        sent = conn.sendmsg([request], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, struct.pack("3i", 0, 1, 2))])
        conn.sendall(request[sent:])
        answer = _recv_exact(conn, 5)  # FORKED and the child's pid, or REFUSED
    except OSError:
        answer = b""
    if len(answer) < 5 or answer[:1] != FORKED:
        conn.close()
        if not listening:  # no server; one that answered anything else is stale and exits
            start_server(name)
        for sig, handler in previous.items():
            _signal.signal(sig, handler)
        for sig in pending:  # a Ctrl-C before anything ran: as if it came now
            os.kill(os.getpid(), sig)
        return None
    child.append(struct.unpack("!i", answer[1:])[0])
    for sig in pending:
        forward(sig, None)
    status = _recv_exact(conn, 4)
    if len(status) == 4:
        return struct.unpack("!i", status)[0]
    # The child died without reporting: of the signal forwarded to it (one it does not handle at
    # that moment): die of it too, as a plain run would have; else it was killed from outside.
    if forwarded:
        _signal.signal(forwarded[-1], _signal.SIG_DFL)
        os.kill(os.getpid(), forwarded[-1])
        return 128 + forwarded[-1]
    os.write(2, b"crosscloud: the command's process was killed\n")
    return 1
