from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

import click

from ._common import config_option, json_option, load_or_exit, print_json


@click.command()
@config_option
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default="cdktf.out",
              show_default=True, help="Output directory: manifest.json and stacks/<stack>/cdk.tf.json.")
@click.option("--hcl", is_flag=True, help="Also write stacks/<stack>/cdk.tf (HCL, terraform-fmt clean).")
@json_option
def synth(config_path: Path, outdir: Path, hcl: bool, as_json: bool) -> None:
    """Synthesize the Terraform for every stack (network, vpn, clusters, fleet, members).

    The output is deterministic (byte-identical for the same topology, and to what `cdktn synth`
    writes) and contains no secrets: the IPsec pre-shared key is the sensitive variable
    `ipsec_psk` (set TF_VAR_ipsec_psk) and, write-only for the GCP tunnels, the ephemeral
    `ipsec_psk_wo` (crosscloud fills it from TF_VAR_ipsec_psk).
    """
    topology = load_or_exit(config_path)
    from ..runner.tools import require_node
    from ..synth import synth as run_synth

    require_node()

    if not as_json:
        click.echo(f"Synthesizing {config_path} -> {outdir}/ …", err=True)
    result = run_synth(topology, outdir, hcl=hcl)
    counts = result.resource_counts()
    if as_json:
        print_json({"outdir": str(outdir), "stacks": counts})
        _exit_now_if_cli()
        return
    for stack, types in counts.items():
        total = sum(types.values())
        click.secho(f"{stack}: {total} resource(s) -> {outdir}/stacks/{stack}/", bold=True)
        for rtype, n in types.items():
            click.echo(f"    {n:>2} × {rtype}")
    _exit_now_if_cli()


def _exit_now_if_cli() -> None:
    """Skip CPython's teardown of the jsii/CDKTF module graph once everything is written (~0.25 s
    with the thin google bindings, ~2.4 s with the prebuilt package). Only when this process is
    the crosscloud CLI itself (console script or `python -m crosscloud.cli.main_entry`) on the real
    stdout/stderr -- never in-process (CliRunner, pytest, library callers). The output files are
    already closed and renamed into place; atexit handlers still run (jsii stops node, which
    removes its temp directories)."""
    main = sys.modules.get("__main__")
    is_cli = (getattr(getattr(main, "__spec__", None), "name", None) == "crosscloud.cli.main_entry"
              or os.path.basename(sys.argv[0]) == "crosscloud")
    forked = getattr(sys.modules.get("crosscloud.cli.forkserver"), "IN_CHILD", False)  # exits on its own path
    if not is_cli or forked or sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # e.g. a closed pipe: leave it to the normal exit to report
        return
    atexit._run_exitfuncs()
    os._exit(0)
