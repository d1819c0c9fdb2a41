"""The Alibaba Cloud OpenAPI actions Terraform cannot do, over the official SDKs.

CS 2015-12-15 (registered cluster lifecycle, agent manifest) and ADCP 2022-01-01 (fleet hub
kubeconfig and membership). Results come back as small dataclasses, errors as one
`AlibabaApiError`; neither ever carries credentials or kubeconfig text beyond the return value.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"

REGISTERED_TYPE = "ExternalKubernetes"
# States in which a same-named registered cluster is not worth reusing.
_GONE_STATES = {"deleting", "deleted", "delete_failed", "failed"}


@dataclass(frozen=True)
class ClusterInfo:
    id: str
    name: str
    cluster_type: str
    state: str
    vpc_id: str


@dataclass(frozen=True)
class MemberInfo:
    id: str
    name: str
    state: str          # the member cluster's own state (running, waiting, ...)
    cluster_type: str
    attach_state: str = ""  # the hub association (Installing, Successed, Failed, ...)


class AlibabaApiError(Exception):
    def __init__(self, action: str, code: str, message: str, request_id: str | None = None):
        super().__init__(action, code, message, request_id)
        self.action, self.code, self.message, self.request_id = action, code, message, request_id

    def __str__(self) -> str:
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"Alibaba Cloud {self.action} failed: {self.code}: {self.message}{rid}"


class MissingCredentialsError(AlibabaApiError):
    def __init__(self) -> None:
        super().__init__("(credentials)", "MissingCredentials",
                         f"set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET} "
                         f"(and {ENV_SECURITY_TOKEN} for STS credentials)")

    def __str__(self) -> str:
        return f"Alibaba Cloud credentials are missing: {self.message}"


def _endpoint(value: str | None) -> tuple[str | None, str]:
    """'127.0.0.1:8080' or 'http://127.0.0.1:8080' -> (host:port, protocol). Loopback means
    the sandbox, which speaks plain HTTP."""
    if not value:
        return None, "https"
    parts = urlsplit(value if "://" in value else "//" + value)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return parts.netloc, parts.scheme or ("http" if loopback else "https")


class AlibabaApi:
    def __init__(self, region: str, *, endpoint_cs: str | None = None, endpoint_adcp: str | None = None,
                 credentials: tuple[str, str] | None = None):
        """`credentials` (key id, secret) overrides the environment; the sandbox passes its own."""
        key_id, secret = credentials or (os.environ.get(ENV_ACCESS_KEY_ID, ""), os.environ.get(ENV_ACCESS_KEY_SECRET, ""))
        if not key_id or not secret:
            raise MissingCredentialsError()
        token = os.environ.get(ENV_SECURITY_TOKEN) or None
        # Kept only to scrub them out of error messages.
        self._secrets = [s for s in (key_id, secret, token) if s]
        self.region = region

        from alibabacloud_adcp20220101.client import Client as AdcpClient
        from alibabacloud_cs20151215.client import Client as CsClient
        from alibabacloud_tea_openapi.utils_models import Config

        def config(endpoint: str | None) -> Any:
            host, protocol = _endpoint(endpoint)
            return Config(access_key_id=key_id, access_key_secret=secret, security_token=token,
                          region_id=region, endpoint=host, protocol=protocol,
                          connect_timeout=10_000, read_timeout=60_000)

        self._cs = CsClient(config(endpoint_cs))
        self._adcp = AdcpClient(config(endpoint_adcp))

    # -- CS: registered cluster --------------------------------------------------------------

    def create_registered_cluster(self, name: str, vpc_id: str, vswitch_ids: list[str],
                                  region: str | None = None) -> str:
        from alibabacloud_cs20151215 import models as cs

        request = cs.CreateClusterRequest(name=name, cluster_type=REGISTERED_TYPE,
                                          region_id=region or self.region, vpcid=vpc_id,
                                          vswitch_ids=list(vswitch_ids))
        return self._call("CreateCluster", self._cs.create_cluster, request).body.cluster_id

    def find_registered_clusters(self, name: str) -> list[ClusterInfo]:
        from alibabacloud_cs20151215 import models as cs

        request = cs.DescribeClustersV1Request(name=name, cluster_type=REGISTERED_TYPE,
                                               region_id=self.region, page_size=100)
        body = self._call("DescribeClustersV1", self._cs.describe_clusters_v1, request).body
        # the name filter may match loosely; only an exact match counts
        return [ClusterInfo(c.cluster_id, c.name, c.cluster_type, c.state or "", c.vpc_id or "")
                for c in body.clusters or [] if c.name == name and c.cluster_type == REGISTERED_TYPE]

    def ensure_registered_cluster(self, name: str, vpc_id: str, vswitch_ids: list[str],
                                  region: str | None = None) -> tuple[str, bool]:
        """(cluster id, created). Reuses a live registered cluster of that name in the same VPC."""
        for existing in self.find_registered_clusters(name):
            if existing.state in _GONE_STATES:
                continue
            if existing.vpc_id and existing.vpc_id != vpc_id:
                raise AlibabaApiError(
                    "DescribeClustersV1", "NameInUse",
                    f"registered cluster {name!r} ({existing.id}) exists in {existing.vpc_id}, not {vpc_id}; "
                    "delete it or choose another name")
            return existing.id, False
        return self.create_registered_cluster(name, vpc_id, vswitch_ids, region), True

    def describe_cluster(self, cluster_id: str) -> ClusterInfo:
        b = self._call("DescribeClusterDetail", self._cs.describe_cluster_detail, cluster_id).body
        return ClusterInfo(b.cluster_id, b.name or "", b.cluster_type or "", b.state or "", b.vpc_id or "")

    def external_agent_manifest(self, cluster_id: str, *, private_ip: bool = True) -> str:
        """The agent YAML (several documents). private_ip: the agent reaches Alibaba over the VPN."""
        from alibabacloud_cs20151215 import models as cs

        request = cs.DescribeExternalAgentRequest(private_ip_address="true" if private_ip else "false")
        body = self._call("DescribeExternalAgent", self._cs.describe_external_agent, cluster_id, request).body
        if not body.config:
            raise AlibabaApiError("DescribeExternalAgent", "EmptyResponse", f"no agent config for {cluster_id}")
        return body.config

    def delete_cluster(self, cluster_id: str) -> None:
        from alibabacloud_cs20151215 import models as cs

        self._call("DeleteCluster", self._cs.delete_cluster, cluster_id, cs.DeleteClusterRequest())

    # -- ADCP: fleet hub -----------------------------------------------------------------------

    def hub_kubeconfig(self, hub_id: str, *, private_ip: bool = False) -> str:
        from alibabacloud_adcp20220101 import models as adcp

        request = adcp.DescribeHubClusterKubeconfigRequest(cluster_id=hub_id, private_ip_address=private_ip)
        return self._call("DescribeHubClusterKubeconfig", self._adcp.describe_hub_cluster_kubeconfig,
                          request).body.kubeconfig

    def attach_to_hub(self, hub_id: str, cluster_id: str) -> None:
        from alibabacloud_adcp20220101 import models as adcp

        request = adcp.AttachClusterToHubRequest(cluster_id=hub_id, cluster_ids=json.dumps([cluster_id]))
        self._call("AttachClusterToHub", self._adcp.attach_cluster_to_hub, request)

    def detach_from_hub(self, hub_id: str, cluster_id: str) -> None:
        from alibabacloud_adcp20220101 import models as adcp

        request = adcp.DetachClusterFromHubRequest(cluster_id=hub_id, cluster_ids=json.dumps([cluster_id]))
        self._call("DetachClusterFromHub", self._adcp.detach_cluster_from_hub, request)

    def hub_members(self, hub_id: str) -> list[MemberInfo]:
        from alibabacloud_adcp20220101 import models as adcp

        body = self._call("DescribeManagedClusters", self._adcp.describe_managed_clusters,
                          adcp.DescribeManagedClustersRequest(cluster_id=hub_id)).body
        members = []
        for item in body.clusters or []:
            c, status = item.cluster, item.status
            if c is None:
                continue
            members.append(MemberInfo(c.cluster_id, c.name or "", c.state or "", c.cluster_type or "",
                                      (status.state if status else "") or ""))
        return members

    # -- error mapping ---------------------------------------------------------------------------

    def _call(self, action: str, fn: Callable[..., Any], *args: Any) -> Any:
        from Tea.exceptions import TeaException, UnretryableException, ValidateException

        try:
            return fn(*args)
        except UnretryableException as e:  # no HTTP answer at all (refused, timeout, DNS)
            raise AlibabaApiError(action, "RequestFailed", self._scrub(str(e.inner_exception))) from None
        except TeaException as e:
            data = e.data if isinstance(e.data, dict) else {}
            message = data.get("Message") or data.get("message") or e.message or ""
            request_id = (getattr(e, "request_id", None) or data.get("RequestId")
                          or data.get("requestId") or None)
            raise AlibabaApiError(action, str(e.code or "Unknown"), self._scrub(str(message)),
                                  request_id) from None
        except ValidateException as e:
            raise AlibabaApiError(action, "InvalidRequest", self._scrub(str(e))) from None

    def _scrub(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s, "***")
        return text
