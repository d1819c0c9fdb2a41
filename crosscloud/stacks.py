"""Stacks, split by lifecycle, and the order they run in.

network  — both VPCs and subnets (fast; everything else needs them)
vpn      — both sides of the IPsec link and its routes (each side needs the other's public IP)
clusters — the Alibaba clusters (ASK / ACS / ACK) and their security group rules; needs only the networks, so it runs beside `vpn`, not after it
gke      — the GKE clusters and node pools (before 2026-12 they were in `clusters`: runner/migrate.py moves old state)
fleet    — the ACK One hub; needs only the network, so it too runs beside the clusters
members  — the Alibaba clusters' fleet memberships (needs clusters and fleet)

Stack names and construct ids are Terraform addresses and state keys: keep them stable.
"""

from __future__ import annotations

from .cdk import App, CloudBackend, Construct, LocalBackend, NamedCloudWorkspace, TerraformOutput, TerraformStack, TerraformVariable
from .config import Topology
from .constructs.access import ServiceAccess
from .constructs.alicloud import AlicloudProvider
from .constructs.clusters import AlibabaCluster, GkeCluster
from .constructs.fleet import AckOneFleet, FleetMembers
from .constructs.google import PROVIDER_VERSION_CONSTRAINT as GOOGLE_VERSION_CONSTRAINT, bindings
from .constructs.ipsec import IpsecLink
from .constructs.network import AlibabaNetwork, GcpNetwork
from .stackgraph import PSK_VARIABLE, PSK_WRITE_ONLY_VARIABLE, STACK_DEPENDENCIES



def state_file(stack: str) -> str:
    # Relative to the stack's own directory and written the same way for every stack, so the
    # remote-state reads cdktf generates for cross-stack references resolve from any sibling.
    return f"../{stack}/terraform.{stack}.tfstate"


class CrosscloudStack(TerraformStack):
    def __init__(self, scope: Construct, name: str, topology: Topology, *, alibaba: bool = True, google: bool = True):
        super().__init__(scope, name)
        t = topology
        if t.backend.type == "cloud":
            CloudBackend(self, organization=t.backend.organization, hostname=t.backend.hostname,
                         workspaces=NamedCloudWorkspace(f"{t.backend.workspace_prefix}-{name}"))
        else:
            LocalBackend(self, path=state_file(name))
        if alibaba:
            AlicloudProvider(self, "alicloud", region=t.alibaba.region)
        if google:
            bindings().GoogleProvider(self, "google", project=t.gcp.project, region=t.gcp.region)
            # The bindings pin the exact version they were generated from; we accept the range.
            self.add_override("terraform.required_providers.google.version", GOOGLE_VERSION_CONSTRAINT)


#: What the synthesized stacks need: write-only attributes and ephemeral variables (the GCP
#: tunnels' PSK) arrived in Terraform 1.11. cdktn refuses write-only attributes unless the
#: project targets it (its `targetVersions` context; cdktf.json says the same for the cdktn CLI).
TARGET_VERSIONS = {"terraform": ">=1.11.0"}


def build_stacks(app: App, topology: Topology) -> dict[str, TerraformStack]:
    app.node.set_context("targetVersions", TARGET_VERSIONS)  # before any stack: also under cdktf-cli
    t = topology
    network = CrosscloudStack(app, "network", t)
    alibaba_net = AlibabaNetwork(network, "alibaba", t)
    gcp_net = GcpNetwork(network, "gcp", t)

    TerraformOutput(network, "alibaba_vpc_id", value=alibaba_net.vpc.id)
    TerraformOutput(network, "alibaba_vswitch_ids", value=[v.id for v in alibaba_net.vswitches])
    TerraformOutput(network, "gcp_network_id", value=gcp_net.network.id)

    vpn = CrosscloudStack(app, "vpn", t)
    psk = TerraformVariable(vpn, PSK_VARIABLE, type="string", sensitive=True, nullable=False,
                            description="IPsec pre-shared key of the Alibaba connection (alicloud has no write-only PSK: it rests in this stack's state)")
    psk_wo = TerraformVariable(vpn, PSK_WRITE_ONLY_VARIABLE, type="string", sensitive=True, nullable=False,
                               description="The same IPsec pre-shared key, ephemeral: for the GCP tunnels' "
                                           "write-only secret (kept out of plan and state)")
    psk_wo.add_override("ephemeral", True)
    for variable in (psk, psk_wo):  # the CDK's HCL printer drops false settings (cdktn 0.24
        variable.add_override("nullable", False)  # terraform-variable.js); overrides reach both outputs
    link = IpsecLink(vpn, "ipsec", t, alibaba_net, gcp_net, psk.string_value, psk_wo.string_value)
    TerraformOutput(vpn, "alibaba_vpn_gateway_ips", value=[link.alibaba_gateway.internet_ip] + (
        [link.alibaba_gateway.disaster_recovery_internet_ip] if t.vpn.mode == "dual" else []))
    TerraformOutput(vpn, "gcp_vpn_ip", value=link.gcp_address.address)
    TerraformOutput(vpn, "alibaba_vpn_connection_id", value=link.connection.id)
    TerraformOutput(vpn, "gcp_tunnel_ids", value={role: tunnel.id for role, tunnel in link.tunnels.items()})

    clusters = CrosscloudStack(app, "clusters", t, google=False)
    gke = CrosscloudStack(app, "gke", t, alibaba=False)
    built = {}
    for c in t.clusters:
        if c.cloud == "alibaba":  # ask, acs, ack
            built[c.name] = AlibabaCluster(clusters, c.name, t, c, alibaba_net)
        else:
            built[c.name] = GkeCluster(gke, c.name, t, c, gcp_net)
    alibaba_built = {name: b for name, b in built.items() if isinstance(b, AlibabaCluster)}
    gke_built = {name: b for name, b in built.items() if isinstance(b, GkeCluster)}
    ServiceAccess(clusters, "access", t, built)  # provider security groups admit the consumers
    TerraformOutput(clusters, "cluster_ids", value={name: b.cluster.id for name, b in alibaba_built.items()})
    # The fleet phase reaches the Alibaba clusters (ask, acs, ack) through this; it stays in state
    # and in memory, never printed. The name predates acs/ack and is kept (state, other readers).
    TerraformOutput(clusters, "ask_kubeconfigs", sensitive=True, value={
        name: b.credential.kube_config for name, b in alibaba_built.items()})
    TerraformOutput(gke, "cluster_ids", value={name: b.cluster.id for name, b in gke_built.items()})
    TerraformOutput(gke, "gke_endpoints", value={name: b.cluster.endpoint for name, b in gke_built.items()})
    TerraformOutput(gke, "gke_ca_certificates", value={
        name: f"${{{b.cluster.terraform_resource_type}.{b.cluster.friendly_unique_id}.master_auth[0].cluster_ca_certificate}}"
        for name, b in gke_built.items()})

    fleet = CrosscloudStack(app, "fleet", t, google=False)
    hub = AckOneFleet(fleet, "ackone", t, alibaba_net)
    TerraformOutput(fleet, "fleet_id", value=hub.hub.id)

    members = CrosscloudStack(app, "members", t, google=False)
    FleetMembers(members, "ackone", hub, list(alibaba_built.items()))

    stacks = {"network": network, "vpn": vpn, "clusters": clusters, "gke": gke, "fleet": fleet, "members": members}
    for name, deps in STACK_DEPENDENCIES.items():
        for dep in deps:
            stacks[name].add_dependency(stacks[dep])
    return stacks
