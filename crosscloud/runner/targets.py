"""Where Terraform runs: the sandbox (default) or the real clouds. Never one silently for the other.

Also the one place where the product learns how to reach a target's APIs (`Target.connect`): the
Alibaba OpenAPI endpoint and credentials and the GKE kubeconfigs. For the clouds that is the SDKs'
defaults and Terraform's outputs; for the sandbox it is the twin's background service, started
here when it is not up. Nothing else in runner/, fleet/ or cli/ (but the sandbox command) imports
crosscloud.sandbox (tests/test_boundary.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Topology
from ..stackgraph import PSK_VARIABLE, PSK_WRITE_ONLY_VARIABLE

PSK_ENV = f"TF_VAR_{PSK_VARIABLE}"
ALIBABA_CREDENTIALS = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
GOOGLE_CREDENTIALS = ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN")



class TargetError(RuntimeError):
    pass


def preload() -> None:
    """Import the twin's modules a sandbox run uses (the CLI fork server calls this once, so its
    commands do not import them each time)."""
    from ..sandbox import daemon, sandbox, services  # noqa: F401, PLC0415
    from ..sandbox.kube import kubeconfig  # noqa: F401, PLC0415


@dataclass(frozen=True)
class Connection:
    """How the fleet phase reaches a target's APIs (None everywhere: the real clouds' defaults)."""
    alibaba_endpoint: str | None = None  # host:port for the CS and ADCP SDKs instead of the public ones
    alibaba_credentials: tuple[str, str] | None = None  # instead of the environment's
    gke_kubeconfig: Callable[[str], dict] | None = None  # GKE cluster id -> kubeconfig, instead of outputs + token


def _clouds_connection(say: Callable[[str], None]) -> Connection:
    return Connection()


@dataclass
class Target:
    name: str  # "sandbox" | "clouds"
    env: dict[str, str]  # added to terraform's environment
    secrets: list[str] = field(default_factory=list)  # scrubbed from every log and message
    sandbox_dir: Path | None = None
    # Reach the APIs (say: how to tell the user about anything started on the way).
    connect: Callable[[Callable[[str], None]], Connection] = _clouds_connection
    settle: Callable[[], None] | None = None  # after a destroy: let the target catch up at once
    # (type, id) -> the object's attributes as the cloud has them, or None when it is gone
    # (runner/livestate.py); None when only Terraform can read the clouds
    live_reader: Callable[[], Callable[[str, str], dict | None]] | None = None
    before_init: Callable[[Path], None] | None = None  # (stack dir) before a stack's init is checked


def _sandbox_connection(sandbox_dir: Path, say: Callable[[str], None]) -> Connection:
    from ..sandbox import daemon
    from ..sandbox.access import SDK_CREDENTIALS
    from ..sandbox.kube import kubeconfig

    try:
        st, started = daemon.up(sandbox_dir)
    except daemon.DaemonError as err:
        raise TargetError(str(err)) from None
    ep = st.endpoints()
    if started:
        say(f"started the sandbox service (pid {st.pid}): kubernetes {ep['kube']}, alibaba openapi {ep['openapi']}; "
            "it keeps running for kubectl and the SDKs (crosscloud sandbox status | down)")
    return Connection(ep["openapi"], tuple(SDK_CREDENTIALS.values()),
                      lambda gke_id: kubeconfig(sandbox_dir, ep["kube"], "google_container_cluster", gke_id))


def sandbox_reader(sandbox_dir: Path) -> Callable[[str, str], dict | None]:
    """Reads objects from the twin's cloud store (as a user's credentials read the cloud's
    API), links recomputed once first; the twin's own bookkeeping ("_" keys) left out."""
    from ..sandbox.sandbox import Sandbox

    sandbox = Sandbox(sandbox_dir)
    sandbox.refresh_links()
    store = sandbox.store

    def read(type_name: str, object_id: str) -> dict | None:
        attrs = store.get(type_name, object_id) if object_id else None
        if attrs is None:
            return None
        return {k: v for k, v in attrs.items() if not k.startswith("_")}

    return read


def _sandbox_settle(sandbox_dir: Path) -> None:
    from ..sandbox import services
    from ..sandbox.sandbox import Sandbox

    services.settle(Sandbox(sandbox_dir))


def tfc_token_env(hostname: str) -> str:
    return "TF_TOKEN_" + hostname.replace(".", "_").replace("-", "__")


def resolve_target(name: str, topology: Topology, state_dir: Path) -> Target:
    if name == "sandbox":
        if topology.backend.type == "cloud":
            raise TargetError("backend.type cloud runs plans in Terraform Cloud, which cannot reach the local sandbox; "
                              "use --target clouds, or backend.type local to try it in the sandbox")
        from ..sandbox.sandbox import Sandbox

        sandbox = Sandbox(state_dir / "sandbox")
        sandbox.ensure()
        # No plugin cache for crosscloud's own runs: Terraform's cache is not safe for concurrent
        # first installs (parallel `init`s of independent stacks failed with "failed to create
        # directory"); each stack installs from the sandbox's mirror instead. An empty value
        # overrides one exported by `sandbox env`.
        env = {**sandbox.env(), "TF_PLUGIN_CACHE_DIR": ""}
        return Target("sandbox", env, secrets=[sandbox.psk], sandbox_dir=sandbox.dir,
                      connect=lambda say: _sandbox_connection(sandbox.dir, say),
                      settle=lambda: _sandbox_settle(sandbox.dir), live_reader=lambda: sandbox_reader(sandbox.dir),
                      before_init=sandbox.forget_stale_lock)
    if name != "clouds":
        raise TargetError(f"--target {name!r}: allowed values are sandbox, clouds")
    missing = [v for v in ALIBABA_CREDENTIALS if not os.environ.get(v)]
    if not any(os.environ.get(v) for v in GOOGLE_CREDENTIALS):
        missing.append(" or ".join(GOOGLE_CREDENTIALS))
    if topology.backend.type == "cloud":
        token = tfc_token_env(topology.backend.hostname)
        if not os.environ.get(token):
            missing.append(token)
    elif not os.environ.get(PSK_ENV):
        missing.append(f"{PSK_ENV} (the IPsec pre-shared key, used by both clouds)")
    if missing:
        raise TargetError("--target clouds needs credentials for both clouds; not set: " + ", ".join(missing))
    psk_wo_env = f"TF_VAR_{PSK_WRITE_ONLY_VARIABLE}"
    return Target("clouds", {psk_wo_env: os.environ.get(psk_wo_env) or os.environ.get(PSK_ENV, "")},
                  secrets=[os.environ.get(PSK_ENV, "")])
