"""The process Terraform starts for a sandbox provider: hands its stdio to the fork server.

The launcher in the filesystem mirror runs this file by path with ``python -S``. It imports only
built-in modules (no ``socket``/``signal``/``json`` wrappers: their ``enum``/``re`` imports would
double its start) and the wire format (:mod:`crosscloud.forking`, ``os`` and ``struct``), passes its stdin, stdout and stderr, environment, working directory and
arguments to the fork server (:mod:`.forkserver`), whose forked child serves the provider on those
descriptors, and exits with the child's exit code. This process stays the plugin process Terraform
knows: killing it closes the socket, and the child exits too. Ctrl-C is ignored here as in the
provider itself (Terraform turns it into StopProvider).

With no fork server answering (the first start, after an idle timeout, after the code changed),
it starts one in the background for the next start and runs the provider in this process, the
plain way (``python -m crosscloud.sandbox.provider``).
"""

from __future__ import annotations

import _signal
import _socket
import os
import struct
import sys
import zlib

CODE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if CODE_ROOT not in sys.path:  # run by path under -S: the wire format is crosscloud/forking.py
    sys.path.insert(0, CODE_ROOT)
from crosscloud.forking import FORKED, REFUSED, parse_request, request_bytes  # noqa: E402, F401
SOCKET_ENV = "CROSSCLOUD_PROVIDER_FORKSERVER"  # another socket name, or "off" for plain starts only
PARENT_CHECK_SECONDS = 1.0  # as often as a plain start checks that Terraform is still there


def socket_name() -> str | None:
    """Abstract unix socket of the fork server for this user, interpreter and code checkout
    (None: plain starts only; abstract sockets are Linux's)."""
    chosen = os.environ.get(SOCKET_ENV, "")
    if chosen == "off" or not sys.platform.startswith("linux"):
        return None
    if chosen:
        return "\0" + chosen
    key = f"{os.getuid()}\0{sys.executable}\0{CODE_ROOT}".encode()
    return f"\0crosscloud-provider-{zlib.crc32(key):08x}{zlib.crc32(key[::-1]):08x}"


def _start_server() -> None:
    devnull = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_PLUGIN", "PLUGIN_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [CODE_ROOT, env.get("PYTHONPATH")]))
    try:
        os.posix_spawn(sys.executable, [sys.executable, "-P", "-m", "crosscloud.sandbox.forkserver"], env,
                       file_actions=devnull, setsid=True)
    except OSError:
        pass  # only the next start is slower


def _plain_start(argv: list[str]) -> None:
    os.execv(sys.executable, [sys.executable, "-P", "-m", "crosscloud.sandbox.provider", *argv])


def main() -> None:
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    argv = sys.argv[1:]
    name = socket_name()
    if name is None:
        _plain_start(argv)
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        conn.connect(name)
        request = request_bytes(argv, dict(os.environ), os.getcwd())
        sent = conn.sendmsg([request], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, struct.pack("3i", 0, 1, 2))])
        conn.sendall(request[sent:])
        answer = conn.recv(1)
    except OSError:
        answer = b""
    if answer != FORKED:
        conn.close()
        if answer != REFUSED:  # no server (a refusing one is about to exit and be replaced)
            _start_server()
        _plain_start(argv)
    parent = os.getppid()
    conn.settimeout(PARENT_CHECK_SECONDS)
    status = b""
    while len(status) < 4:
        try:
            chunk = conn.recv(4 - len(status))
        except TimeoutError:
            if os.getppid() != parent:  # Terraform is gone: leave no orphan (the child follows)
                os._exit(1)
            continue
        except InterruptedError:
            continue
        if not chunk:  # the child died without reporting (killed)
            os._exit(1)
        status += chunk
    os._exit(struct.unpack("!i", status)[0])


if __name__ == "__main__":
    main()
