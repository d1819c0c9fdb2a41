"""Provider schemas kept as data (crosscloud/sandbox/schemas/*.json), loaded on demand.

google.json is derived mechanically from the prebuilt CDKTF package (scripts/derive_google_schema.py);
alicloud.json is written from the provider's source. The sandbox serves them, the HCL renderer
reads block-vs-attribute from them, and tests hold our L1 classes to them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).parent / "sandbox" / "schemas"
PROVIDER_OF_PREFIX = {"alicloud": "alicloud", "google": "google"}


@lru_cache(maxsize=None)
def provider_schema(provider: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{provider}.json").read_text())


def type_schema(tf_type: str, *, data_source: bool = False) -> dict | None:
    """The schema of a resource or data-source type, or None for types we keep no schema for."""
    provider = tf_type.split("_", 1)[0]
    if provider not in PROVIDER_OF_PREFIX:
        return None
    return provider_schema(provider)["data_sources" if data_source else "resources"].get(tf_type)
