"""Admin fixes around the cabinet: the catalogue's own rule, names, messages."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from freelancers import services
from freelancers.models import FreelancerCard
from freelancers.tests.conftest import make_freelancer
from freelancers.tests.test_catalogue import listed

pytestmark = pytest.mark.django_db

LIST = "/admin/freelancers/freelancer/"


def test_in_catalogue_filter_follows_the_catalogue_rule(admin_client, today):
    shown = listed(1, today)
    pending = make_freelancer(2, is_searchable=True, visible_until=today)
    services.freelancer_card_create(
        freelancer=pending, about="x", email="a@example.com", submit=True
    )
    rows = admin_client.get(LIST, {"in_catalogue": "yes"}).context["cl"].result_list
    assert [f.pk for f in rows] == [shown.pk]
    rows = admin_client.get(LIST, {"in_catalogue": "no"}).context["cl"].result_list
    assert [f.pk for f in rows] == [pending.pk]


def test_card_is_titled_by_the_freelancers_name(today):
    card = listed(3, today, first_name="Анна", last_name="Крылова").accepted_card
    assert str(card).startswith("Анна Крылова, ")


def test_added_message_names_the_saved_version(admin_client, today):
    freelancer = listed(4, today)
    source = freelancer.accepted_card
    response = admin_client.post(
        f"/admin/freelancers/freelancercard/add/?copy={source.pk}",
        {"freelancer": freelancer.pk, "about": "v2", "email": "a@example.com", "submit": "on"},
    )
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "None" not in text and "2" in text
    assert FreelancerCard.objects.get(freelancer=freelancer, version=2).status == "on_moderation"
