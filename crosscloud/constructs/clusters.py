"""L2 clusters: ASK (ACK managed, Serverless profile) and GKE Standard with its own node pool."""

from __future__ import annotations

from ..cdk import Construct
from ..config import Topology
from ..config.model import Cluster
from . import alicloud
from .google import bindings
from .network import PODS_RANGE, SERVICES_RANGE, AlibabaNetwork, GcpNetwork, gke_node_tag


def cluster_name(t: Topology, cluster: Cluster) -> str:
    return f"{t.name}-{cluster.name}"


def logical_name(cluster: Cluster) -> str:
    return cluster.name.replace("-", "_")


class AskCluster(Construct):
    """`alicloud_cs_managed_kubernetes` with profile Serverless (`cs_serverless_kubernetes` is
    deprecated), in every vSwitch of the VPC, with a public API endpoint so its kubeconfig works
    from where crosscloud runs."""

    def __init__(self, scope: Construct, id: str, topology: Topology, cluster: Cluster, network: AlibabaNetwork):
        super().__init__(scope, id)
        self.cluster = alicloud.CsManagedKubernetes(
            self, "cluster", name=cluster_name(topology, cluster), profile="Serverless", cluster_spec="ack.pro.small",
            vswitch_ids=[v.id for v in network.vswitches], service_cidr=cluster.service_cidr,
            new_nat_gateway=True, slb_internet_enabled=True, deletion_protection=False,
            skip_set_certificate_authority=True)  # no client key in Terraform state; credentials come
                                                  # from the expiring cluster_credential below
        self.cluster.override_logical_id(logical_name(cluster))
        # The provider always returns the public-endpoint kubeconfig (slb_internet_enabled above).
        self.credential = alicloud.DataCsClusterCredential(self, "credential", cluster_id=self.cluster.id,
                                                           temporary_duration_minutes=4320)
        self.credential.override_logical_id(f"{logical_name(cluster)}_credential")


class GkeCluster(Construct):
    """A zonal GKE Standard cluster, VPC-native on the subnet's secondary ranges, default pool
    removed in favour of a managed node pool, deletion protection off so teardown works."""

    def __init__(self, scope: Construct, id: str, topology: Topology, cluster: Cluster, network: GcpNetwork):
        super().__init__(scope, id)
        g = bindings()
        name = cluster_name(topology, cluster)
        location = topology.gcp.gke_location
        self.cluster = g.ContainerCluster(
            self, "cluster", name=name, location=location, network=network.network.id,
            subnetwork=network.subnet.id, networking_mode="VPC_NATIVE",
            ip_allocation_policy=g.ContainerClusterIpAllocationPolicy(
                cluster_secondary_range_name=PODS_RANGE, services_secondary_range_name=SERVICES_RANGE),
            remove_default_node_pool=True, initial_node_count=1, deletion_protection=False)
        self.cluster.override_logical_id(logical_name(cluster))
        self.node_pool = g.ContainerNodePool(
            self, "node-pool", name=f"{cluster.name}-pool"[:40], cluster=self.cluster.id, location=location,
            node_count=cluster.node_count,
            node_config=g.ContainerNodePoolNodeConfig(machine_type=cluster.machine_type, tags=[gke_node_tag(topology)],
                                                      oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"]))
        self.node_pool.override_logical_id(f"{logical_name(cluster)}_pool")
