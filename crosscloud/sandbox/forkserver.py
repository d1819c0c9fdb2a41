"""Fork server of the sandbox providers: the imports done once, a forked child per provider start.

Terraform starts a provider process for every walk of every command (schema, validate, plan,
apply), and a Python provider spends most of its start importing gRPC, protobuf and ``tf``
(~0.1 s of a ~0.25 s start, against a few milliseconds for the Go binaries of the real providers).
This server imports all of that once and, for each :mod:`.forkclient` that connects, forks a child
that takes over the client's stdin/stdout/stderr (SCM_RIGHTS), environment, working directory and
arguments and serves the provider exactly as a plain start would: same handshake, TLS, protocol and
process lifecycle as Terraform sees them (the client is the plugin process; it exits with the
child's status, and the child exits when the client is killed).

One server per user, interpreter and code checkout (an abstract unix socket; callers of another
uid are refused), shared by every sandbox; sandbox and run specifics reach the child through the
environment it is given. It exits after ``IDLE_SECONDS`` without a start, and at the next start
after any file it loaded changed (that client then starts the provider the plain way).
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import sys
import threading
import traceback
from typing import Callable

from .forkclient import FORKED, REFUSED, parse_request, socket_name

IDLE_SECONDS = 60.0
MAX_REQUEST = 1 << 20  # environment + arguments; far above what Terraform passes


def warm() -> list[str]:
    """Import what every provider start needs; return the files whose change makes this stale."""
    import grpc  # noqa: F401, PLC0415
    import msgpack  # noqa: F401, PLC0415
    import tf.provider  # noqa: F401, PLC0415
    import tf.runner  # noqa: F401, PLC0415
    from tf.gen import tfplugin_pb2  # noqa: F401, PLC0415

    from . import cloud, provider, semantics, store, stopping, tfschema, validators  # noqa: F401, PLC0415

    for name in provider.PROVIDERS:
        tfschema.load(name)
    assert threading.active_count() == 1, "the fork server must stay single-threaded"
    # every file loaded, crosscloud's and site-packages' alike (an edit, a pip upgrade): ~300 stats
    files = [m.__file__ for m in list(sys.modules.values()) if isinstance(getattr(m, "__file__", None), str)]
    schemas = os.path.join(os.path.dirname(__file__), "schemas")
    files += [os.path.join(schemas, f) for f in os.listdir(schemas)]
    return sorted(files)


def fingerprint(files: list[str]) -> list[tuple[int, int]]:
    out = []
    for f in files:
        try:
            st = os.stat(f)
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((0, -1))
    return out


def _same_user(conn: socket.socket) -> bool:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    conn.settimeout(5.0)  # a client sends everything at once; a stuck one must not block the server
    data, fds, _flags, _addr = socket.recv_fds(conn, 65536, 3)
    try:
        if len(fds) != 3 or len(data) < 4:
            raise ValueError("a request carries three descriptors and a length")
        (size,) = struct.unpack("!I", data[:4])
        if size > MAX_REQUEST:
            raise ValueError("request too large")
        body = data[4:]
        while len(body) < size:
            chunk = conn.recv(size - len(body))
            if not chunk:
                raise ValueError("truncated request")
            body += chunk
        conn.settimeout(None)
        argv, env, cwd = parse_request(body)
        return {"argv": argv, "env": env, "cwd": cwd}, fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def _child(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the provider process of the client. Never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [sys.argv[0], *request["argv"]]
        conn.sendall(FORKED)

        def watch_client() -> None:  # the client is gone (killed by Terraform): so is this process
            try:
                while conn.recv(1):
                    pass
            except OSError:
                pass
            os._exit(0)

        threading.Thread(target=watch_client, name="client-watch", daemon=True).start()
        from . import provider  # noqa: PLC0415

        provider.serve(request["argv"], watch_parent=False)
        code = 0
    except SystemExit as e:
        if isinstance(e.code, int):
            code = e.code
        else:
            print(e.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            conn.sendall(struct.pack("!i", code))
        except (OSError, ValueError):
            pass
        os._exit(code)


def _answer(conn: socket.socket, answer: bytes) -> None:
    try:
        conn.sendall(answer)
    except OSError:
        pass  # the client is gone already: nothing to tell


def serve_forever(listener: socket.socket, files: list[str], loaded: list[tuple[int, int]],
                  idle: float = IDLE_SECONDS, child: Callable[[socket.socket, dict, list[int]], None] | None = None) -> None:
    """Fork a child per request (a provider, or what `child` runs: it never returns) until idle
    or until `files` differ from `loaded`."""
    listener.settimeout(idle)
    while True:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            return
        with conn:
            if not _same_user(conn):
                continue
            try:
                request, fds = _receive(conn)
            except (OSError, ValueError):
                continue
            if fingerprint(files) != loaded:  # the client starts this one plainly
                for fd in fds:
                    os.close(fd)
                _answer(conn, REFUSED)
                return
            try:
                pid = os.fork()
            except OSError:
                _answer(conn, REFUSED)
                pid = -1
            if pid == 0:
                listener.close()
                (child or _child)(conn, request, fds)
            for fd in fds:
                os.close(fd)


def main() -> None:
    os.chdir("/")  # the directory it was started from may be a sandbox that gets deleted
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    name = socket_name()
    if name is None:
        return
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(name)  # before the imports: of several started at once, one warms up
    except OSError:
        return  # another server already answers
    files = warm()
    loaded = fingerprint(files)
    listener.listen(64)  # until now clients were refused and started their provider plainly
    serve_forever(listener, files, loaded)


if __name__ == "__main__":
    main()
