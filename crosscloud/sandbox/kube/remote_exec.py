"""`kubectl exec` into a sandbox pod: the websocket remote-command protocol, and a tiny container.

Protocol (what kubectl >= 1.30 speaks by default; SPDY is its fallback and is refused here):
GET .../pods/NAME/exec?command=..&stdin=..&stdout=..&stderr=..&tty=.. upgraded to a websocket
with subprotocol `v5.channel.k8s.io` (or v4). Every binary message starts with a channel byte:
0 stdin, 1 stdout, 2 stderr, 3 error (a Status JSON ends the command; a non-zero exit is
reason NonZeroExitCode with the code in details.causes[ExitCode]), 4 terminal resize, and in v5
255 "close", whose payload names the stream the client closed (0: end of stdin).
Sources: kubernetes/enhancements keps/sig-api-machinery/3396-websocket-protocol-enhancements
(v5 close signal; websocket as kubectl's default from 1.30); kubernetes/client-go
tools/remotecommand (websocket.go, errorstream handling of NonZeroExitCode); RFC 6455 (framing).

The container has what the tutorial's step 12 uses: `curl URL` (one-shot or in `sh`), `echo`,
`hostname`, `exit`. curl goes through the API server's proxy — the very checks `verify` makes:
a Service of this cluster (a fleet-made amcs-<svc> crosses the VPN to the provider) or this
pod's own port on 127.0.0.1 (the consumer's web app on 8080).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shlex
import struct
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from .errors import ApiError
from .resources import POD, SERVICE

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"   # RFC 6455 section 1.3
PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
CLUSTER_DOMAIN = "svc.cluster.local"
PROMPT = "/ # "
# curl's exit codes (curl(1) "EXIT CODES")
CURL_USAGE, CURL_RESOLVE, CURL_CONNECT, CURL_TIMEOUT = 2, 6, 7, 28
# curl options that take a value (skipped with it); any other option is a flag and ignored.
CURL_VALUE_OPTIONS = {"-m", "--max-time", "--connect-timeout", "-H", "--header", "-X", "--request", "-o", "--output",
                      "-d", "--data", "-A", "--user-agent", "-w", "--write-out"}

# (cluster, ns, "name:port", path) -> (code, body): the server's pod and service proxy.
ProxyCall = Callable[[object, str, str, str], "tuple[int, dict]"]


@dataclass
class Container:
    """What runs a command inside one pod: enough of sh and curl for the tutorial."""
    co: object                # objects.ClusterObjects of the pod's cluster
    pod: dict
    pod_proxy: ProxyCall
    service_proxy: ProxyCall
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return self.pod["metadata"]["namespace"]

    def run(self, argv: list[str]) -> int:
        if not argv:
            return 0
        name, args = argv[0].rsplit("/", 1)[-1], argv[1:]
        if name in ("sh", "bash", "ash") and args[:1] == ["-c"] and len(args) >= 2:
            return self.line(args[1])
        if name == "curl":
            return self.curl(args)
        if name == "echo":
            self.out.append(" ".join(args) + "\n")
            return 0
        if name == "hostname":
            self.out.append(self.pod["metadata"]["name"] + "\n")
            return 0
        if name in ("true", ":"):
            return 0
        if name == "false":
            return 1
        self.err.append(f"sh: {name}: not found (the sandbox container has curl, echo, hostname, sh, exit)\n")
        return 127

    def line(self, text: str) -> int:
        try:
            argv = shlex.split(text)
        except ValueError as err:
            self.err.append(f"sh: syntax error: {err}\n")
            return 2
        return self.run(argv)

    def curl(self, args: list[str]) -> int:
        urls, skip = [], False
        for a in args:
            if skip:
                skip = False
            elif a in CURL_VALUE_OPTIONS:
                skip = True
            elif not a.startswith("-"):
                urls.append(a)
        if not urls:
            self.err.append("curl: no URL specified\ncurl: try 'curl --help' for more information\n")
            return CURL_USAGE
        code = 0
        for url in urls:
            code = self._fetch(url)
        return code

    def _fetch(self, url: str) -> int:
        parts = urlsplit(url if "://" in url else "http://" + url)
        host, path = parts.hostname or "", parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            if host in ("127.0.0.1", "localhost", "::1"):
                target = lambda: self.pod_proxy(self.co.cluster, self.namespace, f"{self.pod['metadata']['name']}:{port}", path)
            else:
                service = self._service(host)
                if service is None:
                    self.err.append(f"curl: ({CURL_RESOLVE}) Could not resolve host: {host}\n")
                    return CURL_RESOLVE
                target = lambda: self.service_proxy(self.co.cluster, service["metadata"]["namespace"],
                                                    f"{service['metadata']['name']}:{port}", path)
            _, body = target()
        except ApiError as err:
            timeout = "timeout" in err.message
            causes = [c.get("message", "") for c in (err.details or {}).get("causes", [])]
            why = "; ".join(filter(None, [err.message, *causes]))
            code = CURL_TIMEOUT if timeout else CURL_CONNECT
            what = "Connection timed out" if timeout else "Couldn't connect to server"
            self.err.append(f"curl: ({code}) Failed to connect to {host} port {port}: {what} (sandbox: {why})\n")
            return code
        self.out.append((body if isinstance(body, str) else json.dumps(body)) + "\n")
        return 0

    def _service(self, host: str) -> dict | None:
        """A Service by cluster DNS (name, name.ns, name.ns.svc[.cluster.local]) or by cluster IP."""
        labels = host.rstrip(".").split(".")
        candidates = []
        if host.replace(".", "").isdigit():
            return next((s for s in self.co.list(SERVICE) if (s.get("spec") or {}).get("clusterIP") == host), None)
        if len(labels) == 1:
            candidates.append((self.namespace, labels[0]))
        elif len(labels) == 2 or ".".join(labels[2:]) in ("svc", CLUSTER_DOMAIN):
            candidates.append((labels[1], labels[0]))
        for ns, name in candidates:
            svc = self.co.find(SERVICE, ns, name)
            if svc is not None:
                return svc
        return None

    def take_output(self) -> tuple[str, str]:
        out, err = "".join(self.out), "".join(self.err)
        self.out.clear()
        self.err.clear()
        return out, err


# -- the websocket side -----------------------------------------------------------------------

def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


def encode_frame(payload: bytes, opcode: int = OP_BINARY) -> bytes:
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def read_frame(rfile) -> tuple[int, bytes] | None:
    """One frame (opcode, unmasked payload), or None at end of stream."""
    head = rfile.read(2)
    if len(head) < 2:
        return None
    opcode, n, masked = head[0] & 0x0F, head[1] & 0x7F, head[1] & 0x80
    if n == 126:
        n = struct.unpack("!H", rfile.read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", rfile.read(8))[0]
    mask = rfile.read(4) if masked else b""
    data = rfile.read(n)
    if mask:
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return opcode, data


def exec_options(raw_query: str) -> dict:
    q = parse_qs(raw_query, keep_blank_values=True)
    flag = lambda k: (q.get(k) or ["false"])[-1].lower() in ("true", "1")
    return {"command": q.get("command") or [], "stdin": flag("stdin"), "stdout": flag("stdout"),
            "stderr": flag("stderr"), "tty": flag("tty"), "container": (q.get("container") or [""])[-1]}


def check_pod(co, ns: str, name: str, container: str) -> dict:
    """The checks the real API server and kubelet make before an exec starts."""
    pod = co.get(POD, ns, name)
    names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
    if container and container not in names:
        raise ApiError(400, f"container {container} is not valid for pod {name}")
    if (pod.get("status") or {}).get("phase") != "Running":
        raise ApiError(400, f"unable to upgrade connection: container not found ({name})")
    return pod


def status_message(code: int, command: list[str]) -> dict:
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command {command}, exit code {code}",
            "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


class Session:
    """One exec over an upgraded connection (rfile/wfile of the HTTP handler)."""

    def __init__(self, rfile, wfile, container: Container, opts: dict):
        self.rfile, self.wfile, self.c, self.opts = rfile, wfile, container, opts

    def send(self, channel: int, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        if channel == STDERR and self.opts["tty"]:
            channel = STDOUT                  # a terminal has one output stream
        if channel in (STDOUT, STDERR) and not self.opts["stdout" if channel == STDOUT else "stderr"]:
            return
        if self.opts["tty"] and channel in (STDOUT, STDERR):
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        self.wfile.write(encode_frame(bytes([channel]) + data))
        self.wfile.flush()

    def flush_output(self) -> None:
        out, err = self.c.take_output()
        if out:
            self.send(STDOUT, out)
        if err:
            self.send(STDERR, err)

    def run(self) -> None:
        command = self.opts["command"]
        interactive = command and command[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and len(command) == 1
        if interactive and self.opts["stdin"]:
            code = self.shell()
        else:
            code = self.c.run(command)
            self.flush_output()
        self.send(ERROR, json.dumps(status_message(code, command)))
        self.close()

    def shell(self) -> int:
        """Lines from stdin run one by one; `exit [n]` or end of stdin ends it."""
        tty, pending, code = self.opts["tty"], "", 0
        if tty:
            self.send(STDOUT, PROMPT)
        for data in self.stdin_chunks():
            for ch in data.decode(errors="replace"):
                if tty and ch in ("\x7f", "\b"):
                    if pending:
                        pending = pending[:-1]
                        self.send(STDOUT, "\b \b")
                    continue
                if tty and ch == "\x04" and not pending:        # Ctrl-D on an empty line
                    return code
                if ch in ("\r", "\n"):
                    if tty:
                        self.send(STDOUT, "\n")
                    words = pending.split()
                    pending = ""
                    if words[:1] == ["exit"]:
                        return int(words[1]) if len(words) > 1 and words[1].isdigit() else code
                    if words:
                        code = self.c.line(" ".join(words))
                        self.flush_output()
                    if tty:
                        self.send(STDOUT, PROMPT)
                    continue
                pending += ch
                if tty:
                    self.send(STDOUT, ch)
        if pending.strip() and pending.split()[0] != "exit":
            code = self.c.line(pending)
            self.flush_output()
        return code

    def stdin_chunks(self):
        while True:
            frame = read_frame(self.rfile)
            if frame is None:
                return
            opcode, data = frame
            if opcode == OP_CLOSE:
                return
            if opcode == OP_PING:
                self.wfile.write(encode_frame(data, OP_PONG))
                self.wfile.flush()
                continue
            if opcode not in (OP_BINARY, OP_CONT, OP_TEXT) or not data:
                continue
            channel, payload = data[0], data[1:]
            if channel == CLOSE and payload[:1] == bytes([STDIN]):
                return
            if channel == STDIN and payload:
                yield payload

    def close(self) -> None:
        self.wfile.write(encode_frame(struct.pack("!H", 1000), OP_CLOSE))
        self.wfile.flush()
        # Wait (briefly) for the client's close frame so it reads everything first.
        try:
            while True:
                frame = read_frame(self.rfile)
                if frame is None or frame[0] == OP_CLOSE:
                    return
        except OSError:
            return
