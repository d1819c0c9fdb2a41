"""ECS security group rules (AuthorizeSecurityGroup / AuthorizeSecurityGroupEgress) in the twin.

The rules the provider and the API apply before a rule exists, with their sources; what a rule
then lets through is sandbox/netpath.py's business.
"""

from __future__ import annotations

from typing import Any, Callable

SG_RULE = "alicloud_security_group_rule"
ALL_PORTS = "-1/-1"

# aliyun/terraform-provider-alicloud alicloud/resource_alicloud_security_group_rule.go
# (buildAliyunSGRuleRequest, resourceAliyunSecurityGroupRuleCreate): the provider refuses these
# before it calls the API, in these words.
TCP_UDP_ALL_PORTS = "'tcp' and 'udp' can support port range: [1, 65535]. Please correct it and try again."
OTHERS_NEED_ALL_PORTS = "'icmp', 'gre' and 'all' only support port range '-1/-1'. Please correct it and try again."
NEED_SOURCE = "Either 'cidr_ip' or 'source_security_group_id' must be specified."
VPC_NIC_TYPE = ("When security group in the vpc or authorizing permission for source/destination security group, "
                "the nic_type must be 'intranet'.")
# ECS API AuthorizeSecurityGroup (alibabacloud.com/help/en/ecs/api-authorizesecuritygroup): Priority 1-100.
PRIORITY_RANGE = (1, 100)
PROTOCOLS = ("tcp", "udp", "icmp", "gre", "all")


def cluster_security_groups(objects: list[dict]) -> set[str]:
    """Security groups that exist in the twin: those the ACK/ASK clusters and fleets created."""
    out: set[str] = set()
    for o in objects:
        a = o["attrs"]
        if o["type"].startswith("alicloud_cs_") and isinstance(a.get("security_group_id"), str):
            out.add(a["security_group_id"])
        if o["type"] == "alicloud_ack_one_cluster":
            for net in a.get("network") or []:
                out.update(net.get("security_group_ids") or [])
    return out


def rule_id(s: dict) -> str:
    # the provider's id: sg:direction:protocol:ports:nic:source:policy:priority
    source = s.get("cidr_ip") or s.get("source_security_group_id")
    return ":".join(str(s.get(k) if k != "source" else source) for k in
                    ("security_group_id", "type", "ip_protocol", "port_range", "nic_type", "source", "policy",
                     "priority"))


def compute_rule(s: dict, objects: list[dict], fill: Callable[[dict, str, Any], None], error: Callable[..., Exception]) -> None:
    """Check and complete a rule before it is stored (``fill`` sets unknown values)."""
    fill(s, "policy", "accept")
    fill(s, "port_range", ALL_PORTS)
    fill(s, "priority", 1)
    fill(s, "nic_type", "intranet")
    for k in ("cidr_ip", "source_security_group_id", "source_group_owner_account", "description"):
        fill(s, k, None)
    proto, ports = s.get("ip_protocol"), s.get("port_range")
    if proto not in PROTOCOLS:
        raise error(f"InvalidIpProtocol.Malformed: ip_protocol {proto!r} is not one of {', '.join(PROTOCOLS)}.",
                    path=("ip_protocol",))
    if proto in ("tcp", "udp") and ports == ALL_PORTS:
        raise error(TCP_UDP_ALL_PORTS, path=("port_range",))
    if proto not in ("tcp", "udp") and ports != ALL_PORTS:
        raise error(OTHERS_NEED_ALL_PORTS, path=("port_range",))
    if proto in ("tcp", "udp"):
        try:
            lo, hi = (int(x) for x in str(ports).split("/"))
            if not 1 <= lo <= hi <= 65535:
                raise ValueError
        except ValueError:
            raise error(f"InvalidPortRange.Malformed: port_range {ports!r} must be 'from/to' within 1-65535.",
                        path=("port_range",)) from None
    if not s.get("cidr_ip") and not s.get("source_security_group_id"):
        raise error(NEED_SOURCE)
    if s.get("nic_type") != "intranet":
        raise error(VPC_NIC_TYPE, path=("nic_type",))
    lo, hi = PRIORITY_RANGE
    if not isinstance(s.get("priority"), int) or not lo <= s["priority"] <= hi:
        raise error(f"InvalidPriority.Malformed: priority {s.get('priority')!r} must be within {lo}-{hi}.",
                    path=("priority",))
    groups = cluster_security_groups(objects)
    for key in ("security_group_id", "source_security_group_id"):
        if s.get(key) and s[key] not in groups:
            raise error(f"InvalidSecurityGroupId.NotFound: The specified security group {s[key]} does not exist.",
                        path=(key,))
    fill(s, "id", lambda: rule_id(s))
