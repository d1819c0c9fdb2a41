"""The prebuilt google classes crosscloud uses, by submodule (never the package root)."""

from ...cdk import Construct  # noqa: F401  (loads jsii/cdktf first, with the Node banner silenced)
from cdktn_provider_google.compute_address import ComputeAddress  # noqa: F401
from cdktn_provider_google.compute_firewall import ComputeFirewall, ComputeFirewallAllow  # noqa: F401
from cdktn_provider_google.compute_forwarding_rule import ComputeForwardingRule  # noqa: F401
from cdktn_provider_google.compute_network import ComputeNetwork  # noqa: F401
from cdktn_provider_google.compute_route import ComputeRoute  # noqa: F401
from cdktn_provider_google.compute_subnetwork import ComputeSubnetwork, ComputeSubnetworkSecondaryIpRange  # noqa: F401
from cdktn_provider_google.compute_vpn_gateway import ComputeVpnGateway  # noqa: F401
from cdktn_provider_google.compute_vpn_tunnel import ComputeVpnTunnel  # noqa: F401
from cdktn_provider_google.container_cluster import ContainerCluster, ContainerClusterIpAllocationPolicy  # noqa: F401
from cdktn_provider_google.container_node_pool import ContainerNodePool, ContainerNodePoolNodeConfig  # noqa: F401
from cdktn_provider_google.project_service import ProjectService  # noqa: F401
from cdktn_provider_google.provider import GoogleProvider  # noqa: F401
