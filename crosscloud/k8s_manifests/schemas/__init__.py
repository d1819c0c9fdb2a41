"""OpenAPI v3 schema data for the kinds crosscloud renders (see README.md); read by ../validate.py."""
