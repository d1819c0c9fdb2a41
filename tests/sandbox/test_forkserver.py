"""Provider starts through the fork server (crosscloud.sandbox.forkclient / forkserver).

Each test uses its own socket name (CROSSCLOUD_PROVIDER_FORKSERVER), so it never talks to the
server the rest of the suite shares.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from crosscloud.sandbox import forkserver
from crosscloud.sandbox.forkclient import REFUSED, SOCKET_ENV, request_bytes
from crosscloud.sandbox.sandbox import Sandbox
from support import wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract unix sockets")


def _server_pid(name: str) -> int | None:
    """Pid of the server listening on abstract socket `name` (SO_PEERCRED), or None."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\0" + name)
        pid, _uid, _gid = struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        return pid
    except OSError:
        return None
    finally:
        s.close()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def _cmdline(pid: int) -> list[str]:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode().split("\0")


@pytest.fixture
def fork_env(tmp_path):
    """(sandbox, env) with a socket name of this test's own; stops whatever server it started."""
    sb = Sandbox(tmp_path / "sb").ensure()
    name = f"crosscloud-test-{uuid.uuid4().hex}"
    env = {**os.environ, **sb.env(), SOCKET_ENV: name, "PLUGIN_PROTOCOL_VERSIONS": "6"}
    yield sb, env, name
    pid = _server_pid(name)
    if pid:
        os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def _running_server(env: dict, name: str):
    server = subprocess.Popen([sys.executable, "-P", "-m", "crosscloud.sandbox.forkserver"], env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _server_pid(name) == server.pid, timeout=15, what="the fork server to listen")
        yield server
    finally:
        server.kill()
        server.wait()


def _start_launcher(sb: Sandbox, env: dict, provider: str = "alicloud") -> subprocess.Popen:
    return subprocess.Popen([str(sb.launcher(provider))], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=sb.dir, start_new_session=True)


def _handshake(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline().decode()
    assert line.startswith("1|6|unix|") and line.rstrip().split("|")[4] == "grpc", (line, proc.stderr.read1())
    return line


def test_without_a_server_the_provider_starts_plainly_and_a_server_comes_up_for_the_next(fork_env):
    sb, env, name = fork_env
    assert _server_pid(name) is None
    proc = _start_launcher(sb, env)
    try:
        _handshake(proc)
        # the client exec'd into the provider itself
        assert "crosscloud.sandbox.provider" in _cmdline(proc.pid)
        server = wait_for(lambda: _server_pid(name), timeout=15, what="the fork server to listen")
        assert "crosscloud.sandbox.forkserver" in _cmdline(server)
    finally:
        proc.kill()
        proc.wait()


def test_with_a_server_the_provider_is_its_forked_child_and_dies_with_the_client(fork_env):
    sb, env, name = fork_env
    with _running_server(env, name) as server:
        proc = _start_launcher(sb, env)
        try:
            _handshake(proc)
            assert any("forkclient.py" in arg for arg in _cmdline(proc.pid))  # the client stayed
            children = _children(server.pid)
            assert len(children) == 1 and "crosscloud.sandbox.forkserver" in _cmdline(children[0])
        finally:
            proc.kill()  # what Terraform does to a plugin that does not exit
            proc.wait()
        wait_for(lambda: not _children(server.pid), timeout=15, what="the forked provider to exit with its client")
        assert server.poll() is None  # the server stays for the next start


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_when_terraform_dies_the_client_and_the_forked_provider_exit(fork_env):
    """The plain start's parent watch, under the fork server: no orphan outlives a killed Terraform."""
    sb, env, name = fork_env
    fake_terraform = ("import subprocess, sys, time\n"
                      "p = subprocess.Popen([sys.argv[1]], stdout=subprocess.PIPE)\n"
                      "print(p.pid, flush=True)\n"
                      "p.stdout.readline()\n"  # the handshake
                      "print('ready', flush=True)\n"
                      "time.sleep(120)\n")
    with _running_server(env, name) as server:
        parent = subprocess.Popen([sys.executable, "-c", fake_terraform, str(sb.launcher("alicloud"))], env=env,
                                  cwd=sb.dir, stdout=subprocess.PIPE, start_new_session=True)
        try:
            client = int(parent.stdout.readline())
            assert parent.stdout.readline() == b"ready\n"
            assert _alive(client) and len(_children(server.pid)) == 1
        finally:
            parent.kill()
            parent.wait()
        wait_for(lambda: not _alive(client), timeout=15, what="the client to notice that its parent is gone")
        wait_for(lambda: not _children(server.pid), timeout=15, what="the forked provider to exit with its client")


def test_the_client_exits_with_the_childs_status_and_its_stderr(fork_env):
    sb, env, name = fork_env
    with _running_server(env, name):
        client = Path(__file__).resolve().parents[2] / "crosscloud" / "sandbox" / "forkclient.py"
        bad = subprocess.run([sys.executable, "-S", "-P", str(client), "aws"], env=env, capture_output=True,
                             text=True, timeout=30)
        assert bad.returncode == 1 and "usage" in bad.stderr and bad.stdout == ""


def _listener() -> tuple[socket.socket, str]:
    name = f"crosscloud-test-{uuid.uuid4().hex}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\0" + name)
    listener.listen(4)
    return listener, name


def _ask(name: str) -> bytes:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect("\0" + name)
    with open(os.devnull, "rb") as null:
        socket.send_fds(conn, [request_bytes(["alicloud"], {}, "/")], [null.fileno()] * 3)
    conn.settimeout(10)
    answer = conn.recv(1)
    conn.close()
    return answer


def test_a_server_whose_code_changed_refuses_and_exits(tmp_path):
    watched = tmp_path / "module.py"
    watched.write_text("x = 1\n")
    listener, name = _listener()
    done = threading.Event()
    loaded = forkserver.fingerprint([str(watched)])
    t = threading.Thread(target=lambda: (forkserver.serve_forever(listener, [str(watched)], loaded, idle=20),
                                         done.set()))
    t.start()
    try:
        watched.write_text("x = 22\n")  # size and mtime change, as an edit does
        assert _ask(name) == REFUSED
        assert done.wait(10)  # and it stopped serving
    finally:
        listener.close()
        t.join(10)


def test_a_server_stops_after_being_idle(tmp_path):
    listener, _name = _listener()
    started = time.monotonic()
    forkserver.serve_forever(listener, [], [], idle=0.3)
    assert time.monotonic() - started >= 0.3
    listener.close()


OTHER_PYTHON = "/usr/bin/python3"  # the venv's interpreter may live where another uid cannot read


@pytest.mark.skipif(os.geteuid() != 0 or not os.access(OTHER_PYTHON, os.X_OK),
                    reason="needs root to connect from another uid, and a system python")
def test_a_caller_of_another_user_is_not_served(tmp_path):
    listener, name = _listener()
    threading.Thread(target=lambda: (forkserver.serve_forever(listener, [], [], idle=30), listener.close()),
                     daemon=True).start()
    probe = ("import socket,struct,sys\n"
             "c=socket.socket(socket.AF_UNIX);c.connect('\\0'+sys.argv[1])\n"
             "try:\n"
             "    socket.send_fds(c,[bytes.fromhex(sys.argv[2])],[0,1,2]);c.settimeout(10)\n"
             "    print(repr(c.recv(1)))\n"
             "except OSError as e:\n"  # closed before it could even send: refused all the same
             "    print(repr(b''))\n")
    request = request_bytes(["alicloud"], {}, "/")  # one the server would serve for this user
    res = subprocess.run([OTHER_PYTHON, "-S", "-c", probe, name, request.hex()], capture_output=True, text=True,
                         timeout=30, user=65534, group=65534, stdin=subprocess.DEVNULL, env={}, cwd="/")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "b''"  # closed without forking: the client then starts plainly
