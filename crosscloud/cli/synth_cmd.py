from __future__ import annotations

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
    """Synthesize the Terraform for every stack (network, vpn, clusters, fleet).

    The output is deterministic (byte-identical for the same topology) and contains no secrets:
    the IPsec pre-shared key is the sensitive variable `ipsec_psk` (set TF_VAR_ipsec_psk).
    """
    topology = load_or_exit(config_path)
    from ..synth import synth as run_synth

    if not as_json:
        click.echo(f"Synthesizing {config_path} -> {outdir}/ …", err=True)
    result = run_synth(topology, outdir, hcl=hcl)
    counts = result.resource_counts()
    if as_json:
        print_json({"outdir": str(outdir), "stacks": counts})
        return
    for stack, types in counts.items():
        total = sum(types.values())
        click.secho(f"{stack}: {total} resource(s) -> {outdir}/stacks/{stack}/", bold=True)
        for rtype, n in types.items():
            click.echo(f"    {n:>2} × {rtype}")
