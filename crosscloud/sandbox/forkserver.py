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

from .. import forking
from ..forking import FORKED, fingerprint  # noqa: F401  (fingerprint: tests)
from .forkclient import socket_name

IDLE_SECONDS = 60.0


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


def serve_forever(listener: socket.socket, files: list[str], loaded: list[tuple[int, int]],
                  idle: float = IDLE_SECONDS) -> None:
    """Fork a provider child per request until idle or until `files` differ from `loaded`."""
    forking.serve_forever(listener, files, loaded, idle, child=_child)


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
