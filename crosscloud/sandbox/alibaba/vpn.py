"""Alibaba VPN Gateway in the twin: where a single-vSwitch (single-tunnel) gateway is refused.

The region list is crosscloud's data (config/regions.py, with sources), shared with preflight.
"""

from __future__ import annotations

from typing import Any


def create_gateway_error(region: str, state: dict[str, Any]) -> tuple[str, str] | None:
    """CreateVpnGateway's refusal of a gateway without DisasterRecoveryVSwitchId where new gateways
    are dual-tunnel only: 400 InvalidVSwitchId.NotFound (aliyun/terraform-provider-alicloud#6804)."""
    from ...config import regions  # here, not at import: provider processes start without pydantic

    dr = state.get("disaster_recovery_vswitch_id")
    if not regions.dual_tunnel_only(region) or (isinstance(dr, str) and dr):
        return None
    return ("StatusCode: 400, Code: InvalidVSwitchId.NotFound, Message: code: 400, The specified vswitchId is "
            "not found.",
            f"CreateVpnGateway in {region}: new VPN gateways there are dual-tunnel only and need "
            "disaster_recovery_vswitch_id (a second vSwitch, in another zone that carries dual tunnels).")
