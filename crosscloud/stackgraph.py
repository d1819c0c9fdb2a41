"""The stack graph, importable without CDKTF: the runner and light commands read it."""

from __future__ import annotations

# stack -> the stacks it needs, in a valid apply order.
STACK_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "network": (),
    "vpn": ("network",),
    "clusters": ("network",),  # the Alibaba clusters (ASK / ACS / ACK)
    "gke": ("network",),  # the GKE clusters: own stack, so `members` does not wait for them
    "fleet": ("network",),
    "members": ("clusters", "fleet"),
}
STACK_ORDER = list(STACK_DEPENDENCIES)
# When several stacks become ready together, the ones with the longest creates start Terraform
# first: cluster creation is the longest wait in both clouds (ASK/ACK and GKE about 10 minutes;
# the twin's LATENCY_MINUTES in crosscloud/sandbox/semantics.py, with its sources), the VPN
# gateways and the hub have minutes to spare.
LONGEST_FIRST = ("network", "clusters", "gke", "members", "vpn", "fleet")
PSK_VARIABLE = "ipsec_psk"  # set it with TF_VAR_ipsec_psk or a Terraform Cloud workspace variable
# The same key as an ephemeral variable (Terraform >= 1.11) for the GCP tunnels' write-only
# secret; crosscloud and the sandbox env copy TF_VAR_ipsec_psk into it when it is unset.
PSK_WRITE_ONLY_VARIABLE = "ipsec_psk_wo"
# cloud -> the stack that holds its clusters (each has a cluster_ids output: cluster name -> id)
CLUSTERS_STACK_OF = {"alibaba": "clusters", "gcp": "gke"}
