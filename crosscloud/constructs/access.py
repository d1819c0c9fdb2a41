"""L2: who may open connections to whom across the link, and nothing broader.

Alibaba: the provider cluster's security group (the one ASK/ACS/ACK creates: it admits only ICMP
and its own group by default) gets one ingress rule per exported service target port and consumer
source — the GKE pod range and node subnet for a GKE consumer, the consumer cluster's security
group for an Alibaba one. The consumer's kube-proxy sends to the provider's pod IP on the target
port, so that is the port to open (the tutorial's last step: "open inbound 80/8080").

GCP: see ``GcpNetwork`` — its firewall admits from the Alibaba VPC only ICMP (the tutorial's
ping) and the target ports of services that GKE provides to Alibaba consumers, on the GKE nodes
(target tag), not on every instance of the network.
"""

from __future__ import annotations

from ..cdk import Construct
from ..config import Topology
from . import alicloud
from .clusters import AlibabaCluster, logical_name


class ServiceAccess(Construct):
    def __init__(self, scope: Construct, id: str, topology: Topology, clusters: dict[str, object]):
        super().__init__(scope, id)
        t = topology
        self.rules: list[alicloud.SecurityGroupRule] = []
        seen: set[tuple] = set()
        for service in t.services:
            provider = clusters.get(service.provider)
            if not isinstance(provider, AlibabaCluster):
                continue
            for consumer_name in service.consumers:
                consumer = t.cluster(consumer_name)
                if consumer.kind == "gke":
                    subnet, pods, _ = t.gke_ranges(consumer)
                    # the first GKE cluster keeps the ids it always had; others are named for themselves
                    prefix = "gke" if consumer is t.clusters_of("gke")[0] else logical_name(consumer)
                    sources = [(f"{prefix}_pods", dict(cidr_ip=pods)), (f"{prefix}_nodes", dict(cidr_ip=subnet))]
                elif isinstance(clusters.get(consumer_name), AlibabaCluster) and consumer_name != service.provider:
                    sources = [(logical_name(consumer),
                                dict(source_security_group_id=clusters[consumer_name].cluster.security_group_id))]
                else:
                    continue
                for label, source in sources:
                    key = (service.provider, service.target_port, label)
                    if key in seen:
                        continue
                    seen.add(key)
                    lid = f"{logical_name(t.cluster(service.provider))}_from_{label}_tcp_{service.target_port}"
                    rule = alicloud.SecurityGroupRule(
                        self, lid, security_group_id=provider.cluster.security_group_id, type="ingress",
                        ip_protocol="tcp", port_range=f"{service.target_port}/{service.target_port}",
                        nic_type="intranet", policy="accept", priority=1,
                        description=f"crosscloud: {label.replace('_', ' ')} to {service.namespace}/{service.name}",
                        **source)
                    rule.override_logical_id(lid)
                    self.rules.append(rule)
