"""The sandbox's HTTP services: the Kubernetes API of every cluster and the Alibaba OpenAPI.

They listen on 127.0.0.1 at ports fixed per sandbox (services.json), because kubeconfigs handed
out through Terraform state (the ASK credential data source) must keep pointing at them. State
lives in the sandbox's SQLite files. The background service (daemon.py, `crosscloud sandbox up`)
serves them with `running`; a second server at the same time finds the ports taken and leaves
them to the first.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SERVICES_FILE = "services.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ports(sandbox_dir: Path | str) -> dict[str, int]:
    """{"kube": port, "openapi": port}, chosen once per sandbox."""
    path = Path(sandbox_dir) / SERVICES_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        chosen = json.dumps({"kube": _free_port(), "openapi": _free_port()})
        # written aside, then linked into place: the file appears whole or not at all (providers
        # of parallel stacks read it at once; an O_EXCL create let them read it empty)
        tmp = path.with_name(f".{SERVICES_FILE}.{os.getpid()}.{uuid.uuid4().hex}")
        tmp.write_text(chosen)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process chose first
        finally:
            tmp.unlink(missing_ok=True)
    return json.loads(path.read_text())


def kube_api_url(sandbox_dir: Path | str) -> str:
    return f"https://127.0.0.1:{ports(sandbox_dir)['kube']}"


def kubeconfig_yaml(sandbox_dir: Path | str, store_type: str, cluster_id: str, expires: float | None = None) -> str:
    import yaml

    from .kube import kubeconfig

    return yaml.safe_dump(kubeconfig(sandbox_dir, kube_api_url(sandbox_dir), store_type, cluster_id, expires=expires),
                          sort_keys=False)


def network_state(sandbox, flow=None) -> tuple[bool, str]:
    """Whether traffic crosses the VPN: for one flow (a :class:`netpath.Flow`), every hop on its
    path there and back; without one, whether the link carries anything (one tunnel pair up —
    dual mode is active/standby — and every policy route published)."""
    from . import netpath

    if flow is None:
        return netpath.link_carries(sandbox.store)
    result = netpath.probe(sandbox.store, flow)
    return result.ok, result.reason


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class Endpoints:
    kube_url: str
    openapi: str  # host:port for the Alibaba SDKs' endpoint override
    served_here: bool = False  # this process serves both (no other one had the ports)


@contextmanager
def running(sandbox) -> Iterator[Endpoints]:
    """Serve the sandbox's APIs for the duration (unless another process already does)."""
    from .kube import KubeApiServer, backing_cluster
    from .openapi import OpenApiServer

    p = ports(sandbox.dir)
    served = 0
    with ExitStack() as stack:
        if not listening(p["kube"]):
            kube = KubeApiServer(sandbox.dir, network_ok=lambda flow=None: network_state(sandbox, flow), cloud_store=sandbox.store)
            kube.start(port=p["kube"])
            stack.callback(kube.stop)
            served += 1
        if not listening(p["openapi"]):
            api = OpenApiServer(sandbox.store,
                                kubeconfig_for=lambda t, cid: kubeconfig_yaml(sandbox.dir, t, cid),
                                agent_applied=lambda rid: backing_cluster(sandbox.dir, rid) is not None)
            api.start(port=p["openapi"])
            stack.callback(api.stop)
            served += 1
        yield Endpoints(kube_api_url(sandbox.dir), f"127.0.0.1:{p['openapi']}", served_here=served == 2)


def settle(sandbox) -> None:
    """One controller pass without serving: e.g. after a destroy, clusters gone from the cloud
    lose their Kubernetes objects at once instead of at the next start of the services."""
    from .kube.controllers import Reconciler
    from .kube.storage import KubeStore

    if (sandbox.dir / "kube.db").exists():
        Reconciler(sandbox.store, KubeStore(sandbox.dir / "kube.db"), 0).run()
