"""Where Terraform runs: the sandbox (default) or the real clouds. Never one silently for the other."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Topology
from ..stackgraph import PSK_VARIABLE, PSK_WRITE_ONLY_VARIABLE

PSK_ENV = f"TF_VAR_{PSK_VARIABLE}"
ALIBABA_CREDENTIALS = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
GOOGLE_CREDENTIALS = ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN")


class TargetError(RuntimeError):
    pass


@dataclass
class Target:
    name: str  # "sandbox" | "clouds"
    env: dict[str, str]  # added to terraform's environment
    secrets: list[str] = field(default_factory=list)  # scrubbed from every log and message
    sandbox_dir: Path | None = None


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
        return Target("sandbox", sandbox.env(), secrets=[sandbox.psk], sandbox_dir=sandbox.dir)
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
