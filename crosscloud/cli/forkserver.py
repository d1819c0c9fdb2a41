"""Fork server of the `crosscloud` command: the imports done once, a forked child per command.

Started in the background by the first :mod:`.forkclient` that finds none (one per user,
interpreter, checkout and interpreter environment: an abstract unix socket, other uids refused).
For each client it forks a child that takes over the client's stdio, environment, working
directory, umask and arguments, becomes its own process group (the client forwards signals to it,
as a terminal would to a foreground job) and runs the CLI as ``python -m crosscloud.cli.main_entry``
would. It exits after ``IDLE_SECONDS`` without a command, and at the next command after any file
it loaded changed (that client then runs the command itself). The request handling is
:mod:`crosscloud.forking`'s, shared with the sandbox providers' fork server.
"""

from __future__ import annotations

import atexit
import io
import os
import signal
import socket
import struct
import sys
import threading
import traceback

from ..forking import FORKED, fingerprint, serve_forever

IDLE_SECONDS = 300.0  # a user's pause between two commands
IN_CHILD = False  # True in a forked child: it exits through _child, which reports the status
CLIENT_PID: int | None = None  # in a child: the client's pid, the process the user started (the run lock names it)


def warm() -> list[str]:
    """Import what the commands import; return the files whose change makes this server stale.

    Not jsii/CDKTF (importing them starts node: synth imports them in the child). Some packages
    here read the environment once at import (alibabacloud_credentials' default chain,
    kubernetes' default kubeconfig path); crosscloud uses neither: it passes credentials and
    kubeconfigs explicitly, read from each command's own environment."""
    import alibabacloud_adcp20220101.client  # noqa: F401, PLC0415
    import alibabacloud_cs20151215.client  # noqa: F401, PLC0415
    import jinja2  # noqa: F401, PLC0415
    import kubernetes.client  # noqa: F401, PLC0415
    import kubernetes.dynamic  # noqa: F401, PLC0415

    from .. import stackgraph, summary  # noqa: F401, PLC0415
    from ..fleet import context, phase, verify  # noqa: F401, PLC0415
    from ..planreview import collect, render, tfc  # noqa: F401, PLC0415
    from ..runner import deploy, status, targets, tools  # noqa: PLC0415
    from . import (deploy_cmd, destroy_cmd, diff_cmd, main, manifests_cmd, plan_cmd,  # noqa: F401, PLC0415
                   sandbox_cmd, status_cmd, synth_cmd, validate_cmd, verify_cmd)

    targets.preload()
    tools.preload()  # `terraform version`, `node --version`: asked here once, not per command
    assert threading.active_count() == 1, "the fork server must stay single-threaded"
    assert "jsii" not in sys.modules, "jsii starts node at import: it belongs in the child"
    return sorted(m.__file__ for m in list(sys.modules.values()) if isinstance(getattr(m, "__file__", None), str))


def _reopen_stdio() -> None:
    """Text streams on the client's descriptors, buffered as CPython would buffer them there (line
    buffered on a terminal; stderr always), in the encoding this server's start chose from the
    same locale variables."""
    write_through = bool(os.environ.get("PYTHONUNBUFFERED"))

    def text(fd: int, old) -> io.TextIOWrapper:
        raw = io.FileIO(fd, "r" if fd == 0 else "w", closefd=False)
        buffered = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
        return io.TextIOWrapper(buffered, encoding=old.encoding, errors=old.errors,
                                line_buffering=fd == 2 or raw.isatty(), write_through=fd != 0 and write_through)

    sys.stdin = sys.__stdin__ = text(0, sys.__stdin__)
    sys.stdout = sys.__stdout__ = text(1, sys.__stdout__)
    sys.stderr = sys.__stderr__ = text(2, sys.__stderr__)


def _child(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the client's command. Never returns."""
    global IN_CHILD, CLIENT_PID
    IN_CHILD = True
    code = 1
    try:
        CLIENT_PID = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))[0]
        os.setpgid(0, 0)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        umask, *argv = request["argv"]
        os.umask(int(umask, 8))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import tempfile  # noqa: PLC0415
        import time  # noqa: PLC0415

        time.tzset()
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again
        _reopen_stdio()
        sys.argv = argv
        conn.sendall(FORKED + struct.pack("!i", os.getpid()))

        def watch_client() -> None:  # the client was killed: stop as `kill` would stop a plain run
            try:
                while conn.recv(1):
                    pass
            except OSError:
                pass
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch_client, name="client-watch", daemon=True).start()
        from .main import cli  # noqa: PLC0415

        cli(prog_name="crosscloud")
        code = 0
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            code = e.code or 0
        else:
            print(e.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 128 + signal.SIGINT
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001  (a closed pipe, a late Ctrl-C: the status still goes out)
            pass
        try:
            conn.sendall(struct.pack("!i", code))
        except OSError:
            pass
        os._exit(code)


def main() -> None:
    os.chdir("/")  # the directory it was started from may be deleted
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind("\0" + sys.argv[1])  # before the imports: of several started at once, one warms up
    except OSError:
        return  # another server already answers
    files = warm()
    loaded = fingerprint(files)
    listener.listen(64)
    serve_forever(listener, files, loaded, IDLE_SECONDS, child=_child)


if __name__ == "__main__":  # run as the module the CLI looks for (IN_CHILD, CLIENT_PID), not as __main__
    from crosscloud.cli import forkserver

    forkserver.main()
