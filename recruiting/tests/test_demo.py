"""The demo seed is idempotent and makes take-into-work usable for the demo company."""

from __future__ import annotations

import pytest

from core import demo as core_demo
from core.models import Organization
from recruiting import demo
from recruiting.models import SubsystemConnection
from recruiting.selectors import subsystem_options


@pytest.mark.django_db
def test_demo_seed_connects_both_subsystems_once(settings):
    settings.SANDBOX = True
    core_demo.seed()
    demo.seed()
    demo.seed()
    organization = Organization.objects.get(name=core_demo.DEMO_ORGANIZATION)
    assert SubsystemConnection.objects.filter(organization=organization).count() == 2
    options = {o.subsystem: o for o in subsystem_options(organization=organization)}
    assert set(options) == {"amocrm", "tracker"}
    assert [value for value, _label in options["tracker"].targets] == ["HIRE", "DEV"]


@pytest.mark.django_db
def test_demo_seed_does_nothing_without_the_sandbox(settings):
    settings.SANDBOX = False
    demo.seed()
    assert not SubsystemConnection.objects.exists()
