"""One-line descriptions of a topology, for `validate` and `synth`."""

from __future__ import annotations

from .config import Topology


def topology_summary(t: Topology) -> dict:
    return {
        "name": t.name,
        "alibaba": f"{t.alibaba.region} VPC {t.alibaba.vpc_cidr}, {len(t.alibaba.vswitches)} vSwitch(es)",
        "gcp": f"{t.gcp.project} {t.gcp.region} subnet {t.gcp.subnet_cidr} (pods {t.gcp.pods_cidr}, services {t.gcp.services_cidr})",
        "vpn": f"{t.vpn.mode}-tunnel {t.vpn.ike_version} {t.vpn.encryption}/{t.vpn.integrity}/{t.vpn.dh_group}, {t.vpn.bandwidth_mbps} Mbps",
        "clusters": [f"{c.name} ({c.cloud}/{c.kind})" for c in t.clusters],
        "services": [f"{s.namespace}/{s.name}: {s.provider} -> {', '.join(s.consumers)}" for s in t.services],
    }
