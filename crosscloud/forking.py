"""Fork servers: one warm process forks a child per client, which becomes that client's command.

The wire format and server loop shared by the sandbox providers' fork server
(:mod:`crosscloud.sandbox.forkserver`, whose client runs under ``python -S`` with built-in modules
only: so only ``os`` and ``struct`` at the top here) and the CLI's (:mod:`crosscloud.cli.forkserver`).
A client sends its three stdio descriptors (SCM_RIGHTS) with one request; the answer's first byte
is FORKED (a child took it) or REFUSED (this server is stale and exits: run it yourself).
"""

from __future__ import annotations

import os
import struct

CODE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the checkout holding crosscloud/
FORKED, REFUSED = b"F", b"R"  # the first byte the server (or its child) answers
MAX_REQUEST = 1 << 20  # environment + arguments; far above what any client passes


def request_bytes(argv: list[str], env: dict[str, str], cwd: str) -> bytes:
    """Length-prefixed, NUL-separated: cwd, argc, argv..., KEY=value... (no NUL can occur in them)."""
    fields = [cwd, str(len(argv)), *argv, *(f"{k}={v}" for k, v in env.items())]
    payload = b"\0".join(os.fsencode(f) for f in fields)
    return struct.pack("!I", len(payload)) + payload


def parse_request(payload: bytes) -> tuple[list[str], dict[str, str], str]:
    """(argv, env, cwd) of a :func:`request_bytes` payload (without its length)."""
    fields = [os.fsdecode(f) for f in payload.split(b"\0")]
    cwd, argc = fields[0], int(fields[1])
    argv, env = fields[2:2 + argc], dict(f.split("=", 1) for f in fields[2 + argc:])
    return argv, env, cwd


def fingerprint(files: list[str]) -> list[tuple[int, int]]:
    out = []
    for f in files:
        try:
            st = os.stat(f)
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((0, -1))
    return out


def same_user(conn: socket.socket) -> bool:
    import socket  # noqa: PLC0415  (the clients import this module too)

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def receive(conn: socket.socket) -> tuple[dict, list[int]]:
    import socket  # noqa: PLC0415

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


def answer(conn: socket.socket, data: bytes) -> None:
    try:
        conn.sendall(data)
    except OSError:
        pass  # the client is gone already: nothing to tell


def serve_forever(listener: socket.socket, files: list[str], loaded: list[tuple[int, int]],
                  idle: float, child: Callable[[socket.socket, dict, list[int]], None]) -> None:  # noqa: F821
    """Fork a child per request, which runs `child` (it never returns), until idle or until
    `files` differ from `loaded`."""
    import socket  # noqa: PLC0415

    listener.settimeout(idle)
    while True:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            return
        with conn:
            if not same_user(conn):
                continue
            try:
                request, fds = receive(conn)
            except (OSError, ValueError):
                continue
            if fingerprint(files) != loaded:  # the client starts this one plainly
                for fd in fds:
                    os.close(fd)
                answer(conn, REFUSED)
                return
            try:
                pid = os.fork()
            except OSError:
                answer(conn, REFUSED)
                pid = -1
            if pid == 0:
                listener.close()
                child(conn, request, fds)
            for fd in fds:
                os.close(fd)


