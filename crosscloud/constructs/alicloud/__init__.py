"""Typed L1 classes for the alicloud types crosscloud uses, one class per Terraform type.

Argument names are the provider's current ones (not the deprecated `name` etc.); the schema data
the sandbox serves (crosscloud/sandbox/schemas/alicloud.json) is cross-checked against these
classes by tests/constructs/test_alicloud_contract.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from ...cdk import Construct
from ._base import (
    PROVIDER_SOURCE,
    PROVIDER_VERSION_CONSTRAINT,
    AlicloudDataSource,
    AlicloudProvider,
    AlicloudResource,
    Block,
    arguments,
    block_kinds,
)

__all__ = [
    "PROVIDER_SOURCE", "PROVIDER_VERSION_CONSTRAINT", "AlicloudProvider", "Block", "block_kinds",
    "Vpc", "Vswitch", "VpnGateway", "VpnCustomerGateway", "VpnConnection", "VpnConnectionIkeConfig",
    "VpnConnectionIpsecConfig", "VpnConnectionBgpConfig", "TunnelOptions", "TunnelIkeConfig", "TunnelIpsecConfig",
    "VpnPbrRouteEntry", "SecurityGroupRule", "CsManagedKubernetes", "CsManagedKubernetesAddons", "CsKubernetesNodePool", "AckOneCluster", "AckOneClusterNetwork", "AckOneMembershipAttachment",
    "DataCsClusterCredential", "ALL_TYPES",
]

_dc = dataclasses.dataclass(frozen=True, kw_only=True)


class Vpc(AlicloudResource):
    TF_TYPE = "alicloud_vpc"

    def __init__(self, scope: Construct, id: str, *, cidr_block: str, vpc_name: str | None = None,
                 description: str | None = None, tags: dict[str, str] | None = None, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)

    @property
    def route_table_id(self) -> str:
        return self.get_string_attribute("route_table_id")


class Vswitch(AlicloudResource):
    TF_TYPE = "alicloud_vswitch"

    def __init__(self, scope: Construct, id: str, *, vpc_id: str, cidr_block: str, zone_id: str,
                 vswitch_name: str | None = None, tags: dict[str, str] | None = None, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


class VpnGateway(AlicloudResource):
    TF_TYPE = "alicloud_vpn_gateway"

    def __init__(self, scope: Construct, id: str, *, vpc_id: str, bandwidth: int, vswitch_id: str | None = None,
                 disaster_recovery_vswitch_id: str | None = None, vpn_gateway_name: str | None = None,
                 network_type: str | None = None, payment_type: str | None = None, enable_ipsec: bool | None = None,
                 enable_ssl: bool | None = None, auto_pay: bool | None = None, tags: dict[str, str] | None = None,
                 depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)

    @property
    def internet_ip(self) -> str:
        return self.get_string_attribute("internet_ip")

    @property
    def disaster_recovery_internet_ip(self) -> str:
        return self.get_string_attribute("disaster_recovery_internet_ip")


class VpnCustomerGateway(AlicloudResource):
    TF_TYPE = "alicloud_vpn_customer_gateway"

    def __init__(self, scope: Construct, id: str, *, ip_address: str, customer_gateway_name: str | None = None,
                 description: str | None = None, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


@_dc
class VpnConnectionIkeConfig(Block):
    psk: str | None = None
    ike_version: str | None = None
    ike_mode: str | None = None
    ike_enc_alg: str | None = None
    ike_auth_alg: str | None = None
    ike_pfs: str | None = None
    ike_lifetime: int | None = None
    ike_local_id: str | None = None
    ike_remote_id: str | None = None


@_dc
class VpnConnectionIpsecConfig(Block):
    ipsec_enc_alg: str | None = None
    ipsec_auth_alg: str | None = None
    ipsec_pfs: str | None = None
    ipsec_lifetime: int | None = None


@_dc
class VpnConnectionBgpConfig(Block):
    enable: bool | None = None
    local_asn: str | None = None
    tunnel_cidr: str | None = None
    local_bgp_ip: str | None = None


@_dc
class TunnelIkeConfig(Block):
    # Unlike ike_config, the id fields here have no "ike_" prefix.
    psk: str | None = None
    ike_version: str | None = None
    ike_mode: str | None = None
    ike_enc_alg: str | None = None
    ike_auth_alg: str | None = None
    ike_pfs: str | None = None
    ike_lifetime: int | None = None
    local_id: str | None = None
    remote_id: str | None = None


@_dc
class TunnelIpsecConfig(Block):
    ipsec_enc_alg: str | None = None
    ipsec_auth_alg: str | None = None
    ipsec_pfs: str | None = None
    ipsec_lifetime: int | None = None


@_dc
class TunnelOptions(Block):
    """One `tunnel_options_specification` block (dual-tunnel gateways): role master or slave."""
    customer_gateway_id: str
    role: str
    enable_dpd: bool | None = None
    enable_nat_traversal: bool | None = None
    tunnel_ike_config: TunnelIkeConfig | None = None
    tunnel_ipsec_config: TunnelIpsecConfig | None = None


class VpnConnection(AlicloudResource):
    """An IPsec connection. Single-tunnel gateways take customer_gateway_id + ike_config +
    ipsec_config; dual-tunnel gateways take two tunnel_options_specification blocks instead."""

    TF_TYPE = "alicloud_vpn_connection"

    def __init__(self, scope: Construct, id: str, *, vpn_gateway_id: str, local_subnet: Sequence[str],
                 remote_subnet: Sequence[str], vpn_connection_name: str | None = None,
                 effect_immediately: bool | None = None, auto_config_route: bool | None = None,
                 customer_gateway_id: str | None = None, ike_config: VpnConnectionIkeConfig | None = None,
                 ipsec_config: VpnConnectionIpsecConfig | None = None, bgp_config: VpnConnectionBgpConfig | None = None,
                 enable_dpd: bool | None = None, enable_nat_traversal: bool | None = None,
                 tunnel_options_specification: Sequence[TunnelOptions] | None = None,
                 enable_tunnels_bgp: bool | None = None, network_type: str | None = None,
                 tags: dict[str, str] | None = None, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)

    @property
    def status(self) -> str:
        return self.get_string_attribute("status")


class VpnPbrRouteEntry(AlicloudResource):
    TF_TYPE = "alicloud_vpn_pbr_route_entry"

    def __init__(self, scope: Construct, id: str, *, vpn_gateway_id: str, route_source: str, route_dest: str,
                 next_hop: str, weight: int, publish_vpc: bool, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)

    @property
    def status(self) -> str:
        return self.get_string_attribute("status")


@_dc
class CsManagedKubernetesAddons(Block):
    name: str
    config: str | None = None
    disabled: bool | None = None


class SecurityGroupRule(AlicloudResource):
    """One rule of an ECS security group (aliyun/terraform-provider-alicloud
    alicloud/resource_alicloud_security_group_rule.go): every argument is ForceNew."""

    TF_TYPE = "alicloud_security_group_rule"

    def __init__(self, scope: Construct, id: str, *, security_group_id: str, type: str, ip_protocol: str,
                 port_range: str | None = None, cidr_ip: str | None = None,
                 source_security_group_id: str | None = None, nic_type: str | None = None,
                 policy: str | None = None, priority: int | None = None, description: str | None = None,
                 depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


class CsManagedKubernetes(AlicloudResource):
    """An ACK managed cluster; profile "Serverless" makes it an ASK cluster, "Acs" an ACS cluster,
    "Default" (or none) an ACK cluster (with Terway: `pod_vswitch_ids` and the terway addon)."""

    TF_TYPE = "alicloud_cs_managed_kubernetes"

    def __init__(self, scope: Construct, id: str, *, name: str, vswitch_ids: Sequence[str], service_cidr: str,
                 profile: str | None = None, cluster_spec: str | None = None, version: str | None = None,
                 new_nat_gateway: bool | None = None, slb_internet_enabled: bool | None = None,
                 deletion_protection: bool | None = None, skip_set_certificate_authority: bool | None = None,
                 tags: dict[str, str] | None = None,
                 pod_vswitch_ids: Sequence[str] | None = None, addons: Sequence[CsManagedKubernetesAddons] | None = None,
                 depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)

    @property
    def vpc_id(self) -> str:
        return self.get_string_attribute("vpc_id")

    @property
    def security_group_id(self) -> str:
        return self.get_string_attribute("security_group_id")


class CsKubernetesNodePool(AlicloudResource):
    """ECS worker nodes of an ACK cluster."""

    TF_TYPE = "alicloud_cs_kubernetes_node_pool"

    def __init__(self, scope: Construct, id: str, *, cluster_id: str, vswitch_ids: Sequence[str],
                 instance_types: Sequence[str], node_pool_name: str | None = None, desired_size: str | None = None,
                 system_disk_category: str | None = None, system_disk_size: int | None = None,
                 depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


@_dc
class AckOneClusterNetwork(Block):
    vpc_id: str
    vswitches: Sequence[str]


class AckOneCluster(AlicloudResource):
    """The ACK One fleet (hub) instance."""

    TF_TYPE = "alicloud_ack_one_cluster"

    def __init__(self, scope: Construct, id: str, *, network: AckOneClusterNetwork, cluster_name: str | None = None,
                 profile: str | None = None, argocd_enabled: bool | None = None, depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)

    @property
    def status(self) -> str:
        return self.get_string_attribute("status")


class AckOneMembershipAttachment(AlicloudResource):
    TF_TYPE = "alicloud_ack_one_membership_attachment"

    def __init__(self, scope: Construct, id: str, *, cluster_id: str, sub_cluster_id: str,
                 depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)


class DataCsClusterCredential(AlicloudDataSource):
    TF_TYPE = "alicloud_cs_cluster_credential"

    def __init__(self, scope: Construct, id: str, *, cluster_id: str, temporary_duration_minutes: int | None = None,
                 depends_on: Sequence[Any] | None = None):
        super().__init__(scope, id, arguments(locals()), depends_on=depends_on)

    @property
    def kube_config(self) -> str:
        return self.get_string_attribute("kube_config")


ALL_TYPES: list[type] = [Vpc, Vswitch, VpnGateway, VpnCustomerGateway, VpnConnection, VpnPbrRouteEntry,
                         SecurityGroupRule, CsManagedKubernetes, CsKubernetesNodePool, AckOneCluster, AckOneMembershipAttachment,
                         DataCsClusterCredential]
