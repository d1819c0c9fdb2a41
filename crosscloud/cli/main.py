"""The `crosscloud` command. Each verb lives in its own module and is loaded only when run,
so `--help` and light commands never pay for the CDKTF/google imports."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

# verb -> (module, attribute, one-line help shown in `crosscloud --help`)
COMMANDS = {
    "validate": ("crosscloud.cli.validate_cmd", "validate", "Check a topology file; list every problem at once."),
    "synth": ("crosscloud.cli.synth_cmd", "synth", "Synthesize the Terraform for every stack (JSON, optionally HCL)."),
    "plan": ("crosscloud.cli.plan_cmd", "plan", "Plan every stack: changes, drift, consequences; --format markdown for a PR comment."),
    "deploy": ("crosscloud.cli.deploy_cmd", "deploy", "Apply every stack in order; wait for the VPN; resumable."),
    "verify": ("crosscloud.cli.verify_cmd", "verify", "End-to-end checks: VPN, routes, fleet, services, consumer probe."),
    "status": ("crosscloud.cli.status_cmd", "status", "Stacks, VPN link on both sides, routes, clusters, fleet."),
    "destroy": ("crosscloud.cli.destroy_cmd", "destroy", "Destroy every stack in reverse order."),
    "diff": ("crosscloud.cli.diff_cmd", "diff", "Compare two synth outputs attribute by attribute."),
    "manifests": ("crosscloud.cli.manifests_cmd", "manifests", "Render the ACK One multi-cluster manifests for review."),
    "sandbox": ("crosscloud.cli.sandbox_cmd", "sandbox", "The local twin of both clouds: env, ls, reset."),
}


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # known before any parsing, so even a usage error is answered in JSON under --json
        if "--json" in args:
            from ._common import JSON_META

            ctx.meta[JSON_META] = True
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        from ._common import run_guarded

        return run_guarded(ctx, lambda: super(LazyGroup, self).invoke(ctx))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help straight from the table: listing commands must not import them.
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, _, help_) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=".crosscloud", show_default=True,
              envvar="CROSSCLOUD_STATE_DIR", help="Where crosscloud keeps state: the sandbox, run journal, logs.")
@click.version_option(package_name="crosscloud")
@click.pass_context
def cli(ctx: click.Context, state_dir: Path) -> None:
    """crosscloud joins Alibaba Cloud clusters (ASK, ACS, ACK) and Google GKE clusters into one
    ACK One fleet over an IPsec VPN, from one topology file.

    Everything runs against the sandbox (a local twin of both clouds) unless a
    command is given --target clouds.

    \b
    Start here:
      crosscloud validate -c examples/seed.yaml    check the topology
      crosscloud synth -c examples/seed.yaml       write the Terraform to cdktf.out/
      crosscloud deploy -c examples/seed.yaml      stacks, VPN wait, ACK One phase
      crosscloud verify -c examples/seed.yaml      end-to-end checks
      crosscloud destroy -c examples/seed.yaml     tear it all down
      eval "$(crosscloud sandbox env)"             point plain terraform at the sandbox

    Commands run as forked children of a background process that has done the
    imports once (it exits after 5 idle minutes); CROSSCLOUD_CLI_FORKSERVER=off
    runs each command in its own process.
    """
    ctx.ensure_object(dict)
    ctx.obj["state_dir"] = state_dir
