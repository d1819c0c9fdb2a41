"""L2 clusters: Alibaba ASK / ACS / ACK (ACK managed, by profile) and GKE Standard with its own node pool."""

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


# ACK managed cluster profile per Alibaba cluster kind (alicloud_cs_managed_kubernetes `profile`,
# since v1.250.0: Default | Edge | Serverless | Acs; aliyun/terraform-provider-alicloud v1.289.0
# website/docs/r/cs_managed_kubernetes.html.markdown). ASK creation is closed to accounts that never
# made one (alibabacloud.com/help/en/doc-detail/86366.html, since 2025-02-17): new accounts use acs or ack.
PROFILES = {"ask": "Serverless", "acs": "Acs", "ack": "Default"}
# ACK with Terway gives pods addresses from the pod vSwitches, i.e. VPC addresses, which the VPN
# selectors (the VPC CIDR) and the GCP routes already carry; Flannel's overlay pod CIDR would be a
# range outside the VPC needing its own selectors and routes. Addon names: ACK network plugin docs.
TERWAY_ADDON = "terway-eniip"
VIRTUAL_NODE_ADDON = "ack-virtual-node"
NODE_POOL_DISK = ("cloud_essd", 40)


class AlibabaCluster(Construct):
    """`alicloud_cs_managed_kubernetes` in every vSwitch of the VPC, public API endpoint (so its
    kubeconfig works from where crosscloud runs), per kind:

    ask  profile Serverless (`cs_serverless_kubernetes` is deprecated): pods on ECI in the vSwitches
    acs  profile Acs: pods (ACS compute) in the vSwitches
    ack  profile Default, ACK Pro, Terway with the cluster's pod vSwitches; capacity from an ECS node
         pool (`alicloud_cs_kubernetes_node_pool`) or from virtual nodes (ECI, the ack-virtual-node addon)
    """

    def __init__(self, scope: Construct, id: str, topology: Topology, cluster: Cluster, network: AlibabaNetwork):
        super().__init__(scope, id)
        ack = cluster.kind == "ack"
        addons = None
        if ack:
            addons = [alicloud.CsManagedKubernetesAddons(name=TERWAY_ADDON)]
            if cluster.capacity == "virtual-nodes":
                addons.append(alicloud.CsManagedKubernetesAddons(name=VIRTUAL_NODE_ADDON))
        pod_vswitches = network.pod_vswitches.get(cluster.name, [])
        self.cluster = alicloud.CsManagedKubernetes(
            self, "cluster", name=cluster_name(topology, cluster), profile=PROFILES[cluster.kind],
            cluster_spec="ack.pro.small", vswitch_ids=[v.id for v in network.vswitches],
            service_cidr=cluster.service_cidr, new_nat_gateway=True, slb_internet_enabled=True,
            deletion_protection=False, pod_vswitch_ids=[v.id for v in pod_vswitches] if ack else None,
            addons=addons,
            skip_set_certificate_authority=True)  # no client key in Terraform state; credentials come
                                                  # from the expiring cluster_credential below
        self.cluster.override_logical_id(logical_name(cluster))
        self.node_pool = None
        if ack and cluster.capacity == "node-pool":
            category, size = NODE_POOL_DISK
            self.node_pool = alicloud.CsKubernetesNodePool(
                self, "node-pool", cluster_id=self.cluster.id, node_pool_name=f"{cluster.name}-pool"[:63],
                vswitch_ids=[v.id for v in network.vswitches], instance_types=[cluster.instance_type],
                desired_size=str(cluster.node_count), system_disk_category=category, system_disk_size=size)
            self.node_pool.override_logical_id(f"{logical_name(cluster)}_pool")
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
            subnetwork=network.subnets[cluster.name].id, networking_mode="VPC_NATIVE",
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
