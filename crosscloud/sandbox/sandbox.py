"""A sandbox directory: the local twin of both clouds that real ``terraform`` runs against.

Layout of ``Sandbox(dir)`` after :meth:`Sandbox.ensure`::

    cloud.db          the cloud state (CloudStore), shared by providers and emulated APIs
    kube.db           the Kubernetes objects of the sandbox clusters (KubeStore); made by the API server
    psk               the IPsec pre-shared key of this sandbox (mode 0600)
    terraformrc       Terraform CLI config: filesystem mirror + direct-exclude
    provider.env      which Python runs the providers and where the crosscloud code is
    home/             HOME of provider processes (TLS certificate cache)
    mirror/registry.terraform.io/<ns>/<name>/<version>/linux_amd64/terraform-provider-<name>_v<version>

The launchers in the mirror have fixed content (``.terraform.lock.hcl`` records their hash); what
may change (interpreter, code location) lives in ``provider.env``. A launcher runs
:mod:`.forkclient`, which has the provider served by a forked child of :mod:`.forkserver` (one per
user and checkout, shared by all sandboxes) or, when none answers, starts it the plain way.

Use::

    sb = Sandbox(Path(".crosscloud/sandbox")).ensure()
    subprocess.run(["terraform", "apply"], env={**os.environ, **sb.env()}, cwd=stack_dir)
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import string
import sys
from pathlib import Path
from typing import Any, NamedTuple

from ..constructs.google import PROVIDER_VERSION as GOOGLE_VERSION, PROVIDER_VERSION_CONSTRAINT as GOOGLE_VERSION_CONSTRAINT
from .store import CloudStore

# address -> (namespace, name, version served by the mirror)
PROVIDERS = {
    "alicloud": ("aliyun", "alicloud", "1.289.0"),
    "google": ("hashicorp", "google", GOOGLE_VERSION),
}
# what synthesized required_providers use (the mirrored versions satisfy these)
VERSION_CONSTRAINTS = {"alicloud": ">= 1.250.0, < 2.0.0", "google": GOOGLE_VERSION_CONSTRAINT}
REGISTRY = "registry.terraform.io"
PSK_VARIABLE = "ipsec_psk"  # the stacks declare `variable "ipsec_psk" { sensitive = true }`
PSK_WRITE_ONLY_VARIABLE = "ipsec_psk_wo"  # ephemeral twin of ipsec_psk (crosscloud/stackgraph.py)

LAUNCHER = """#!/bin/sh
# crosscloud sandbox: launcher of a Terraform provider written in Python (crosscloud.sandbox.provider,
# started through the fork server of crosscloud.sandbox.forkclient when one runs).
# Fixed content: .terraform.lock.hcl records its hash. Interpreter and code location: provider.env.
if [ -n "$CROSSCLOUD_SANDBOX_DIR" ] && [ -f "$CROSSCLOUD_SANDBOX_DIR/provider.env" ]; then
  sandbox=$CROSSCLOUD_SANDBOX_DIR
else
  sandbox=$(cd -P "$(dirname "$0")/../../../../../.." && pwd) || exit 1
fi
name=${0##*/}; name=${name#terraform-provider-}; name=${name%%_v*}
. "$sandbox/provider.env" || exit 1
CROSSCLOUD_TF_CWD=$PWD
CROSSCLOUD_SANDBOX_DIR=$sandbox
HOME=$sandbox/home
CHECKPOINT_DISABLE=1
PYTHONPATH=$CROSSCLOUD_PYTHONPATH${PYTHONPATH:+:$PYTHONPATH}
export CROSSCLOUD_TF_CWD CROSSCLOUD_SANDBOX_DIR HOME CHECKPOINT_DISABLE PYTHONPATH
cd "$sandbox" || exit 1
exec "$CROSSCLOUD_PYTHON" -S -P "$CROSSCLOUD_PYTHONPATH/crosscloud/sandbox/forkclient.py" "$name"
"""


class ResetCounts(NamedTuple):
    """What :meth:`Sandbox.reset` removed."""
    cloud_objects: int
    kubernetes_objects: int


def _pycache_dir() -> Path:
    """Where provider processes keep bytecode; shared by every sandbox of this user."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crosscloud" / f"pycache-{sys.implementation.cache_tag}"


def _write_if_changed(path: Path, content: str, mode: int = 0o644) -> None:
    try:
        if path.read_text() == content:
            return
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as fh:
        fh.write(content)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


class Sandbox:
    """One sandbox directory. Cheap to construct; :meth:`ensure` creates what is missing."""

    def __init__(self, dir: Path | str):
        self.dir = Path(dir).expanduser().absolute()
        self._store: CloudStore | None = None

    @classmethod
    def for_state_dir(cls, state_dir: Path | str) -> "Sandbox":
        """The default sandbox of a crosscloud state directory: ``<state_dir>/sandbox``."""
        return cls(Path(state_dir) / "sandbox")

    # ---------------------------------------------------------------- paths
    @property
    def db_path(self) -> Path:
        return self.dir / "cloud.db"

    @property
    def kube_db_path(self) -> Path:
        return self.dir / "kube.db"

    @property
    def mirror(self) -> Path:
        return self.dir / "mirror"

    @property
    def cli_config(self) -> Path:
        return self.dir / "terraformrc"

    @property
    def psk_path(self) -> Path:
        return self.dir / "psk"

    @property
    def home(self) -> Path:
        return self.dir / "home"

    @property
    def plugin_cache(self) -> Path:
        return self.dir / "plugin-cache"

    def launcher(self, provider: str) -> Path:
        ns, name, version = PROVIDERS[provider]
        return (self.mirror / REGISTRY / ns / name / version / "linux_amd64"
                / f"terraform-provider-{name}_v{version}")

    def package_hash(self, provider: str) -> str:
        """The ``h1:`` hash Terraform records in ``.terraform.lock.hcl`` for this sandbox's
        unpacked provider package (Go's dirhash.Hash1 over the launcher's directory)."""
        import base64  # noqa: PLC0415
        import hashlib  # noqa: PLC0415

        package = self.launcher(provider).parent
        lines = "".join(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n"
                        for f in sorted(package.iterdir(), key=lambda f: f.name))
        return "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()

    def forget_stale_lock(self, workdir: Path) -> bool:
        """Remove ``workdir``'s lock file when it pins a sandbox provider package this sandbox no
        longer has (a sandbox created again with a newer launcher, beside older stacks), so the
        next ``init`` selects again instead of failing with "Required plugins are not installed".
        The launchers are the twin's, not a supply chain: nothing is lost. True if removed."""
        import re  # noqa: PLC0415

        lock = Path(workdir) / ".terraform.lock.hcl"
        try:
            text = lock.read_text()
        except OSError:
            return False
        for provider, (ns, name, version) in PROVIDERS.items():
            block = re.search(rf'provider "{REGISTRY}/{ns}/{name}" {{(.*?)\n}}', text, re.S)
            if not block or not re.search(rf'version\s*=\s*"{re.escape(version)}"', block.group(1)):
                continue
            if self.launcher(provider).exists() and self.package_hash(provider) not in block.group(1):
                lock.unlink()
                return True
        return False

    # ---------------------------------------------------------------- set-up
    def ensure(self) -> "Sandbox":
        """Create (idempotently) the store, mirror, CLI config, PSK and TLS certificate."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(exist_ok=True)
        self.plugin_cache.mkdir(exist_ok=True)  # TF_PLUGIN_CACHE_DIR must exist
        _ = self.store
        for provider in PROVIDERS:
            path = self.launcher(provider)
            if not path.exists():  # never rewritten: lock files hash it
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_if_changed(path, LAUNCHER, 0o755)
        code_root = Path(__file__).resolve().parents[2]
        # bytecode of provider processes goes to a user cache (not the source tree), and is
        # written even where PYTHONDONTWRITEBYTECODE is set: each start then skips compiling
        _write_if_changed(self.dir / "provider.env",
                          f"CROSSCLOUD_PYTHON={shlex.quote(sys.executable)}\n"
                          f"CROSSCLOUD_PYTHONPATH={shlex.quote(str(code_root))}\n"
                          f"PYTHONPYCACHEPREFIX={shlex.quote(str(_pycache_dir()))}\n"
                          "export PYTHONPYCACHEPREFIX\n"
                          "unset PYTHONDONTWRITEBYTECODE\n")
        _write_if_changed(self.cli_config, self._cli_config_text())
        if not self.psk_path.exists():
            alphabet = string.ascii_letters + string.digits
            psk = "".join(secrets.choice(alphabet) for _ in range(32))
            try:
                fd = os.open(self.psk_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(psk + "\n")
            except FileExistsError:
                pass
        from .provider import ensure_certificate  # noqa: PLC0415

        ensure_certificate(self.home)
        return self

    def _cli_config_text(self) -> str:
        addresses = ", ".join(f'"{REGISTRY}/{ns}/{name}"' for ns, name, _ in PROVIDERS.values())
        mirror = json.dumps(str(self.mirror))
        return (
            "# crosscloud sandbox: providers come from the local mirror, never from the registry\n"
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f"    path    = {mirror}\n"
            f"    include = [{addresses}]\n"
            "  }\n"
            "  direct {\n"
            f"    exclude = [{addresses}]\n"
            "  }\n"
            "}\n"
        )

    # ---------------------------------------------------------------- use
    @property
    def store(self) -> CloudStore:
        if self._store is None:
            self._store = CloudStore(self.db_path)
        return self._store

    @property
    def psk(self) -> str:
        """The IPsec pre-shared key of this sandbox (what ``TF_VAR_ipsec_psk`` carries)."""
        return self.psk_path.read_text().strip()

    def env(self) -> dict[str, str]:
        """Environment variables that make plain ``terraform`` run against this sandbox."""
        return {
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
            "CHECKPOINT_DISABLE": "1",
            f"TF_VAR_{PSK_VARIABLE}": self.psk,
            f"TF_VAR_{PSK_WRITE_ONLY_VARIABLE}": self.psk,
            "CROSSCLOUD_SANDBOX_DIR": str(self.dir),
            # cdktf/cdktn set ~/.terraform.d/plugin-cache when this is unset, and the twin's
            # providers would land there as hashicorp/google and aliyun/alicloud: keep them here
            "TF_PLUGIN_CACHE_DIR": str(self.plugin_cache),
            # cdktf/cdktn run `terraform providers lock` on a first deploy, which ignores the CLI
            # config's filesystem_mirror: point it at the mirror
            "TF_CLI_ARGS_providers_lock": f"-fs-mirror={self.mirror}",
            "TF_IN_AUTOMATION": "1",
        }

    def refresh_links(self) -> None:
        """Recompute IPsec link states (they change with time while SAs negotiate)."""
        from .cloud import Cloud  # noqa: PLC0415

        Cloud(self.store, "alicloud", doc={}).reconcile_links()

    def objects(self) -> list[dict[str, Any]]:
        """Every cloud object for display: type, id, name, status, cloud, detail. No secrets."""
        self.refresh_links()
        out = []
        for o in self.store.list():
            attrs = o["attrs"]
            out.append({
                "type": o["type"], "id": o["id"], "name": o["name"], "status": o["status"],
                "cloud": o["type"].split("_", 1)[0], "detail": _detail(o["type"], attrs),
            })
        return out

    def links(self) -> list[dict[str, Any]]:
        """The IPsec tunnels of both clouds and their state, freshly computed.

        One entry per Alibaba tunnel (``role`` "single", "master" or "slave") and per Google
        tunnel: ``type``, ``id``, ``role``, ``status`` (Alibaba: ``ipsec_sa_established`` when up;
        Google: ``ESTABLISHED``), ``up`` (bool), ``reason`` (a key of ``semantics.LINK_REASONS``),
        ``detail`` (the cloud's wording) and ``peer`` (the other side, if one was found).
        """
        self.refresh_links()
        out = []
        for o in self.store.list("alicloud_vpn_connection"):
            for role, link in (o["attrs"].get("_link") or {}).items():
                out.append({"type": o["type"], "id": o["id"], "role": role, "status": link["status"],
                            "up": link["reason"] == "up", "reason": link["reason"], "detail": link["detail"],
                            "peer": link.get("peer")})
        for o in self.store.list("google_compute_vpn_tunnel"):
            link = o["attrs"].get("_link") or {}
            out.append({"type": o["type"], "id": o["id"], "role": "tunnel", "status": link.get("status"),
                        "up": link.get("reason") == "up", "reason": link.get("reason"),
                        "detail": o["attrs"].get("detailed_status"), "peer": link.get("peer")})
        return out

    def describe(self, type_name: str, id_: str) -> dict[str, Any] | None:
        """The stored attributes of one object with secrets redacted (links refreshed first)."""
        from .semantics import redact  # noqa: PLC0415

        self.refresh_links()
        attrs = self.store.get(type_name, id_)
        return redact(attrs) if attrs is not None else None

    def kubernetes_objects(self) -> int:
        """How many Kubernetes objects the sandbox clusters hold (0 if no API server ever ran)."""
        if not self.kube_db_path.exists():
            return 0
        from .kube.storage import KubeStore  # noqa: PLC0415

        return KubeStore(self.kube_db_path).count()

    def reset(self) -> ResetCounts:
        """Empty both clouds: every cloud object and counter (cloud.db), and the Kubernetes
        emulation's state (kube.db: every object of every cluster, registered-cluster agents,
        cluster-IP counters). Returns how many cloud and Kubernetes objects were removed.
        Terraform state elsewhere is not touched, nor the PSK, mirror or service ports."""
        cloud = self.store.reset() if self.db_path.exists() else 0
        kube = 0
        if self.kube_db_path.exists():
            from .kube.storage import KubeStore  # noqa: PLC0415

            kube = KubeStore(self.kube_db_path).reset()
        return ResetCounts(cloud, kube)


def _detail(type_name: str, attrs: dict) -> str:
    if type_name == "alicloud_vpn_connection":
        link = attrs.get("_link") or {}
        return "; ".join(f"{role}: {v.get('detail')}" for role, v in sorted(link.items()))
    if type_name == "google_compute_vpn_tunnel":
        return str(attrs.get("detailed_status") or "")
    for key in ("internet_ip", "address", "endpoint", "cidr_block", "ip_cidr_range", "slb_internet",
                "ip_address", "dest_range"):
        v = attrs.get(key)
        if isinstance(v, str) and v:
            extra = attrs.get("disaster_recovery_internet_ip")
            return f"{key}={v}" + (f", disaster_recovery_internet_ip={extra}" if key == "internet_ip" and extra else "")
    return ""


# ------------------------------------------------------------------------ CLI entry points
def env_exports(sandbox_dir: Path | str) -> str:
    """``export K='v'`` lines (shell-quoted) for ``eval "$(crosscloud sandbox env)"``."""
    return shell_exports(Sandbox(sandbox_dir).ensure().env())


def shell_exports(env: dict[str, str]) -> str:
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())


def objects_listing(sandbox_dir: Path | str, as_json: bool = False) -> str:
    """The sandbox's objects as a table (type, id, name, status) or as JSON; never secrets."""
    sb = Sandbox(sandbox_dir)
    objs = sb.objects() if sb.db_path.exists() else []
    if as_json:  # a list of cloud objects only; the Kubernetes count is in the text form
        return json.dumps(objs, indent=2) + "\n"
    kube = f"The sandbox clusters hold {_plural(sb.kubernetes_objects(), 'Kubernetes object')}.\n"
    if not objs:
        return f"The sandbox at {sb.dir} holds no objects.\n" + kube
    rows = [("TYPE", "ID", "NAME", "STATUS")] + [
        (o["type"], o["id"], o["name"] or "-", o["status"] or "-") for o in objs]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "".join(
        f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}\n" for r in rows) + kube


def reset_sandbox(sandbox_dir: Path | str) -> str:
    sb = Sandbox(sandbox_dir)
    n = sb.reset()
    return (f"Removed {_plural(n.cloud_objects, 'object')} from the sandbox at {sb.dir}, "
            f"and {_plural(n.kubernetes_objects, 'Kubernetes object')} from its clusters.\n")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"
