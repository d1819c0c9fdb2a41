"""The Alibaba Cloud side of the sandbox twin, one module per cloud service."""
