"""L3: the policy-based IPsec link between the Alibaba VPC and the GCP VPC, both sides.

Alibaba: VPN gateway, customer gateway (= the GCP static IP), IPsec connection with BGP off, and
one published policy route per GCP range. GCP: static IP, Classic VPN gateway with the ESP/UDP500/
UDP4500 forwarding rules, one tunnel per Alibaba tunnel, and routes to the Alibaba VPC.

Traffic selectors are mirrored exactly and include the GKE pod and service ranges up front
(the tutorial's step 11). Both sides read the pre-shared key from one sensitive variable.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..cdk import Construct
from ..config import Topology
from . import alicloud
from .google import bindings
from .network import AlibabaNetwork, GcpNetwork

FORWARDED_PROTOCOLS = (("esp", "ESP", None), ("udp500", "UDP", "500"), ("udp4500", "UDP", "4500"))
# GCP routes: the master tunnel wins; the slave tunnel's routes take over if it goes away.
ROUTE_PRIORITY = {"master": 1000, "slave": 1100}


@dataclass(frozen=True)
class Selectors:
    alibaba: list[str]  # Alibaba local_subnet == GCP remote_traffic_selector
    gcp: list[str]  # Alibaba remote_subnet == GCP local_traffic_selector


def selectors(t: Topology) -> Selectors:
    # every GKE cluster's subnet, pod and service ranges (the first three are gcp.*, as before)
    return Selectors(alibaba=[t.alibaba.vpc_cidr], gcp=t.gcp_ranges())


class IpsecLink(Construct):
    def __init__(self, scope: Construct, id: str, topology: Topology, alibaba: AlibabaNetwork, gcp: GcpNetwork, psk: str):
        super().__init__(scope, id)
        g = bindings()
        t, vpn = topology, topology.vpn
        sel = selectors(t)
        dual = vpn.mode == "dual"

        # GCP: the static IP both the forwarding rules and the Alibaba customer gateway use.
        self.gcp_address = g.ComputeAddress(self, "gcp-address", name=f"{t.name}-vpn-ip", region=t.gcp.region)
        self.gcp_address.override_logical_id("vpn_ip")
        self.gcp_gateway = g.ComputeVpnGateway(self, "gcp-gateway", name=f"{t.name}-vpn-gw", network=gcp.network.id,
                                               region=t.gcp.region)
        self.gcp_gateway.override_logical_id("vpn_gateway")
        self.forwarding_rules = []
        for suffix, protocol, port in FORWARDED_PROTOCOLS:
            rule = g.ComputeForwardingRule(self, f"fr-{suffix}", name=f"{t.name}-fr-{suffix}", region=t.gcp.region,
                                           ip_protocol=protocol, port_range=port, ip_address=self.gcp_address.address,
                                           target=self.gcp_gateway.id)
            rule.override_logical_id(f"fr_{suffix}")
            self.forwarding_rules.append(rule)

        # Alibaba: gateway (dual-tunnel gateways span two zones), customer gateway, connection.
        self.alibaba_gateway = alicloud.VpnGateway(
            self, "alibaba-gateway", vpn_gateway_name=f"{t.name}-vpn-gw", vpc_id=alibaba.vpc.id,
            vswitch_id=alibaba.vswitches[0].id,
            disaster_recovery_vswitch_id=alibaba.vswitches[1].id if dual else None,
            bandwidth=vpn.bandwidth_mbps, network_type="public", payment_type="PayAsYouGo",  # destroyable
            enable_ipsec=True, enable_ssl=False)
        self.alibaba_gateway.override_logical_id("vpn_gateway")
        self.customer_gateway = alicloud.VpnCustomerGateway(
            self, "customer-gateway", customer_gateway_name=f"{t.name}-gcp", ip_address=self.gcp_address.address)
        self.customer_gateway.override_logical_id("gcp_peer")

        ike = dict(psk=psk, ike_version=vpn.ike_version, ike_mode="main", ike_enc_alg=vpn.encryption,
                   ike_auth_alg=vpn.integrity, ike_pfs=vpn.dh_group, ike_lifetime=vpn.ike_lifetime_seconds)
        ipsec = dict(ipsec_enc_alg=vpn.encryption, ipsec_auth_alg=vpn.integrity, ipsec_pfs=vpn.dh_group,
                     ipsec_lifetime=vpn.ipsec_lifetime_seconds)
        common = dict(vpn_connection_name=f"{t.name}-to-gcp", vpn_gateway_id=self.alibaba_gateway.id,
                      local_subnet=sel.alibaba, remote_subnet=sel.gcp, effect_immediately=True,
                      auto_config_route=False)  # routes are the explicit, published PBR entries below
        if dual:
            tunnels = [alicloud.TunnelOptions(customer_gateway_id=self.customer_gateway.id, role=role, enable_dpd=True,
                                              enable_nat_traversal=True,
                                              tunnel_ike_config=alicloud.TunnelIkeConfig(**ike),
                                              tunnel_ipsec_config=alicloud.TunnelIpsecConfig(**ipsec))
                       for role in ("master", "slave")]
            self.connection = alicloud.VpnConnection(self, "connection", **common, tunnel_options_specification=tunnels,
                                                     enable_tunnels_bgp=False)
        else:
            self.connection = alicloud.VpnConnection(
                self, "connection", **common, customer_gateway_id=self.customer_gateway.id,
                ike_config=alicloud.VpnConnectionIkeConfig(**ike), ipsec_config=alicloud.VpnConnectionIpsecConfig(**ipsec),
                bgp_config=alicloud.VpnConnectionBgpConfig(enable=False), enable_dpd=True, enable_nat_traversal=True)
        self.connection.override_logical_id("ipsec_connection")

        # Alibaba: one published policy route per GCP range. Routes mutate the gateway, which
        # takes one change at a time, so each waits for the one before.
        self.policy_routes = []
        previous = self.connection
        for i, dest in enumerate(sel.gcp):
            route = alicloud.VpnPbrRouteEntry(self, f"pbr-{i}", vpn_gateway_id=self.alibaba_gateway.id,
                                              route_source=t.alibaba.vpc_cidr, route_dest=dest, next_hop=self.connection.id,
                                              weight=100, publish_vpc=True, depends_on=[previous])
            route.override_logical_id(f"policy_route_{i}")
            self.policy_routes.append(route)
            previous = route

        # GCP: a tunnel per Alibaba tunnel, after the forwarding rules exist, and routes to Alibaba.
        peers = {"master": self.alibaba_gateway.internet_ip}
        if dual:
            peers["slave"] = self.alibaba_gateway.disaster_recovery_internet_ip
        self.tunnels = {}
        self.gcp_routes = []
        for role, peer_ip in peers.items():
            tunnel = g.ComputeVpnTunnel(
                self, f"tunnel-{role}", name=f"{t.name}-tunnel-{role}", region=t.gcp.region,
                target_vpn_gateway=self.gcp_gateway.id, peer_ip=peer_ip, shared_secret=psk,
                ike_version=2 if vpn.ike_version == "ikev2" else 1,
                local_traffic_selector=sel.gcp, remote_traffic_selector=sel.alibaba,
                depends_on=self.forwarding_rules)
            tunnel.override_logical_id(f"tunnel_{role}")
            self.tunnels[role] = tunnel
            for i, dest in enumerate(sel.alibaba):
                route = g.ComputeRoute(self, f"route-{role}-{i}", name=f"{t.name}-to-alibaba-{role}-{i}",
                                       network=gcp.network.id, dest_range=dest, next_hop_vpn_tunnel=tunnel.id,
                                       priority=ROUTE_PRIORITY[role])
                route.override_logical_id(f"route_{role}_{i}")
                self.gcp_routes.append(route)
