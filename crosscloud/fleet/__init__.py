"""The ACK One phase: what Terraform cannot do (GKE registration, hub access, multi-cluster
manifests), through the official Alibaba Cloud SDKs and the `kubernetes` client."""

FLEET_STEP = "ackone"
FLEET_STEP_NEEDS = ("vpn-link", "members")


def fleet_phase_step(runner) -> None:
    from .context import fleet_context
    from .phase import run_fleet_phase

    with fleet_context(runner) as ctx:
        run_fleet_phase(ctx)


def fleet_teardown_step(runner) -> None:
    if not runner.ws.is_applied("fleet"):
        return
    from .context import fleet_context
    from .phase import teardown

    with fleet_context(runner) as ctx:
        teardown(ctx)


def settle_step(runner) -> None:
    """After a destroy: a target that can catch up at once (the sandbox's controllers) does."""
    if runner.target.settle is not None:
        runner.target.settle()
