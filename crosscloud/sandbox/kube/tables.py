"""`meta.k8s.io/v1 Table` responses: what kubectl asks for to print `get` output."""

from __future__ import annotations

import calendar
import time

from .resources import ResourceType

_NAME = {"name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0}


def _col(name: str, type_: str = "string") -> dict:
    return {"name": name, "type": type_, "format": "", "description": name, "priority": 0}


def _age(obj: dict) -> str:
    ts = obj["metadata"].get("creationTimestamp")
    if not ts:
        return "<unknown>"
    secs = max(0, int(time.time() - calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))))
    if secs < 120:
        return f"{secs}s"
    if secs < 7200:
        return f"{secs // 60}m"
    if secs < 172800:
        return f"{secs // 3600}h"
    return f"{secs // 86400}d"


def _columns(rt: ResourceType) -> tuple[list[dict], callable]:
    kind = (rt.group, rt.kind)
    if kind == ("apps", "Deployment"):
        def cells(o):
            s, want = o.get("status") or {}, (o.get("spec") or {}).get("replicas", 1)
            return [f"{s.get('readyReplicas', 0)}/{want}", s.get("updatedReplicas", 0), s.get("availableReplicas", 0)]
        return [_col("Ready"), _col("Up-to-date", "integer"), _col("Available", "integer")], cells
    if kind == ("", "Pod"):
        def cells(o):
            s = o.get("status") or {}
            cs = s.get("containerStatuses") or []
            total = len((o.get("spec") or {}).get("containers") or [])
            return [f"{sum(1 for c in cs if c.get('ready'))}/{total}", s.get("phase", "Pending"), 0]
        return [_col("Ready"), _col("Status"), _col("Restarts", "integer")], cells
    if kind == ("", "Service"):
        def cells(o):
            spec = o.get("spec") or {}
            ports = ",".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or []) or "<none>"
            return [spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), "<none>", ports]
        return [_col("Type"), _col("Cluster-IP"), _col("External-IP"), _col("Port(s)")], cells
    if kind == ("", "Namespace"):
        return [_col("Status")], lambda o: [(o.get("status") or {}).get("phase", "Active")]
    if kind == ("core.oam.dev", "Application"):
        def cells(o):
            comps = (o.get("spec") or {}).get("components") or [{}]
            return [comps[0].get("name", ""), comps[0].get("type", ""), (o.get("status") or {}).get("status", "")]
        return [_col("Component"), _col("Type"), _col("Phase")], cells
    return [], lambda o: []


def table(rt: ResourceType, items: list[dict], resource_version: str, include_object: str = "Metadata") -> dict:
    extra, cells = _columns(rt)
    rows = []
    for o in items:
        if include_object == "None":
            obj = None
        elif include_object == "Object":
            obj = o
        else:
            obj = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}
        row = {"cells": [o["metadata"]["name"], *cells(o), _age(o)]}
        if obj is not None:
            row["object"] = obj
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": [_NAME, *extra, _col("Age")], "rows": rows}
