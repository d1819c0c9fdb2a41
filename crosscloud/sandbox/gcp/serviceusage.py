"""Service Usage in the twin: which APIs a GCP project has enabled.

A project the twin has not seen has every API crosscloud needs disabled, as a new GCP project
does, until a `google_project_service` enables it (or `enable_services` does, as a user would in
the console). Creating a resource of a disabled API fails with GCP's own 403 text.
Enabled services are store counters "gcp-service:<project>/<service>" (1 = enabled), not cloud
objects: they outlive the Terraform resource when `disable_on_destroy = false` without showing up
as leftovers, and a sandbox reset makes every project new again.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..store import CloudStore


# Which API a resource type belongs to, and that API's display name in GCP's error text.
API_OF_PREFIX = {
    "google_compute_": ("compute.googleapis.com", "Compute Engine API"),
    "google_container_": ("container.googleapis.com", "Kubernetes Engine API"),
}


def project_number(project: str) -> str:
    """A stable 12-digit project number (GCP's 403 names the project by number)."""
    return str(int(hashlib.sha256(project.encode()).hexdigest(), 16) % 10**12).rjust(12, "1")


def _key(project: str, service: str) -> str:
    return f"gcp-service:{project}/{service}"


def is_enabled(store: CloudStore, project: str, service: str) -> bool:
    return store.counter(_key(project, service)) == 1


def enable_services(store: CloudStore, project: str, services: list[str] | tuple[str, ...]) -> None:
    for service in services:
        store.set_counter(_key(project, service), 1)


def disable_service(store: CloudStore, project: str, service: str) -> None:
    store.set_counter(_key(project, service), 0)


def _noun(type_name: str) -> str:
    rest = type_name.split("_", 2)[-1]
    return "".join(part.capitalize() for part in rest.split("_"))


def disabled_error(type_name: str, project: str) -> tuple[str, str] | None:
    """(summary, detail) of GCP's 403 when `type_name`'s API is disabled, else None."""
    for prefix, (service, title) in API_OF_PREFIX.items():
        if type_name.startswith(prefix):
            number = project_number(project)
            summary = (f"Error creating {_noun(type_name)}: googleapi: Error 403: {title} has not been used in project "
                       f"{number} before or it is disabled. Enable it by visiting "
                       f"https://console.developers.google.com/apis/api/{service}/overview?project={number} then retry. "
                       "If you enabled this API recently, wait a few minutes for the action to propagate to our "
                       "systems and retry.")
            detail = (f'Details: [{{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "domain": "googleapis.com", '
                      f'"metadata": {{"consumer": "projects/{number}", "service": "{service}"}}, '
                      f'"reason": "SERVICE_DISABLED"}}], accessNotConfigured')
            return summary, detail
    return None


def required_service(store: CloudStore, type_name: str, project: str) -> tuple[str, str] | None:
    """GCP's 403 if creating `type_name` in `project` needs an API that is not enabled."""
    for prefix, (service, _) in API_OF_PREFIX.items():
        if type_name.startswith(prefix) and not is_enabled(store, project, service):
            return disabled_error(type_name, project)
    return None


def after_create(store: CloudStore, state: dict[str, Any]) -> None:
    """A google_project_service was created: its API is now enabled."""
    if isinstance(state.get("project"), str) and isinstance(state.get("service"), str):
        enable_services(store, state["project"], [state["service"]])


def after_delete(store: CloudStore, attrs: dict[str, Any]) -> None:
    """A google_project_service was destroyed: the API is disabled unless disable_on_destroy is false
    (the provider's default is true)."""
    if attrs.get("disable_on_destroy") is False:
        return
    if isinstance(attrs.get("project"), str) and isinstance(attrs.get("service"), str):
        disable_service(store, attrs["project"], attrs["service"])
