"""Operations on one cluster's objects: create, replace, patch/apply, delete, get, list.

The HTTP layer and the controllers both go through here, so validation, defaulting, status
subresource rules, generation and managedFields are the same whoever writes.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
import time
import uuid
from typing import Any

import yaml

from . import errors, fieldsets
from .clusters import Cluster
from .errors import ApiError
from .patches import json_patch, merge_patch, strategic_merge_patch
from .resources import Catalogue, ResourceType
from .selectors import field_matcher, label_matcher
from .storage import KubeStore, StaleWrite

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_ALNUM = "bcdfghjklmnpqrstvwxz2456789"


MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


class _Stale(Exception):
    """The object changed between our read and our write."""


def timestamp(t: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class ClusterObjects:
    def __init__(self, store: KubeStore, cluster: Cluster, *, dry_run: bool = False):
        self.store, self.cluster = store, cluster
        self.key = cluster.key
        self.dry_run = dry_run          # `?dryRun=All`: validate and answer, store nothing

    # -- types ------------------------------------------------------------------------------
    def catalogue(self) -> Catalogue:
        crds = self.store.list(self.key, "apiextensions.k8s.io", "customresourcedefinitions")
        return Catalogue.for_cluster(self.cluster.is_hub, crds)

    def rtype(self, api_version: str, kind: str) -> ResourceType:
        rt = self.catalogue().by_kind(api_version, kind)
        if rt is None:
            raise ApiError(404, f'the server could not find the requested resource ({kind} {api_version})')
        return rt

    def ensure_defaults(self) -> None:
        ns_type = self.catalogue().by_kind("v1", "Namespace")
        for ns in DEFAULT_NAMESPACES:
            if self.store.get(self.key, "", "namespaces", "", ns) is None:
                try:
                    self.create(ns_type, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
                                manager="kube-apiserver")
                except ApiError:
                    pass       # created concurrently

    # -- reads ------------------------------------------------------------------------------
    def get(self, rt: ResourceType, namespace: str, name: str) -> dict:
        obj = self.store.get(self.key, rt.group, rt.plural, namespace if rt.namespaced else "", name)
        if obj is None:
            raise errors.not_found(rt, name)
        return obj

    def find(self, rt: ResourceType, namespace: str, name: str) -> dict | None:
        return self.store.get(self.key, rt.group, rt.plural, namespace if rt.namespaced else "", name)

    def list(self, rt: ResourceType, namespace: str | None = None, label_selector: str | None = None,
             field_selector: str | None = None) -> list[dict]:
        labels, fields = label_matcher(label_selector), field_matcher(field_selector)
        items = self.store.list(self.key, rt.group, rt.plural, namespace if rt.namespaced else None)
        return [o for o in items if labels(o["metadata"].get("labels") or {}) and fields(o)]

    # -- writes -----------------------------------------------------------------------------
    def _check_identity(self, rt: ResourceType, namespace: str, body: Any, name: str | None = None) -> dict:
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        if body.get("apiVersion") not in (None, rt.api_version):
            raise errors.bad_request(f"the API version in the data ({body['apiVersion']}) does not match the "
                                     f"expected API version ({rt.api_version})")
        if body.get("kind") not in (None, rt.kind):
            raise errors.bad_request(f"the kind in the data ({body['kind']}) does not match the expected kind "
                                     f"({rt.kind})")
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        if rt.namespaced:
            if meta.get("namespace") not in (None, "", namespace):
                raise errors.bad_request("the namespace of the provided object does not match the namespace "
                                         "sent on the request")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if name is not None:
            if meta.get("name") not in (None, "", name):
                raise errors.bad_request("the name of the object "
                                         f"({meta.get('name')}) does not match the name on the URL ({name})")
            meta["name"] = name
        body["apiVersion"], body["kind"] = rt.api_version, rt.kind
        return body

    def _check_namespace(self, rt: ResourceType, namespace: str) -> None:
        if rt.namespaced and self.store.get(self.key, "", "namespaces", "", namespace) is None:
            ns_type = self.catalogue().by_kind("v1", "Namespace")
            raise errors.not_found(ns_type, namespace)

    def create(self, rt: ResourceType, namespace: str, body: dict, *, manager: str,
               keep_status: bool = False, dry_run: bool = False, managed_fields: list | None = None) -> dict:
        body = self._check_identity(rt, namespace, copy.deepcopy(body))
        meta = body["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(_ALNUM[b % len(_ALNUM)] for b in uuid.uuid4().bytes[:5])
        name = meta.get("name")
        if not name:
            raise ApiError(422, f"{rt.kind} \"\" is invalid: metadata.name: Required value: name or generateName "
                                "is required", reason="Invalid")
        if not _NAME.match(name) or len(name) > 253:
            raise errors.invalid(rt, name, "metadata.name", f'Invalid value: "{name}": a lowercase RFC 1123 '
                                 "subdomain must consist of lower case alphanumeric characters, '-' or '.'")
        self._check_namespace(rt, namespace)
        if rt.status and not keep_status:
            body.pop("status", None)
        for k in ("resourceVersion", "managedFields", "deletionTimestamp"):
            meta.pop(k, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = timestamp()
        meta["generation"] = 1
        self._defaults(rt, body, None)
        self._validate(rt, body)
        if managed_fields is not None:       # created by an apply: the applier owns what it applied
            meta["managedFields"] = managed_fields
        else:
            fieldsets.record_update(None, body, manager, subresource="", api_version=rt.api_version)
        if keep_status and "status" in body and managed_fields is None:
            fieldsets.record_update(body, body, manager, subresource="status", api_version=rt.api_version)
        if dry_run or self.dry_run:
            if self.find(rt, namespace, name) is not None:
                raise errors.already_exists(rt, name)
            return body
        try:
            return self.store.put(self.key, rt.group, rt.plural, meta.get("namespace", ""), name, body, expect_rv="")
        except StaleWrite:
            raise errors.already_exists(rt, name)

    def replace(self, rt: ResourceType, namespace: str, name: str, body: dict, *, manager: str,
                subresource: str = "") -> dict:
        body = self._check_identity(rt, namespace, copy.deepcopy(body), name)
        return self._update(rt, namespace, name, lambda old: copy.deepcopy(body), manager, subresource,
                            body["metadata"].get("resourceVersion"))

    def patch(self, rt: ResourceType, namespace: str, name: str, content_type: str, raw: bytes | str | Any, *,
              manager: str | None, force: bool = False, subresource: str = "") -> dict:
        ctype = content_type.split(";")[0].strip().lower()
        if ctype != APPLY and force:
            raise errors.bad_request("force flag must be unset for non-apply patch requests")
        patch = self._decode_patch(ctype, raw)
        if ctype == APPLY:
            return self.apply(rt, namespace, name, patch, manager=manager, force=force, subresource=subresource)
        ops = {MERGE: merge_patch, STRATEGIC: strategic_merge_patch, JSON_PATCH: json_patch}
        if ctype not in ops:
            raise ApiError(415, f"the body of the request was in an unknown format - accepted media types "
                                f"include: {JSON_PATCH}, {MERGE}, {APPLY}, {STRATEGIC}")
        pinned = ((patch.get("metadata") or {}).get("resourceVersion") if isinstance(patch, dict) else None)
        compute = lambda old: self._check_identity(rt, namespace, ops[ctype](old, patch), name)
        return self._update(rt, namespace, name, compute, manager or "unknown", subresource, pinned)

    def _update(self, rt: ResourceType, namespace: str, name: str, compute, manager: str, subresource: str,
                pinned_rv: str | None) -> dict:
        """Read, change, write; retried when another writer got in between, unless the caller
        pinned a resourceVersion (then that is a 409, as optimistic concurrency wants)."""
        for _ in range(10):
            old = self.get(rt, namespace, name)
            if pinned_rv and pinned_rv != old["metadata"]["resourceVersion"]:
                break
            new = self._merge_rules(rt, old, compute(old), subresource)
            fieldsets.record_update(old, new, manager, subresource=subresource, api_version=rt.api_version)
            try:
                return self._save(rt, old, new)
            except _Stale:
                if pinned_rv:
                    break
        raise errors.conflict(rt, name, MODIFIED)

    def apply(self, rt: ResourceType, namespace: str, name: str, applied: Any, *, manager: str | None,
              force: bool = False, subresource: str = "") -> dict:
        if not manager:
            raise errors.bad_request("PATCH, application/apply-patch+yaml: fieldManager is required for apply requests")
        if not isinstance(applied, dict) or not applied.get("apiVersion") or not applied.get("kind"):
            raise errors.bad_request("error decoding patch: apiVersion and kind must be set in an apply request")
        if applied["apiVersion"] != rt.api_version or applied["kind"] != rt.kind:
            raise errors.bad_request(f"the API version/kind in the data ({applied['apiVersion']}, {applied['kind']}) "
                                     f"does not match the expected ones ({rt.api_version}, {rt.kind})")
        applied = self._check_identity(rt, namespace, copy.deepcopy(applied), name)
        for _ in range(5):            # retried only when another writer got in between
            old = self.find(rt, namespace, name)
            want_rv = applied["metadata"].get("resourceVersion")
            if old is None:
                if subresource:
                    raise errors.not_found(rt, name)
                if want_rv:
                    raise errors.conflict(rt, name, MODIFIED)
                base = {"apiVersion": rt.api_version, "kind": rt.kind, "metadata": {"name": name}}
                if rt.namespaced:
                    base["metadata"]["namespace"] = namespace
                try:
                    merged = fieldsets.apply(None, applied, manager, force=force, subresource="",
                                             api_version=rt.api_version)
                except fieldsets.ApplyConflict as exc:      # cannot happen without an owner; keep shape
                    raise self._conflict(rt, name, exc)
                body = strategic_merge_patch(base, merged)
                managed = body["metadata"].pop("managedFields", [])
                try:
                    return self.create(rt, namespace, body, manager=manager, managed_fields=managed)
                except ApiError as exc:
                    if exc.reason == "AlreadyExists":
                        continue
                    raise
            if want_rv and want_rv != old["metadata"]["resourceVersion"]:
                raise errors.conflict(rt, name, MODIFIED)
            try:
                merged = fieldsets.apply(old, applied, manager, force=force, subresource=subresource,
                                         api_version=rt.api_version)
            except fieldsets.ApplyConflict as exc:
                raise self._conflict(rt, name, exc)
            merged["apiVersion"], merged["kind"] = rt.api_version, rt.kind
            merged["metadata"].update({k: old["metadata"][k] for k in ("name", "uid", "creationTimestamp",
                                                                       "resourceVersion", "generation")
                                       if k in old["metadata"]})
            new = self._merge_rules(rt, old, merged, subresource)
            new["metadata"]["managedFields"] = merged["metadata"].get("managedFields", [])
            try:
                return self._save(rt, old, new)
            except _Stale:
                continue
        raise errors.conflict(rt, name, MODIFIED)

    @staticmethod
    def _conflict(rt: ResourceType, name: str, exc: fieldsets.ApplyConflict) -> ApiError:
        details = {"name": name, "kind": rt.plural, "causes": exc.causes}
        if rt.group:
            details["group"] = rt.group
        return ApiError(409, exc.message, reason="Conflict", details=details)

    def delete(self, rt: ResourceType, namespace: str, name: str) -> dict:
        obj = self.get(rt, namespace, name)
        if self.dry_run:
            return obj
        if rt.kind == "Namespace" and rt.group == "":
            if name in DEFAULT_NAMESPACES[:3]:
                raise ApiError(403, f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                               reason="Forbidden")
            for grp, resource, child in self.store.list_namespace_contents(self.key, name):
                self.store.delete(self.key, grp, resource, name, child)
        deleted = self.store.delete(self.key, rt.group, rt.plural, namespace if rt.namespaced else "", name)
        return deleted or obj

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _decode_patch(ctype: str, raw: Any) -> Any:
        if not isinstance(raw, (bytes, str)):
            return raw
        try:
            return yaml.safe_load(raw) if ctype == APPLY else json.loads(raw or b"null")
        except (ValueError, yaml.YAMLError) as exc:
            raise errors.bad_request(f"error decoding patch: {exc}")

    def _merge_rules(self, rt: ResourceType, old: dict, new: dict, subresource: str) -> dict:
        """Status-subresource rules, immutable identity, generation."""
        new = copy.deepcopy(new)
        if subresource == "status":
            status = new.get("status")
            new = copy.deepcopy(old)
            if status is None:
                new.pop("status", None)
            else:
                new["status"] = status
            return new
        if rt.status:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        meta, old_meta = new.setdefault("metadata", {}), old["metadata"]
        for k in ("uid", "creationTimestamp", "generation", "name"):
            if k in old_meta:
                meta[k] = old_meta[k]
        if rt.namespaced:
            meta["namespace"] = old_meta.get("namespace")
        meta["resourceVersion"] = old_meta["resourceVersion"]
        meta["managedFields"] = old_meta.get("managedFields", [])
        self._defaults(rt, new, old)
        self._validate(rt, new)
        spec_of = lambda o: {k: v for k, v in o.items() if k not in ("metadata", "status", "apiVersion", "kind")}
        if spec_of(new) != spec_of(old):
            meta["generation"] = int(old_meta.get("generation", 1)) + 1
        return new

    def _save(self, rt: ResourceType, old: dict, new: dict) -> dict:
        if new == old:
            return old          # a no-op write keeps the resourceVersion
        return self._store(rt, new, old["metadata"]["resourceVersion"])

    def _store(self, rt: ResourceType, body: dict, expect_rv: str) -> dict:
        meta = body["metadata"]
        if self.dry_run:
            return body
        try:
            return self.store.put(self.key, rt.group, rt.plural, meta.get("namespace", "") if rt.namespaced else "",
                                  meta["name"], body, expect_rv=expect_rv)
        except StaleWrite:
            raise _Stale()

    def _validate(self, rt: ResourceType, body: dict) -> None:
        name = body["metadata"]["name"]
        if rt.kind == "Deployment" and rt.group == "apps":
            spec = body.get("spec") or {}
            sel = ((spec.get("selector") or {}).get("matchLabels")) or {}
            labels = (((spec.get("template") or {}).get("metadata") or {}).get("labels")) or {}
            if not spec.get("selector"):
                raise errors.invalid(rt, name, "spec.selector", "Required value")
            if any(labels.get(k) != v for k, v in sel.items()):
                raise errors.invalid(rt, name, "spec.template.metadata.labels",
                                     f"Invalid value: {labels}: `selector` does not match template `labels`")
            if not ((spec.get("template") or {}).get("spec") or {}).get("containers"):
                raise errors.invalid(rt, name, "spec.template.spec.containers", "Required value")
        if rt.kind == "Service" and rt.group == "":
            for p in (body.get("spec") or {}).get("ports") or []:
                if not isinstance(p.get("port"), int):
                    raise errors.invalid(rt, name, "spec.ports[0].port", "Required value")

    def _defaults(self, rt: ResourceType, body: dict, old: dict | None) -> None:
        kind = (rt.group, rt.kind)
        if kind == ("", "Namespace"):
            body["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = body["metadata"]["name"]
            body.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            body.setdefault("status", {"phase": "Active"})
        elif kind == ("", "Service"):
            spec = body.setdefault("spec", {})
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            for p in spec.get("ports") or []:
                p.setdefault("protocol", "TCP")
                if spec["type"] != "ExternalName":
                    p.setdefault("targetPort", p.get("port"))
            if spec["type"] != "ExternalName":
                old_ip = ((old or {}).get("spec") or {}).get("clusterIP")
                ip = spec.get("clusterIP") or old_ip or self.allocate_ip("service")
                spec["clusterIP"] = ip
                spec["clusterIPs"] = [ip]
                spec.setdefault("ipFamilies", ["IPv4"])
                spec.setdefault("ipFamilyPolicy", "SingleStack")
                spec.setdefault("internalTrafficPolicy", "Cluster")
            body.setdefault("status", {"loadBalancer": {}})
        elif kind == ("apps", "Deployment"):
            spec = body.setdefault("spec", {})
            spec.setdefault("replicas", 1)
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
            spec.setdefault("strategy", {"type": "RollingUpdate",
                                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        elif kind == ("", "Pod"):
            body.setdefault("status", {"phase": "Pending"})

    def allocate_ip(self, pool: str) -> str:
        """The next free address of the cluster's service (or pod) range; never reused."""
        cidr = self.cluster.service_cidr if pool == "service" else self.cluster.pod_cidr
        net = ipaddress.ip_network(cidr, strict=False)
        n = self.store.next_number(f"ip:{self.key}:{pool}")
        # Skip the network address and the first host (the Service range's kubernetes service).
        return str(net.network_address + 1 + (n % max(net.num_addresses - 2, 1)))
