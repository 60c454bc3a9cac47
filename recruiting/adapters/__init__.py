"""Adapters to external systems: job sites and subsystems."""
