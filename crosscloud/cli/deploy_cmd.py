from __future__ import annotations

from pathlib import Path

import click

from ._common import config_option, json_option, print_json
from .run_options import make_runner, target_option


@click.command()
@config_option
@target_option
@click.option("--link-timeout", type=float, default=600, show_default=True,
              help="Seconds to wait for the IPsec link to come up on both sides and routes to publish.")
@click.option("--skip-fleet-phase", is_flag=True,
              help="Stop after the Terraform stacks and the VPN wait: no GKE registration, no manifests.")
@json_option
@click.pass_context
def deploy(ctx: click.Context, config_path: Path, target: str, link_timeout: float, skip_fleet_phase: bool,
           as_json: bool) -> None:
    """Synthesize and apply every stack in dependency order (network; then vpn, the Alibaba
    clusters, GKE and the fleet hub side by side; then the fleet members), independent stacks
    concurrently; register GKE in ACK One as soon as GKE and the hub exist; wait until the IPsec
    link is up on both sides and every policy route is published; then the rest of the ACK One
    phase: the GKE cluster joins the fleet, apply
    the multi-cluster manifests with the real cluster ids, wait until each consumer has the consumer
    Service (<svc> with fleet.service_discovery multicluster-service, amcs-<svc> with service-export).

    Safe to re-run: after a failure or Ctrl-C the same command continues and converges; with
    nothing changed it applies nothing. Full terraform logs: <state-dir>/logs/<run>/<stack>.log.
    """
    from ..fleet import fleet_phase_steps
    from ..runner.deploy import deploy as run_deploy

    runner = make_runner(ctx, config_path, target, quiet=False)
    fleet = {} if skip_fleet_phase else fleet_phase_steps()
    result = run_deploy(runner, link_timeout=link_timeout, after_link=fleet)  # failures: cli._common.run_guarded
    changed = result["changed"]
    if as_json:
        print_json({"target": target, "changed": changed, "link": result["link"]})
        return
    fleet_note = "" if skip_fleet_phase else "; fleet ready (crosscloud verify checks it end to end)"
    runner.report.success(f"deployed: {'changed ' + ', '.join(changed) if changed else 'nothing to change'}; IPsec link up{fleet_note}")
