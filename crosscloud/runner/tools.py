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
        st = os.stat(found)
    except OSError as err:
        raise ToolMissing(f"{found} does not run ({err}); {hint}") from None
    # the same file (an upgrade in place changes its mtime or size) is asked once per process and
    # once per CLI fork server, whose children inherit the answer
    return _checked(name, found, (st.st_ino, st.st_mtime_ns, st.st_size), tuple(argv_tail), minimum, hint)


@functools.lru_cache(maxsize=16)
def _checked(name: str, found: str, _identity: tuple[int, int, int], argv_tail: tuple[str, ...],
             minimum: tuple[int, ...], hint: str) -> str:
    shown = ".".join(map(str, minimum))
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
    """The terraform binary on PATH, its version checked once per binary file."""
    return _check("terraform", None, ["version"], TERRAFORM_MIN,
                  "install it from https://developer.hashicorp.com/terraform/install")


def require_node() -> str:
    """The node jsii runs ($JSII_NODE, else node on PATH), its version checked once per binary file."""
    return _check("node", os.environ.get("JSII_NODE"), ["--version"], NODE_MIN,
                  "CDKTF synthesizes through jsii, which runs Node.js; install Node.js 20 LTS or newer")


def preload() -> None:
    """Check the tools on this process's PATH now (the CLI fork server, for its children); a
    missing one is reported when a command needs it."""
    for require in (require_terraform, require_node):
        try:
            require()
        except ToolMissing:
            pass
