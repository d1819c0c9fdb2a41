"""What the Alibaba Cloud APIs refuse at create/update that the alicloud provider lets through
``terraform validate``: value sets the provider's schema does not check (it passes them to the
API as given), and the deprecated-argument aliases its Read fills in both directions.

Every refusal names the API, the parameter and what the API documents as allowed.
UNVERIFIED: the exact error *codes* for these refusals are not in the API reference pages we
could read; the sandbox answers with the generic parameter error Alibaba's OpenAPI uses
(``InvalidParameter``) and the documented allowed values.
"""

from __future__ import annotations

import re
from typing import Any

from tf.types import Unknown as UNKNOWN

# CreateVpnGateway "Bandwidth": 5, 10, 20, 50, 100, 200, 500, 1000 Mbps for public gateways
# (https://www.alibabacloud.com/help/en/vpn/sub-product-ipsec-vpn/developer-reference/api-vpc-2016-04-28-createvpngateway-vpns,
# read 2026-12); alicloud v1.289.0 resource_alicloud_vpn_gateway.go has no ValidateFunc on it.
VPN_GATEWAY_BANDWIDTHS = (5, 10, 20, 50, 100, 200, 500, 1000)
PRIVATE_VPN_GATEWAY_BANDWIDTHS = (200, 1000)

# CreateVpnConnection IkeConfig / IpsecConfig / TunnelOptionsSpecification values (API reference
# CreateVpnConnection, read 2026-12); v1.289.0 resource_alicloud_vpn_connection.go has no validators.
IKE_VERSIONS = ("ikev1", "ikev2")
IKE_MODES = ("main", "aggressive")
ENC_ALGS = ("aes", "aes192", "aes256", "des", "3des")
AUTH_ALGS = ("md5", "sha1", "sha256", "sha384", "sha512")
PFS_GROUPS = ("group1", "group2", "group5", "group14", "group24")
IPSEC_PFS = PFS_GROUPS + ("disabled",)
TUNNEL_ROLES = ("master", "slave")

# CreateCluster "profile" (ACK API reference, read 2026-12); v1.289.0
# resource_alicloud_cs_managed_kubernetes.go passes it through unchecked.
ACK_PROFILES = ("Default", "Edge", "Serverless", "Acs")

# (API, path with "*" for any block element, allowed values)
VALUE_SETS: dict[str, list[tuple[str, str, tuple]]] = {
    "alicloud_vpn_gateway": [("CreateVpnGateway", "bandwidth", VPN_GATEWAY_BANDWIDTHS)],
    "alicloud_vpn_connection": [
        ("CreateVpnConnection", "ike_config.*.ike_version", IKE_VERSIONS),
        ("CreateVpnConnection", "ike_config.*.ike_mode", IKE_MODES),
        ("CreateVpnConnection", "ike_config.*.ike_enc_alg", ENC_ALGS),
        ("CreateVpnConnection", "ike_config.*.ike_auth_alg", AUTH_ALGS),
        ("CreateVpnConnection", "ike_config.*.ike_pfs", PFS_GROUPS),
        ("CreateVpnConnection", "ipsec_config.*.ipsec_enc_alg", ENC_ALGS),
        ("CreateVpnConnection", "ipsec_config.*.ipsec_auth_alg", AUTH_ALGS),
        ("CreateVpnConnection", "ipsec_config.*.ipsec_pfs", IPSEC_PFS),
        ("CreateVpnConnection", "tunnel_options_specification.*.role", TUNNEL_ROLES),
        ("CreateVpnConnection", "tunnel_options_specification.*.tunnel_ike_config.*.ike_version", IKE_VERSIONS),
        ("CreateVpnConnection", "tunnel_options_specification.*.tunnel_ike_config.*.ike_mode", IKE_MODES),
        ("CreateVpnConnection", "tunnel_options_specification.*.tunnel_ike_config.*.ike_enc_alg", ENC_ALGS),
        ("CreateVpnConnection", "tunnel_options_specification.*.tunnel_ike_config.*.ike_auth_alg", AUTH_ALGS),
        ("CreateVpnConnection", "tunnel_options_specification.*.tunnel_ike_config.*.ike_pfs", PFS_GROUPS),
        ("CreateVpnConnection", "tunnel_options_specification.*.tunnel_ipsec_config.*.ipsec_enc_alg", ENC_ALGS),
        ("CreateVpnConnection", "tunnel_options_specification.*.tunnel_ipsec_config.*.ipsec_auth_alg", AUTH_ALGS),
        ("CreateVpnConnection", "tunnel_options_specification.*.tunnel_ipsec_config.*.ipsec_pfs", IPSEC_PFS),
    ],
    "alicloud_cs_managed_kubernetes": [("CreateCluster", "profile", ACK_PROFILES)],
}

_NEW_FIELD = re.compile(r"New field '([a-z_]+)'")


def _at(value: Any, parts: list[str], path: tuple):
    if not parts:
        yield path, value
        return
    if not isinstance(value, dict):
        return
    head, rest = parts[0], parts[1:]
    v = value.get(head)
    if rest and rest[0] == "*":
        for i, item in enumerate(v if isinstance(v, list) else []):
            yield from _at(item, rest[1:], path + (head, i))
        return
    yield from _at(v, rest, path + (head,))


def refusal(type_name: str, state: dict) -> tuple[str, str, tuple] | None:
    """(summary, detail, path) of the API error for ``state``, or None when the API accepts it."""
    for api, path, allowed in VALUE_SETS.get(type_name, []):
        for where, v in _at(state, path.split("."), ()):
            if v is None or v is UNKNOWN:
                continue
            ok = allowed
            if type_name == "alicloud_vpn_gateway" and str(state.get("network_type") or "").lower() == "private":
                ok = PRIVATE_VPN_GATEWAY_BANDWIDTHS
            if v not in ok:
                return (f"{api} failed: InvalidParameter",
                        f"The specified parameter {where[-1]} ({v!r}) is not valid; the API accepts "
                        f"{', '.join(map(str, ok))}.", where)
    if type_name == "alicloud_vpn_connection":
        tunnels = state.get("tunnel_options_specification")
        if isinstance(tunnels, list) and tunnels:
            roles = sorted(str(t.get("role")) for t in tunnels if isinstance(t, dict))
            if roles != ["master", "slave"]:
                return ("CreateVpnConnection failed: InvalidParameter",
                        "A dual-tunnel IPsec-VPN connection takes exactly two TunnelOptionsSpecification "
                        "entries, one with Role master and one with Role slave.",
                        ("tunnel_options_specification",))
    return None


def fill_aliases(type_name: str, state: dict) -> None:
    """Deprecated argument and its replacement name the same field: like the provider's Read,
    fill whichever of the two is still unknown from the other."""
    from ..validators import rules_doc  # noqa: PLC0415

    entry = rules_doc("alicloud")["resources"].get(type_name) or {}
    for rule in entry.get("rules", []):
        if rule["kind"] != "deprecated" or "." in rule["path"]:
            continue
        m = _NEW_FIELD.search(rule["message"])
        if not m or m.group(1) not in state:
            continue
        old, new = rule["path"], m.group(1)
        if state.get(old) is UNKNOWN and state.get(new) not in (None, UNKNOWN):
            state[old] = state[new]
        elif state.get(new) is UNKNOWN and state.get(old) not in (None, UNKNOWN):
            state[new] = state[old]
