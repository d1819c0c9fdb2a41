"""Topology -> synthesized Terraform on disk (JSON always, HCL on request).

Output is deterministic: relative backend paths, stable logical ids, sorted keys, no timestamps,
so the same topology gives byte-identical files wherever and whenever it is synthesized. Files
are replaced only once the whole synth succeeded, so a failure leaves the previous output intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import Topology
from .stackgraph import STACK_ORDER

STACK_FILE = "cdk.tf.json"
HCL_FILE = "cdk.tf"
CDKTF_JSON = "cdktf.json"
DEFAULT_OUTPUT = "cdktf.out"  # what cdktf/cdktn use when cdktf.json names no "output"


def project_output_dir(project_dir: Path) -> Path | None:
    """The ``output`` folder the project's cdktf.json names (cdktf/cdktn synthesize and keep
    local state there), or None when ``project_dir`` holds no cdktf.json."""
    config = project_dir / CDKTF_JSON
    if not config.is_file():
        return None
    try:
        output = json.loads(config.read_text()).get("output") or DEFAULT_OUTPUT
    except ValueError as err:
        raise ValueError(f"{config}: not valid JSON ({err})") from err
    return (project_dir / output).resolve()


@dataclass
class SynthResult:
    outdir: Path
    stacks: dict[str, dict] = field(default_factory=dict)  # stack -> parsed cdk.tf.json

    def resource_counts(self) -> dict[str, dict[str, int]]:
        """stack -> {resource type: count}"""
        return {name: {rtype: len(items) for rtype, items in sorted(doc.get("resource", {}).items())}
                for name, doc in self.stacks.items()}


def synthesize_documents(topology: Topology) -> tuple[dict, dict[str, dict]]:
    """Run the CDKTF app in a scratch directory; return (manifest, {stack: document})."""
    from .cdk import App
    from .stacks import build_stacks

    with tempfile.TemporaryDirectory(prefix="crosscloud-synth-") as scratch:
        app = App(outdir=scratch, skip_validation=False, stack_traces=False)
        build_stacks(app, topology)
        app.synth()
        manifest = json.loads(Path(scratch, "manifest.json").read_text())
        docs = {name: json.loads(Path(scratch, manifest["stacks"][name]["synthesizedStackPath"]).read_text())
                for name in STACK_ORDER}
    return manifest, docs


def render_json(doc: dict) -> str:
    # Exactly what `cdktf synth`/`cdktn synth` write (no final newline), so the files of either
    # tool diff cleanly against each other.
    return json.dumps(doc, indent=2, sort_keys=True)


def synth(topology: Topology, outdir: Path | str = "cdktf.out", *, hcl: bool = False) -> SynthResult:
    outdir = Path(outdir)
    manifest, docs = synthesize_documents(topology)
    files = {Path("manifest.json"): render_json(manifest)}
    for name, doc in docs.items():
        files[Path("stacks", name, STACK_FILE)] = render_json(doc)
    if hcl:
        from .hcl import to_hcl

        for name, doc in docs.items():
            files[Path("stacks", name, HCL_FILE)] = to_hcl(doc)
    _write_all(outdir, files, stale=[Path("stacks", name, HCL_FILE) for name in docs] if not hcl else [])
    return SynthResult(outdir=outdir, stacks=docs)


def _write_all(outdir: Path, files: dict[Path, str], stale: list[Path]) -> None:
    """Write every file to a temp name first, then rename them all into place."""
    staged = []
    try:
        for rel, text in files.items():
            target = outdir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.chmod(tmp, 0o644)
            staged.append((tmp, target))
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    for rel in stale:
        (outdir / rel).unlink(missing_ok=True)
    # Stacks that no longer exist in the topology would otherwise be deployed from old files.
    stacks_dir = outdir / "stacks"
    wanted = {rel.parts[1] for rel in files if rel.parts[0] == "stacks"}
    for old in stacks_dir.iterdir() if stacks_dir.is_dir() else []:
        if old.is_dir() and old.name not in wanted:
            (old / STACK_FILE).unlink(missing_ok=True)
            (old / HCL_FILE).unlink(missing_ok=True)


__all__ = ["SynthResult", "synth", "synthesize_documents", "render_json"]
