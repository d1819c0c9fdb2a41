"""Google L1 classes. `bindings()` is the one place that decides where they come from.

They are the prebuilt `cdktf-cdktf-provider-google` classes, imported by submodule and only
when a synth actually needs them (the package costs seconds to import).
"""

from __future__ import annotations

from types import ModuleType

PROVIDER_SOURCE = "hashicorp/google"
PROVIDER_VERSION = "6.50.0"  # what cdktf-cdktf-provider-google 16.12.1 targets


def bindings() -> ModuleType:
    from . import prebuilt

    return prebuilt
