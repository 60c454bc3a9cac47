"""Recruiting tables, one module per subdomain."""

from recruiting.models.applications import *  # noqa: F403
from recruiting.models.jobsites import *  # noqa: F403
