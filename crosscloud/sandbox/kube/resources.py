"""The resource types each emulated cluster serves, and the discovery documents built from them.

Built-in kinds are served everywhere; the fleet-only kinds (KubeVela Application, ACK One
propagation policies, MultiClusterService) only on an ACK One hub, as in the real product where
those CRDs live on the Fleet instance. CustomResourceDefinitions created in a cluster add their
served versions to that cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SUB_VERBS = ["get", "patch", "update"]
PROXY_VERBS = ["create", "delete", "get", "patch", "update"]


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    status: bool = False            # has a /status subresource
    proxy: bool = False             # has a /proxy subresource (pods, services)
    categories: tuple[str, ...] = ()
    custom: bool = field(default=False, compare=False)   # CRD-backed (deletes return the object)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps`, `configmaps`: the name used in error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular(self) -> str:
        return self.kind.lower()

    def discovery_entries(self) -> list[dict]:
        main = {
            "name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
            "kind": self.kind, "verbs": VERBS,
        }
        if self.short_names:
            main["shortNames"] = list(self.short_names)
        if self.categories:
            main["categories"] = list(self.categories)
        out = [main]
        if self.status:
            out.append({"name": f"{self.plural}/status", "singularName": "", "namespaced": self.namespaced,
                        "kind": self.kind, "verbs": SUB_VERBS})
        if self.proxy:
            out.append({"name": f"{self.plural}/proxy", "singularName": "", "namespaced": self.namespaced,
                        "kind": f"{self.kind}ProxyOptions", "verbs": PROXY_VERBS})
        return out


_ALL = ("all",)

BUILTIN: tuple[ResourceType, ...] = (
    ResourceType("", "v1", "Namespace", "namespaces", False, ("ns",), status=True),
    ResourceType("", "v1", "Service", "services", True, ("svc",), status=True, proxy=True, categories=_ALL),
    ResourceType("", "v1", "Pod", "pods", True, ("po",), status=True, proxy=True, categories=_ALL),
    ResourceType("", "v1", "ConfigMap", "configmaps", True, ("cm",)),
    ResourceType("", "v1", "Secret", "secrets", True),
    ResourceType("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",)),
    ResourceType("apps", "v1", "Deployment", "deployments", True, ("deploy",), status=True, categories=_ALL),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    ResourceType("rbac.authorization.k8s.io", "v1", "Role", "roles", True),
    ResourceType("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True),
    ResourceType("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False,
                 ("crd", "crds"), status=True),
    # MCS API CRDs: the fleet installs them in every associated cluster (and they exist on the hub).
    ResourceType("multicluster.x-k8s.io", "v1alpha1", "ServiceExport", "serviceexports", True,
                 status=True, custom=True),
    ResourceType("multicluster.x-k8s.io", "v1alpha1", "ServiceImport", "serviceimports", True,
                 status=True, custom=True),
)

# Only on the ACK One Fleet instance (hub).
HUB_ONLY: tuple[ResourceType, ...] = (
    ResourceType("core.oam.dev", "v1beta1", "Application", "applications", True, ("app",),
                 status=True, custom=True),
    # Current docs use policy.one.alibabacloud.com; older pages show one.alibabacloud.com. Serve both.
    ResourceType("policy.one.alibabacloud.com", "v1alpha1", "PropagationPolicy", "propagationpolicies", True,
                 ("pp",), custom=True),
    ResourceType("policy.one.alibabacloud.com", "v1alpha1", "ClusterPropagationPolicy",
                 "clusterpropagationpolicies", False, ("cpp",), custom=True),
    ResourceType("one.alibabacloud.com", "v1alpha1", "PropagationPolicy", "propagationpolicies", True,
                 custom=True),
    ResourceType("one.alibabacloud.com", "v1alpha1", "ClusterPropagationPolicy",
                 "clusterpropagationpolicies", False, custom=True),
    ResourceType("networking.one.alibabacloud.com", "v1alpha1", "MultiClusterService", "multiclusterservices",
                 True, ("mcs",), status=True, custom=True),
    ResourceType("policy.one.alibabacloud.com", "v1alpha1", "OverridePolicy", "overridepolicies", True,
                 ("op",), custom=True),
    ResourceType("policy.one.alibabacloud.com", "v1alpha1", "ClusterOverridePolicy", "clusteroverridepolicies",
                 False, ("cop",), custom=True),
)

PROPAGATION_KINDS = {"PropagationPolicy", "ClusterPropagationPolicy"}


def from_crd(crd: dict) -> list[ResourceType]:
    """The resource types a stored CustomResourceDefinition serves."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, kind, plural = spec.get("group"), names.get("kind"), names.get("plural")
    if not (group and kind and plural):
        return []
    out = []
    for v in spec.get("versions") or []:
        if not v.get("served", True) or not v.get("name"):
            continue
        subs = v.get("subresources") or {}
        out.append(ResourceType(group, v["name"], kind, plural, spec.get("scope", "Namespaced") == "Namespaced",
                                tuple(names.get("shortNames") or ()), status="status" in subs,
                                categories=tuple(names.get("categories") or ()), custom=True))
    return out


class Catalogue:
    """The resource types of one cluster, looked up by group/version/plural or apiVersion/kind."""

    def __init__(self, types: Iterable[ResourceType]):
        self.types: list[ResourceType] = []
        seen = set()
        for t in types:
            if (t.group, t.version, t.plural) not in seen:
                seen.add((t.group, t.version, t.plural))
                self.types.append(t)

    @classmethod
    def for_cluster(cls, is_hub: bool, crds: Iterable[dict] = ()) -> "Catalogue":
        types = list(BUILTIN) + (list(HUB_ONLY) if is_hub else [])
        for crd in crds:
            types.extend(from_crd(crd))
        return cls(types)

    def by_path(self, group: str, version: str, plural: str) -> ResourceType | None:
        for t in self.types:
            if t.group == group and t.version == version and t.plural == plural:
                return t
        return None

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        for t in self.types:
            if t.api_version == api_version and t.kind == kind:
                return t
        return None

    def by_name(self, name: str) -> ResourceType | None:
        """`deployment`, `deployments`, `svc`, `serviceexport`: how KubeVela ref-objects name a resource."""
        name = name.lower()
        for t in self.types:
            if name in (t.plural, t.singular) or name in t.short_names:
                return t
        return None

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for t in self.types:
            if t.group and t.version not in out.setdefault(t.group, []):
                out[t.group].append(t.version)
        return out

    # -- discovery documents -------------------------------------------------------------
    def api_versions(self) -> dict:
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}

    def api_group_list(self) -> dict:
        groups = []
        for g, versions in self.groups().items():
            vs = [{"groupVersion": f"{g}/{v}", "version": v} for v in versions]
            groups.append({"name": g, "versions": vs, "preferredVersion": vs[0]})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def api_group(self, group: str) -> dict | None:
        versions = self.groups().get(group)
        if not versions:
            return None
        vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": vs, "preferredVersion": vs[0]}

    def resource_list(self, group: str, version: str) -> dict | None:
        types = [t for t in self.types if t.group == group and t.version == version]
        if not types:
            return None
        resources = [e for t in types for e in t.discovery_entries()]
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": types[0].api_version,
                "resources": resources}


def known(api_version: str, kind: str) -> ResourceType:
    """A built-in or fleet type by apiVersion and kind (for the controllers)."""
    for t in BUILTIN + HUB_ONLY:
        if t.api_version == api_version and t.kind == kind:
            return t
    raise KeyError(f"{api_version} {kind}")


NAMESPACE = known("v1", "Namespace")
SERVICE = known("v1", "Service")
POD = known("v1", "Pod")
DEPLOYMENT = known("apps/v1", "Deployment")
APPLICATION = known("core.oam.dev/v1beta1", "Application")
SERVICE_EXPORT = known("multicluster.x-k8s.io/v1alpha1", "ServiceExport")
SERVICE_IMPORT = known("multicluster.x-k8s.io/v1alpha1", "ServiceImport")
MULTI_CLUSTER_SERVICE = known("networking.one.alibabacloud.com/v1alpha1", "MultiClusterService")
PROPAGATION_POLICIES = tuple(t for t in HUB_ONLY if t.kind in PROPAGATION_KINDS)
OVERRIDE_POLICIES = tuple(t for t in HUB_ONLY if t.kind in ("OverridePolicy", "ClusterOverridePolicy"))
