"""One HTTP server for every emulated cluster: `http://127.0.0.1:<port>/clusters/<key>/...`.

Under each prefix it answers what the official `kubernetes` client and kubectl use: discovery,
CRUD, merge/strategic/JSON patches, server-side apply, watch, status subresources and the
pod/service proxy. Writes go through `objects.ClusterObjects`; after each write the controllers
run once (so a response already reflects the fleet's reaction), and a ticker runs them again
for timed changes such as Pods becoming Running.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..store import CloudStore
from . import openapi
from .. import clock
from .clusters import Cluster, Directory, token_error
from .controllers import Reconciler, Ticker
from .errors import ApiError, status_body
from .objects import ClusterObjects
from .proxy import NetworkCheck, Proxy
from .resources import ResourceType
from .selectors import field_matcher, label_matcher
from .storage import KubeStore
from .tables import table
from .tls import server_context

log = logging.getLogger("crosscloud.sandbox.kube")

CLOUD_DB = "cloud.db"
KUBE_DB = "kube.db"
DELAY_ENV = "CROSSCLOUD_SANDBOX_K8S_DELAY"
PUBLIC_PATHS = {"version", "healthz", "livez", "readyz"}
WATCH_POLL = 0.05


def _delay_from_env() -> float:
    try:
        return max(0.0, float(os.environ.get(DELAY_ENV, "0.2")))
    except ValueError:
        return 0.2


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True          # server_close() joins the handler threads
    allow_reuse_address = True

    def __init__(self, addr, handler, api: "KubeApiServer", tls: ssl.SSLContext | None):
        self.api = api
        self.tls = tls
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(addr, handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.tls is not None:
            # The handshake runs in the connection's own thread (see _Handler.setup), so one
            # slow client cannot stall accepting others.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr


class KubeApiServer:
    """The Kubernetes API of every cluster in one sandbox (see module doc)."""

    def __init__(self, sandbox_dir: Path | str, *, network_ok: NetworkCheck | None = None,
                 cloud_store: CloudStore | Path | str | None = None, delay: float | None = None,
                 tls: bool = True):
        self.sandbox_dir = Path(sandbox_dir)
        self.tls = tls
        self.sandbox_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(cloud_store, CloudStore):
            self.cloud = cloud_store
        else:
            self.cloud = CloudStore(cloud_store or self.sandbox_dir / CLOUD_DB)
        self.kube = KubeStore(self.sandbox_dir / KUBE_DB)
        self.delay = _delay_from_env() if delay is None else delay
        self.reconciler = Reconciler(self.cloud, self.kube, self.delay)
        self.proxy = Proxy(self.kube, self.directory, network_ok)
        self.stopping = threading.Event()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._ticker: Ticker | None = None
        self._defaults_done: set[str] = set()
        self.url = ""

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._httpd is not None:
            return self.url
        self.stopping.clear()
        self._httpd = _HttpServer((host, port), _Handler, self, server_context(self.sandbox_dir) if self.tls else None)
        scheme = "https" if self.tls else "http"
        self.url = f"{scheme}://{host}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="kube-sandbox-http", daemon=True)
        self._thread.start()
        self._ticker = Ticker(self.reconciler)
        self._ticker.start()
        return self.url

    def stop(self) -> None:
        if self._httpd is None:
            return
        self.stopping.set()                  # ends open watches
        if self._ticker:
            self._ticker.stop()
        self._httpd.shutdown()
        with self._httpd.conn_lock:          # idle keep-alive connections would hold threads
            for conn in list(self._httpd.connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._httpd = self._thread = self._ticker = None

    def __enter__(self) -> "KubeApiServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers for callers ----------------------------------------------------------------
    def directory(self) -> Directory:
        return Directory(self.cloud, self.kube)

    def reconcile(self) -> None:
        """Run the controllers now (they also run after every write and on a timer)."""
        self.reconciler.run()

    def kubeconfig(self, store_type: str, cluster_id: str, *, user: str = "crosscloud") -> dict:
        from .kubeconfig import kubeconfig
        return kubeconfig(self.sandbox_dir, self.url, store_type, cluster_id, user=user)

    def objects(self, cluster: Cluster, *, dry_run: bool = False) -> ClusterObjects:
        if cluster.key not in self._defaults_done:
            ClusterObjects(self.kube, cluster).ensure_defaults()
            self._defaults_done.add(cluster.key)
        return ClusterObjects(self.kube, cluster, dry_run=dry_run)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "crosscloud-sandbox-kube"
    timeout = 120

    # -- plumbing ---------------------------------------------------------------------------
    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()
        with self.server.conn_lock:
            self.server.connections.add(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            with self.server.conn_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, fmt, *args):
        log.debug("%s " + fmt, self.address_string(), *args)

    @property
    def api(self) -> KubeApiServer:
        return self.server.api

    def _send(self, code: int, body: Any, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, exc: ApiError) -> None:
        self._send(exc.code, exc.status())

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _json_body(self) -> Any:
        raw = self._body()
        ctype = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
        try:
            if ctype.endswith("yaml"):
                import yaml
                return yaml.safe_load(raw)
            return json.loads(raw or b"null")
        except ValueError as exc:
            raise ApiError(400, f"the body of the request was in an unknown format: {exc}")

    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            self._route()
        except ApiError as exc:
            self._error(exc)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:                          # a bug: answer as the API server would
            log.exception("sandbox kube API: %s %s", self.command, self.path)
            self._error(ApiError(500, f"Internal error occurred: {exc}"))

    # -- routing ----------------------------------------------------------------------------
    def _route(self) -> None:
        url = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        parts = [unquote(p) for p in url.path.split("/") if p]
        if len(parts) < 2 or parts[0] != "clusters":
            raise ApiError(404, "the server could not find the requested resource")
        key, rest = parts[1], parts[2:]
        directory = self.api.directory()
        cluster, addressed, unavailable = directory.resolve(key)
        if addressed is None:
            raise ApiError(404, f'cluster "{key}" not found')
        if rest and rest[0] in PUBLIC_PATHS:
            return self._public(rest[0], cluster)
        self._authenticate(addressed)
        if unavailable:
            raise ApiError(503, unavailable)
        co = self.api.objects(cluster, dry_run=bool(self.query.get("dryRun")))
        if not rest:
            return self._send(200, {"paths": ["/api", "/api/v1", "/apis", "/version"]})
        if rest[0] == "api":
            if len(rest) == 1:
                return self._send(200, co.catalogue().api_versions())
            if rest[1] != "v1":
                raise ApiError(404, "the server could not find the requested resource")
            if len(rest) == 2:
                return self._send(200, co.catalogue().resource_list("", "v1"))
            return self._resource(co, "", "v1", rest[2:])
        if rest[0] == "apis":
            cat = co.catalogue()
            if len(rest) == 1:
                return self._send(200, cat.api_group_list())
            if len(rest) == 2:
                doc = cat.api_group(rest[1])
            elif len(rest) == 3:
                doc = cat.resource_list(rest[1], rest[2])
            else:
                return self._resource(co, rest[1], rest[2], rest[3:])
            if doc is None:
                raise ApiError(404, "the server could not find the requested resource")
            return self._send(200, doc)
        if rest[0] == "openapi" and len(rest) >= 2 and rest[1] == "v3":
            cat = co.catalogue()
            if len(rest) == 2:
                return self._send(200, openapi.index(cat))
            doc = openapi.documents(cat).get("/".join(rest[2:]))
            if doc is not None:
                return self._send(200, doc)
        raise ApiError(404, "the server could not find the requested resource")

    def _public(self, what: str, cluster: Cluster | None) -> None:
        if what != "version":
            return self._send(200, "ok", "text/plain; charset=utf-8")
        git = cluster.version if cluster else "v1.33.3"
        major, minor = git.lstrip("v").split(".")[:2]
        self._send(200, {"major": major, "minor": minor, "gitVersion": git, "gitCommit": "sandbox",
                         "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.24.0",
                         "compiler": "gc", "platform": "linux/amd64"})

    def _authenticate(self, cluster_id: str) -> None:
        header = self.headers.get("Authorization") or ""
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if token_error(self.api.sandbox_dir, cluster_id, token, clock.now()):
            raise ApiError(401, "Unauthorized")

    def _resource(self, co: ClusterObjects, group: str, version: str, rest: list[str]) -> None:
        cat = co.catalogue()
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        rt = cat.by_path(group, version, rest[0])
        if rt is None:
            raise ApiError(404, "the server could not find the requested resource")
        if namespace is not None and not rt.namespaced:
            raise ApiError(404, "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else ""
        ns = namespace or ""
        if sub == "proxy" and rt.proxy:
            return self._proxy(co, rt, ns, name, "/".join(rest[3:]))
        if sub == "exec" and rt.kind == "Pod" and len(rest) == 3:
            return self._exec(co, ns, name)
        if sub not in ("", "status") or (sub == "status" and not rt.status) or len(rest) > 3:
            raise ApiError(404, "the server could not find the requested resource")
        if rt.namespaced and name is not None and namespace is None:
            raise ApiError(404, "the server could not find the requested resource")
        method = self.command
        if name is None:
            if method in ("GET", "HEAD"):
                return self._list_or_watch(co, rt, namespace)
            if method == "POST":
                if rt.namespaced and namespace is None:
                    raise ApiError(405, "the server does not allow this method on the requested resource")
                created = co.create(rt, ns, self._json_body(), manager=self._manager())
                self._after_write()
                return self._send(201, created)
            if method == "DELETE":
                for obj in co.list(rt, namespace, self.query.get("labelSelector"), self.query.get("fieldSelector")):
                    co.delete(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
                self._after_write()
                return self._send(200, status_body(200, "", success=True))
            raise ApiError(405, "the server does not allow this method on the requested resource")
        if method in ("GET", "HEAD"):
            obj = co.get(rt, ns, name)
            if self._wants_table():
                return self._send(200, table(rt, [obj], obj["metadata"]["resourceVersion"],
                                             self.query.get("includeObject", "Metadata")))
            return self._send(200, obj)
        if method == "PUT":
            out = co.replace(rt, ns, name, self._json_body(), manager=self._manager(), subresource=sub)
            self._after_write()
            return self._send(200, out)
        if method == "PATCH":
            ctype = self.headers.get("Content-Type") or ""
            force = self.query.get("force", "").lower() in ("true", "1")
            manager = self.query.get("fieldManager") or (None if ctype.startswith("application/apply-patch")
                                                          else self._manager())
            existed = co.find(rt, ns, name) is not None
            out = co.patch(rt, ns, name, ctype, self._body(), manager=manager, force=force, subresource=sub)
            self._after_write()
            return self._send(200 if existed else 201, out)
        if method == "DELETE":
            deleted = co.delete(rt, ns, name)
            self._after_write()
            if rt.custom or rt.kind == "Pod":       # these return the object, the rest a Status
                return self._send(200, deleted)
            details = {"name": name, "kind": rt.plural, "uid": deleted["metadata"].get("uid", "")}
            if rt.group:
                details["group"] = rt.group
            return self._send(200, status_body(200, "", details=details, success=True))
        raise ApiError(405, "the server does not allow this method on the requested resource")

    def _manager(self) -> str:
        if self.query.get("fieldManager"):
            return self.query["fieldManager"]
        agent = self.headers.get("User-Agent") or "unknown"
        return agent.split("/")[0] or "unknown"        # what the real server derives from the agent

    def _wants_table(self) -> bool:
        return "as=Table" in (self.headers.get("Accept") or "")

    def _after_write(self) -> None:
        if self.query.get("dryRun"):
            return
        try:
            self.api.reconciler.run()
        except Exception:
            log.exception("sandbox reconcile after a write failed")

    def _list_or_watch(self, co: ClusterObjects, rt: ResourceType, namespace: str | None) -> None:
        if self.query.get("watch", "").lower() in ("true", "1"):
            return self._watch(co, rt, namespace)
        rv = str(co.store.current_rv())
        items = co.list(rt, namespace, self.query.get("labelSelector"), self.query.get("fieldSelector"))
        if self._wants_table():
            return self._send(200, table(rt, items, rv, self.query.get("includeObject", "Metadata")))
        self._send(200, {"kind": f"{rt.kind}List", "apiVersion": rt.api_version,
                         "metadata": {"resourceVersion": rv}, "items": items})

    def _watch(self, co: ClusterObjects, rt: ResourceType, namespace: str | None) -> None:
        labels = label_matcher(self.query.get("labelSelector"))
        fields = field_matcher(self.query.get("fieldSelector"))
        match = lambda o: labels(o["metadata"].get("labels") or {}) and fields(o)
        try:
            timeout = float(self.query.get("timeoutSeconds") or 1800)
        except ValueError:
            raise ApiError(400, "invalid timeoutSeconds")
        deadline = time.time() + timeout
        rv_param = self.query.get("resourceVersion", "")
        try:
            since = int(rv_param) if rv_param not in ("", "0") else None
        except ValueError:
            raise ApiError(400, f"invalid resource version: {rv_param}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        if since is None:             # no version: the current state first, as synthetic ADDED events
            since = co.store.current_rv()
            for obj in co.list(rt, namespace):
                if match(obj):
                    self._chunk({"type": "ADDED", "object": obj})
        stopping = self.api.stopping
        while not stopping.is_set() and time.time() < deadline:
            events, covered = co.store.events_since(co.key, rt.group, rt.plural, since,
                                                    namespace if rt.namespaced else None)
            if not covered:
                self._chunk({"type": "ERROR", "object": status_body(
                    410, f"too old resource version: {since} ({since + 1})", "Expired")})
                break
            for rv, type_, obj in events:
                since = rv
                if match(obj):
                    self._chunk({"type": type_, "object": obj})
            stopping.wait(min(WATCH_POLL, max(0.0, deadline - time.time())))
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True

    def _chunk(self, event: dict) -> None:
        data = json.dumps(event).encode() + b"\n"
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _exec(self, co: ClusterObjects, ns: str, name: str) -> None:
        """`kubectl exec` over a websocket (remote_exec.py); the container's curl uses the proxy below."""
        from . import remote_exec as rx

        opts = rx.exec_options(urlsplit(self.path).query)
        pod = rx.check_pod(co, ns, name, opts["container"])
        if not opts["command"]:
            raise ApiError(400, "you must specify at least 1 command")
        if (self.headers.get("Upgrade") or "").lower() != "websocket":
            raise ApiError(400, "the sandbox serves exec over websockets only (subprotocol v5.channel.k8s.io or "
                                "v4.channel.k8s.io, kubectl >= 1.30 by default), not SPDY")
        offered = [p.strip() for p in (self.headers.get("Sec-WebSocket-Protocol") or "").split(",")]
        protocol = next((p for p in rx.PROTOCOLS if p in offered), None)
        if protocol is None or not self.headers.get("Sec-WebSocket-Key"):
            raise ApiError(400, f"websocket exec needs a Sec-WebSocket-Key and one of the subprotocols "
                                f"{', '.join(rx.PROTOCOLS)}; offered: {', '.join(filter(None, offered)) or 'none'}")
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", rx.accept_key(self.headers["Sec-WebSocket-Key"]))
        self.send_header("Sec-WebSocket-Protocol", protocol)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        container = rx.Container(co, pod, self.api.proxy.pod, self.api.proxy.service)
        try:
            rx.Session(self.rfile, self.wfile, container, opts).run()
        except OSError:             # the client went away (or idled past the handler's timeout)
            pass

    def _proxy(self, co: ClusterObjects, rt: ResourceType, ns: str, name_port: str | None, path: str) -> None:
        if not name_port:
            raise ApiError(404, "the server could not find the requested resource")
        if self.command in ("POST", "PUT", "PATCH"):
            self._body()
        if rt.kind == "Pod":
            code, body = self.api.proxy.pod(co.cluster, ns, name_port, path)
        else:
            code, body = self.api.proxy.service(co.cluster, ns, name_port, path)
        self._send(code, json.dumps(body), "text/plain; charset=utf-8")
