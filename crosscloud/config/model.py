"""The topology file as typed values. Shape and types only; cross-field rules live in preflight."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# crosscloud's own size bounds for untrusted topology files (not cloud limits; those are preflight's)
MAX_STRING = 1024  # characters of any string value
MAX_ITEMS = 64  # entries of any list or mapping


def _takes_int(annotation: Any) -> bool:
    args = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else (annotation,)
    return int in args and bool not in args


class _Model(BaseModel):
    # A misspelled key must be an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_STRING)

    @field_validator("*", mode="before")
    @classmethod
    def _integers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic's lax mode reads true as 1 and "3" as 3; a topology file must say what it means
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and _takes_int(field.annotation) and isinstance(value, (bool, str)):
            raise ValueError(f"must be a whole number, not {'true/false' if isinstance(value, bool) else 'a string'}")
        return value


class VSwitch(_Model):
    zone: str
    cidr: str


class Alibaba(_Model):
    region: str
    vpc_cidr: str
    vswitches: list[VSwitch] = Field(min_length=1, max_length=MAX_ITEMS)


class Gcp(_Model):
    project: str
    region: str
    zone: str | None = None  # GKE location; defaults to "<region>-a" (a zonal cluster, as in the tutorial)
    subnet_cidr: str
    pods_cidr: str
    services_cidr: str
    # The network stack enables the Compute Engine and Kubernetes Engine APIs (off in a new project)
    # and leaves them on at destroy; false when the project's APIs are managed elsewhere.
    enable_apis: bool = True

    @property
    def gke_location(self) -> str:
        return self.zone or f"{self.region}-a"


class Vpn(_Model):
    mode: Literal["single", "dual"] = "dual"
    ike_version: str = "ikev2"
    encryption: str = "aes256"
    integrity: str = "sha256"
    dh_group: str = "group14"
    ike_lifetime_seconds: int = Field(default=86400, ge=60, le=86400)
    ipsec_lifetime_seconds: int = Field(default=86400, ge=60, le=86400)
    bandwidth_mbps: int = 10


class Cluster(_Model):
    name: str
    cloud: str
    kind: str  # alibaba: ask | acs | ack; gcp: gke
    service_cidr: str | None = None  # Alibaba clusters (ask, acs, ack)
    node_count: int = Field(default=1, ge=1, le=100)  # GKE; ACK node pool size
    machine_type: str = "e2-standard-2"  # GKE only
    # GKE: the cluster's own subnet and secondary ranges; the first GKE cluster may leave them
    # out and use gcp.subnet_cidr / pods_cidr / services_cidr.
    subnet_cidr: str | None = None
    pods_cidr: str | None = None
    services_cidr: str | None = None
    # ACK only: where the pods run (an ECS node pool, or ECI through virtual nodes), the node
    # pool's ECS instance type, and the Terway pod vSwitches (pod IPs come from these, in the VPC).
    capacity: Literal["node-pool", "virtual-nodes"] = "node-pool"
    instance_type: str = "ecs.g7.large"
    pod_vswitches: list[VSwitch] = Field(default_factory=list)


class Service(_Model):
    name: str
    namespace: str
    image: str
    port: int = Field(ge=1, le=65535)
    target_port: int = Field(ge=1, le=65535)
    env: dict[str, str] = Field(default_factory=dict, max_length=MAX_ITEMS)
    provider: str
    consumers: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    consumer_image: str


class Backend(_Model):
    type: Literal["local", "cloud"] = "local"
    organization: str | None = None  # Terraform Cloud only
    workspace_prefix: str | None = None  # Terraform Cloud only: one workspace per stack, "<prefix>-<stack>"
    hostname: str = "app.terraform.io"


class Fleet(_Model):
    # What current ACK One documents (2025-26): Karmada-style PropagationPolicy/OverridePolicy, and
    # MultiClusterService (the consumer gets the provider's own Service name). The tutorial's
    # KubeVela Applications and ServiceExport/ServiceImport (amcs-<svc>) remain selectable.
    distribution: Literal["kubevela", "propagation-policy"] = "propagation-policy"
    service_discovery: Literal["multicluster-service", "service-export"] = "multicluster-service"


class Topology(_Model):
    name: str
    alibaba: Alibaba
    gcp: Gcp
    vpn: Vpn = Vpn()
    clusters: list[Cluster] = Field(min_length=1, max_length=MAX_ITEMS)
    services: list[Service] = Field(default_factory=list, max_length=MAX_ITEMS)
    backend: Backend = Backend()
    fleet: Fleet = Fleet()

    def clusters_of(self, kind: str) -> list[Cluster]:
        return [c for c in self.clusters if c.kind == kind]

    def clusters_on(self, cloud: str) -> list[Cluster]:
        return [c for c in self.clusters if c.cloud == cloud]

    def cluster(self, name: str) -> Cluster:
        return next(c for c in self.clusters if c.name == name)

    def gke_ranges(self, cluster: Cluster) -> tuple[str | None, str | None, str | None]:
        """(subnet, pods, services) of a GKE cluster: its own, or for the first GKE cluster the
        gcp.* ranges where it sets none."""
        first = next((c for c in self.clusters if c.kind == "gke"), None) is cluster
        own = (cluster.subnet_cidr, cluster.pods_cidr, cluster.services_cidr)
        if not first:
            return own
        return tuple(o or g for o, g in zip(own, (self.gcp.subnet_cidr, self.gcp.pods_cidr, self.gcp.services_cidr)))

    def gcp_ranges(self) -> list[str]:
        """Every GCP range the VPN carries (subnet, pods, services of each GKE cluster; the gcp.*
        ranges when there is no GKE cluster), in topology order, without repeats."""
        gkes = self.clusters_of("gke")
        triples = [self.gke_ranges(c) for c in gkes] or [(self.gcp.subnet_cidr, self.gcp.pods_cidr, self.gcp.services_cidr)]
        return list(dict.fromkeys(r for triple in triples for r in triple if r))
