"""GKE in the twin: where a cluster may be placed."""

from __future__ import annotations

import re


def region_of(location: str) -> str:
    """The region of a GKE location: a zone (asia-northeast1-a) or a region (asia-northeast1)."""
    return location[:-2] if re.fullmatch(r".+-[a-z0-9]+\d-[a-z]", location) else location


def location_error(location: str, subnet_id: str, subnet_region: str) -> str | None:
    """GCP's refusal of a cluster whose location is outside its subnetwork's region."""
    if not location or not subnet_region or region_of(location) == subnet_region:
        return None
    return (f"Error creating Cluster: googleapi: Error 400: Subnetwork \"{subnet_id}\" is in region "
            f"\"{subnet_region}\", but the cluster location \"{location}\" is in region \"{region_of(location)}\"; "
            "a cluster can use only subnetworks of its own region., badRequest")
