"""Warm what `crosscloud synth` loads, so the first synth after `make setup` is as fast as later ones.

    python -m crosscloud.constructs.google.warmup              # bytecode + jsii cache (thin path)
    python -m crosscloud.constructs.google.warmup --prebuilt   # also the prebuilt google package

1. Bytecode. Compiles crosscloud and site-packages with compileall, which writes .pyc files even
   where PYTHONDONTWRITEBYTECODE is set (imports then never write them, and every run would
   recompile whatever pip did not: crosscloud itself, generated.py included). Up-to-date files are
   skipped, so re-running is cheap (~5 s to check site-packages).
2. jsii package cache. Loads cdktf and constructs once through the jsii runtime (a one-resource
   synth with the thin google classes): jsii extracts each package tarball into its cache
   ($JSII_RUNTIME_PACKAGE_CACHE_ROOT, default ~/.cache/aws/jsii/package-cache) and builds the
   runtime index there; a cold cache costs the first synth about a second more. `--prebuilt` also
   loads the prebuilt google package (~20 s once, ~330 MB of cache), which only
   CROSSCLOUD_GOOGLE_BINDINGS=prebuilt and the equivalence tests use. Cache entries unused for
   $JSII_RUNTIME_PACKAGE_CACHE_TTL days (default 30) are dropped by jsii; re-run this then.
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import crosscloud

_SYNTH_ONE = """
import sys, tempfile
from crosscloud.cdk import App, TerraformStack
from crosscloud.constructs.google import generated as g
with tempfile.TemporaryDirectory() as out:
    app = App(outdir=out)
    stack = TerraformStack(app, "warmup")
    g.GoogleProvider(stack, "google", project="warmup")
    g.ComputeNetwork(stack, "network", name="warmup")
    app.synth()
"""


def compile_bytecode() -> list[str]:
    dirs = [Path(crosscloud.__file__).parent]
    for key in ("purelib", "platlib"):
        d = Path(sysconfig.get_paths()[key])
        if d.is_dir() and d not in dirs:
            dirs.append(d)
    failed = []
    for d in dirs:
        if not compileall.compile_dir(str(d), quiet=1, workers=0):
            failed.append(str(d))  # some third-party files do not compile (py2 examples, templates)
    return [str(d) for d in dirs] + [f"(some files failed in {f})" for f in failed]


def warm_jsii(prebuilt: bool) -> None:
    env = dict(os.environ)
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    env.pop("CROSSCLOUD_GOOGLE_BINDINGS", None)
    subprocess.run([sys.executable, "-c", _SYNTH_ONE], env=env, check=True)
    if prebuilt:
        subprocess.run([sys.executable, "-c", "import cdktn_provider_google.compute_network"], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crosscloud.constructs.google.warmup",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--prebuilt", action="store_true", help="also warm the prebuilt google package (~20 s once)")
    ap.add_argument("--no-compile", action="store_true", help="skip the bytecode step")
    args = ap.parse_args(argv)
    if os.environ.get("JSII_RUNTIME_PACKAGE_CACHE", "enabled") != "enabled":
        print("warmup: JSII_RUNTIME_PACKAGE_CACHE is not 'enabled': jsii will not use its package cache",
              file=sys.stderr)
    if not args.no_compile:
        t0 = time.perf_counter()
        dirs = compile_bytecode()
        print(f"warmup: bytecode compiled in {time.perf_counter() - t0:.1f}s: {', '.join(dirs)}", file=sys.stderr)
    t0 = time.perf_counter()
    warm_jsii(args.prebuilt)
    root = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT") or "~/.cache/aws/jsii/package-cache (jsii default)"
    what = "cdktn, constructs" + (", @cdktn/provider-google" if args.prebuilt else "")
    print(f"warmup: jsii package cache ({what}) warm in {time.perf_counter() - t0:.1f}s: {root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
