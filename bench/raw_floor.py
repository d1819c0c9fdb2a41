#!/usr/bin/env python3
"""The floor for `crosscloud synth`: the same CLI and stacks, with the google classes replaced by
the least cdktf can take -- one bare `TerraformResource` subclass per type whose keyword arguments
go straight into `_synthesize_attributes`, and plain dicts for blocks (no generated module, no
struct classes, no names to map: the constructs only use names where Python == Terraform).

    python bench/raw_floor.py -c examples/seed.yaml -o DIR     # same options as `crosscloud synth`

Benchmark-only: it patches `crosscloud.constructs.google.bindings` in this process; the output is
meant to be byte-identical to the thin and prebuilt paths (bench/synth.sh checks it).
"""

from __future__ import annotations

import sys
import types
from typing import Any


def _raw_bindings() -> types.ModuleType:
    from crosscloud.cdk import TerraformProvider, TerraformProviderGeneratorMetadata, TerraformResource

    meta = TerraformProviderGeneratorMetadata(provider_name="google", provider_version="6.50.0")

    def plain(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items() if x is not None}
        return v

    class Raw(TerraformResource):
        TYPE = ""

        def __init__(self, scope, id_, *, depends_on=None, **kw):
            super().__init__(scope, id_, terraform_resource_type=self.TYPE, terraform_generator_metadata=meta,
                             depends_on=depends_on)
            self._kw = {k: v for k, v in kw.items() if v is not None}

        def _synthesize_attributes(self):
            return plain(self._kw)

        id = property(lambda self: self.get_string_attribute("id"))
        address = property(lambda self: self.get_string_attribute("address"))
        endpoint = property(lambda self: self.get_string_attribute("endpoint"))

    class GoogleProvider(TerraformProvider):
        def __init__(self, scope, id, **kw):
            super().__init__(scope, id, terraform_resource_type="google", terraform_generator_metadata=meta,
                             terraform_provider_source="google")
            self._kw = kw

        def _synthesize_attributes(self):
            return plain(self._kw)

    ns = types.ModuleType("raw_google")
    for name, tf_type in {
        "ComputeAddress": "google_compute_address", "ComputeFirewall": "google_compute_firewall",
        "ComputeForwardingRule": "google_compute_forwarding_rule", "ComputeNetwork": "google_compute_network",
        "ComputeRoute": "google_compute_route", "ComputeSubnetwork": "google_compute_subnetwork",
        "ComputeVpnGateway": "google_compute_vpn_gateway", "ComputeVpnTunnel": "google_compute_vpn_tunnel",
        "ContainerCluster": "google_container_cluster", "ContainerNodePool": "google_container_node_pool",
        "ProjectService": "google_project_service",
    }.items():
        setattr(ns, name, type(name, (Raw,), {"TYPE": tf_type}))
    for struct in ("ComputeFirewallAllow", "ComputeSubnetworkSecondaryIpRange", "ContainerClusterIpAllocationPolicy",
                   "ContainerNodePoolNodeConfig"):
        setattr(ns, struct, dict)
    ns.GoogleProvider = GoogleProvider
    return ns


def main() -> None:
    import crosscloud.constructs.google as google

    cache: list[types.ModuleType] = []
    google.bindings = lambda: cache[0] if cache else cache.append(_raw_bindings()) or cache[0]
    from crosscloud.cli.main import cli

    sys.argv[0] = "crosscloud"  # so the synth command ends the process the way the real CLI does
    cli(["synth", *sys.argv[1:]], prog_name="crosscloud")


if __name__ == "__main__":
    main()
