"""The recruiting control panel, one module per subdomain."""

from recruiting.admin import applications, jobsites  # noqa: F401
