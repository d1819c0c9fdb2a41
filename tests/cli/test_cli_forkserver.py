"""The `crosscloud` command through its fork server (crosscloud.cli.forkclient / forkserver).

Each test uses its own socket name (CROSSCLOUD_CLI_FORKSERVER), so it never talks to the server
the rest of the suite shares. A command's config is read from a FIFO where a test needs the
command to wait (the forked child is then alive to be inspected or signalled).
"""

from __future__ import annotations

import os
import pty
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from crosscloud.cli.forkclient import SOCKET_ENV
from crosscloud.forking import REFUSED, receive
from support import ROOT, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract unix sockets")
SEED = ROOT / "examples" / "seed.yaml"
CLI = [sys.executable, "-m", "crosscloud.cli.main_entry"]


def _server_pid(name: str) -> int | None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\0" + name)
        return int.from_bytes(s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)[:4], sys.byteorder)
    except OSError:
        return None
    finally:
        s.close()


def _stat(pid: int) -> list[str]:
    return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


@pytest.fixture
def server(tmp_path):
    """(env, server pid): a fork server of this test's own, listening; killed afterwards."""
    name = f"crosscloud-cli-test-{uuid.uuid4().hex}"
    env = {**os.environ, SOCKET_ENV: name, "CROSSCLOUD_TEST_MARKER": "from-the-client"}
    proc = subprocess.Popen([sys.executable, "-P", "-m", "crosscloud.cli.forkserver", name], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: _server_pid(name) == proc.pid, timeout=30, what="the CLI fork server to listen")
    yield env, proc.pid
    proc.kill()
    proc.wait()


def _plain(env: dict) -> dict:
    return {**env, SOCKET_ENV: "off"}


def _run(argv: list[str], env: dict, **kw) -> tuple[int, str, str]:
    p = subprocess.run(CLI + argv, env=env, capture_output=True, text=True, timeout=120, **kw)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("argv, code", [
    (["validate", "-c", str(SEED), "--json"], 0),
    (["validate", "-c", "no-such.yaml"], 1),
    (["validate", "--no-such-option"], 2),
    (["--help"], 0),
])
def test_a_forked_command_answers_exactly_as_a_plain_one(server, argv, code, tmp_path):
    env, pid = server
    forked = _run(argv, env, cwd=tmp_path)
    assert forked == _run(argv, _plain(env), cwd=tmp_path)
    assert forked[0] == code, forked


@pytest.fixture
def blocked(tmp_path):
    """Start `validate` on a config FIFO nobody writes yet: (client process, FIFO). A client still
    running at the end is killed (its forked child follows it)."""
    started = []

    def start(env: dict, **kw) -> tuple[subprocess.Popen, Path]:
        fifo = tmp_path / "config.yaml"
        os.mkfifo(fifo)
        proc = subprocess.Popen(CLI + ["validate", "-c", str(fifo), "--json"], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
        started.append(proc)
        return proc, fifo

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _opening_its_config(pid: int) -> bool:
    """The command waits in open() of its config FIFO for a writer: it runs, its signal handling in place."""
    try:
        return Path(f"/proc/{pid}/wchan").read_text() == "wait_for_partner"
    except OSError:
        return False


def test_the_child_runs_with_the_clients_cwd_environment_umask_and_own_process_group(server, blocked, tmp_path):
    env, pid = server
    proc, fifo = blocked(env, umask=0o027)
    child = wait_for(lambda: _children(pid), timeout=30, what="the forked child")[0]
    assert os.readlink(f"/proc/{child}/cwd") == str(tmp_path)
    assert b"CROSSCLOUD_TEST_MARKER=from-the-client" in Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
    assert "Umask:\t0027" in Path(f"/proc/{child}/status").read_text()
    assert int(_stat(child)[2]) == child  # its own process group: the client signals the group
    fifo.write_text(SEED.read_text())
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == _run(["validate", "-c", str(SEED), "--json"], _plain(env), cwd=tmp_path)[:2]
    assert proc.returncode == 0, err


def test_on_a_terminal_the_child_writes_as_to_a_terminal(server, tmp_path):
    env, _pid = server

    def on_pty(run_env: dict) -> tuple[int, bytes]:
        master, slave = pty.openpty()
        p = subprocess.run(CLI + ["validate", "-c", str(SEED)], env=run_env, stdout=slave, stderr=slave, timeout=120)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        return p.returncode, b"".join(chunks)

    forked = on_pty(env)
    assert forked == on_pty(_plain(env))
    assert forked[0] == 0 and b"\x1b[32m" in forked[1]  # click colours only for a terminal


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_client_reaches_the_command_and_its_status_comes_back(server, blocked, sig):
    env, pid = server
    proc, _fifo = blocked(env)
    child = wait_for(lambda: _children(pid), timeout=30, what="the forked child")[0]
    wait_for(lambda: _opening_its_config(child), timeout=30, what="the command to open its config")
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert "Traceback" not in err
    wait_for(lambda: child not in _children(pid), timeout=10, what="the child to exit")


def test_a_killed_client_stops_its_command(server, blocked):
    env, pid = server
    proc, _fifo = blocked(env)
    child = wait_for(lambda: _children(pid), timeout=30, what="the forked child")[0]
    proc.kill()
    proc.wait()
    wait_for(lambda: child not in _children(pid), timeout=10, what="the child to stop with its client")


def test_a_refusing_server_means_the_command_runs_in_the_client(tmp_path):
    """A stale server answers REFUSED (then exits): the client runs the command itself and starts
    no server of its own (the stale one is on its way out)."""
    name = f"crosscloud-cli-test-{uuid.uuid4().hex}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\0" + name)
    listener.listen(1)

    def refuse() -> None:
        conn, _ = listener.accept()
        with conn:
            _request, fds = receive(conn)  # all of it, as a real server reads it before answering
            for fd in fds:
                os.close(fd)
            conn.sendall(REFUSED)
        listener.close()

    refusing = threading.Thread(target=refuse, daemon=True)
    refusing.start()
    env = {**os.environ, SOCKET_ENV: name}
    assert _run(["validate", "-c", str(SEED), "--json"], env) == _run(["validate", "-c", str(SEED), "--json"], _plain(env))
    refusing.join(timeout=10)
    assert not refusing.is_alive()
    with pytest.raises(AssertionError, match="timed out"):  # a server it started would bind within a second
        pid = wait_for(lambda: _server_pid(name), timeout=2, what="a server")
        raise RuntimeError(f"pid {pid} (this test: {os.getpid()}) serves {name}: "
                           f"{Path(f'/proc/{pid}/cmdline').read_bytes()!r}")


def test_without_a_server_the_command_runs_here_and_a_server_comes_up(tmp_path):
    name = f"crosscloud-cli-test-{uuid.uuid4().hex}"
    env = {**os.environ, SOCKET_ENV: name, "TF_VAR_ipsec_psk": "secret-of-the-first-command"}
    try:
        assert _run(["validate", "-c", str(SEED), "--json"], env)[0] == 0
        pid = wait_for(lambda: _server_pid(name), timeout=30, what="a server started by the first command")
        assert "crosscloud.cli.forkserver" in Path(f"/proc/{pid}/cmdline").read_text()
        assert b"secret-of-the-first-command" not in Path(f"/proc/{pid}/environ").read_bytes()  # children get theirs
    finally:
        pid = _server_pid(name)
        if pid:
            os.kill(pid, signal.SIGKILL)
