"""L2: the ACK One fleet (hub) in the Alibaba VPC, and the membership of the Alibaba clusters.

The GKE cluster joins later, as a registered cluster, which Terraform cannot create; see
crosscloud/fleet/.
"""

from __future__ import annotations

from typing import Sequence

from ..cdk import Construct
from ..config import Topology
from . import alicloud
from .clusters import AlibabaCluster
from .network import AlibabaNetwork


class AckOneFleet(Construct):
    """The hub. It needs only the VPC, so it is created beside the clusters, not after them."""

    def __init__(self, scope: Construct, id: str, topology: Topology, network: AlibabaNetwork):
        super().__init__(scope, id)
        self.hub = alicloud.AckOneCluster(
            self, "hub", cluster_name=f"{topology.name}-fleet", profile="Default",
            network=alicloud.AckOneClusterNetwork(vpc_id=network.vpc.id, vswitches=[network.vswitches[0].id]),
            argocd_enabled=False)  # the provider requires it off before the fleet can be destroyed
        self.hub.override_logical_id("fleet")


class FleetMembers(Construct):
    """One membership attachment per Alibaba cluster, once both the hub and the cluster exist."""

    def __init__(self, scope: Construct, id: str, fleet: AckOneFleet, members: Sequence[tuple[str, AlibabaCluster]]):
        super().__init__(scope, id)
        self.memberships = []
        previous = None
        for name, member in members:
            # Attachments mutate the same hub: one at a time.
            attachment = alicloud.AckOneMembershipAttachment(
                self, f"member-{name}", cluster_id=fleet.hub.id, sub_cluster_id=member.cluster.id,
                depends_on=[previous] if previous else None)
            attachment.override_logical_id(f"member_{name.replace('-', '_')}")
            self.memberships.append(attachment)
            previous = attachment
