"""The Alibaba Cloud twin, one module per service."""
