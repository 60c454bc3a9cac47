"""Recruiting use cases, one module per subdomain."""
