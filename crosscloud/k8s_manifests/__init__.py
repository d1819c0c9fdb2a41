"""The ACK One multi-cluster manifests: jinja2 templates (*.yaml.j2) rendered per service from the
topology and the cluster ids, validated against the kinds' OpenAPI schemas (schemas/).

jinja2 is imported only when rendering, so importing this package stays light.
"""

from .render import (ClusterIds, ManifestError, RenderedFile, ServiceNames, names_for, render, render_checked,
                     validate_files, write_manifests)
from .validate import validate, validate_document

__all__ = ["ClusterIds", "ManifestError", "RenderedFile", "ServiceNames", "names_for", "render", "render_checked",
           "validate", "validate_document", "validate_files", "write_manifests"]
