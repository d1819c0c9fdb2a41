"""The external programs crosscloud runs, checked before any work starts."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

# Terraform: the README's prerequisite; hashicorp/terraform-cdk .terraform.versions.json tests 1.5.5 and 1.6.5.
TERRAFORM_MIN = (1, 5, 0)
# Node.js for jsii under CDKTF: hashicorp/terraform-cdk CHANGELOG.md 0.21.0, "minimum Node raised" to 20.9.
NODE_MIN = (20, 9, 0)


class ToolMissing(RuntimeError):
    pass


def _version(text: str) -> tuple[int, ...] | None:
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(x) for x in m.groups()) if m else None


def _check(name: str, binary: str | None, argv_tail: list[str], minimum: tuple[int, ...], hint: str) -> str:
    found = shutil.which(binary or name)
    shown = ".".join(map(str, minimum))
    if not found:
        raise ToolMissing(f"{name} (>= {shown}) is not on PATH; {hint}")
    try:
        out = subprocess.run([found, *argv_tail], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "CHECKPOINT_DISABLE": "1"}).stdout
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ToolMissing(f"{found} does not run ({err}); {hint}") from None
    version = _version(out)
    if version is None:
        raise ToolMissing(f"{found} did not report a version; {hint}")
    if version < minimum:
        raise ToolMissing(f"{found} is version {'.'.join(map(str, version))}; crosscloud needs {name} >= {shown}; {hint}")
    return found


def require_terraform() -> str:
    """The terraform binary on PATH, checked once per PATH."""
    return _terraform(os.environ.get("PATH", ""))


def require_node() -> str:
    return _node(os.environ.get("PATH", ""), os.environ.get("JSII_NODE"))


@functools.lru_cache(maxsize=8)
def _terraform(_path: str) -> str:
    return _check("terraform", None, ["version"], TERRAFORM_MIN,
                  "install it from https://developer.hashicorp.com/terraform/install")


@functools.lru_cache(maxsize=8)
def _node(_path: str, jsii_node: str | None) -> str:
    return _check("node", jsii_node, ["--version"], NODE_MIN,
                  "CDKTF synthesizes through jsii, which runs Node.js; install Node.js 20 LTS or newer")
