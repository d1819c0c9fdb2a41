"""The ACK One phase: what Terraform cannot do (GKE registration, hub access, multi-cluster
manifests), through the official Alibaba Cloud SDKs and the `kubernetes` client."""

FLEET_STEP = "ackone"
REGISTER_STEP = "ackone-register"


def fleet_phase_steps() -> dict:
    """The deploy steps of the ACK One phase, name -> (needs, hook): the GKE registration starts
    once the GKE clusters and the hub are applied, beside the members and the link wait; the
    rest (join, manifests) once everything it needs is there."""
    registered: dict[str, str] = {}  # what the registration step found or made, for the next step

    def register(runner) -> None:
        from .context import fleet_context
        from .phase import register_gke_clusters

        with fleet_context(runner) as ctx:
            registered.update(register_gke_clusters(ctx))

    def finish(runner) -> None:
        from .context import fleet_context
        from .phase import run_fleet_phase

        with fleet_context(runner) as ctx:
            run_fleet_phase(ctx, dict(registered))

    return {REGISTER_STEP: (("gke", "fleet"), register),
            FLEET_STEP: ((REGISTER_STEP, "vpn-link", "members"), finish)}


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
