"""The signed-in user's read on every request (`OrganizationBackend.get_user`,
written as SQL): the user with their organization and freelancer as
`select_related` gives them, in one query, and refused where Django and the
organization rule refuse them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.auth import OrganizationBackend
from core.models import User
from freelancers.models import Freelancer

pytestmark = pytest.mark.django_db


def read(user_id):
    with CaptureQueriesContext(connection) as queries:
        user = OrganizationBackend().get_user(user_id)
    return user, len(queries)


def test_a_recruiter_is_read_with_the_organization_in_one_query(recruiter, organization):
    user, queries = read(recruiter.pk)
    assert queries == 1
    with CaptureQueriesContext(connection) as more:
        assert user == recruiter and user.organization == organization
        assert user.organization.name == "Acme" and user.organization.is_active is True
        assert not hasattr(user, "freelancer")
        assert user.password == recruiter.password and user.date_joined == recruiter.date_joined
    assert len(more) == 0


def test_a_freelancer_is_read_with_the_card_owner_and_no_organization(db):
    person = User.objects.create_user("fl", password="pw-fl-12345")
    freelancer = Freelancer.objects.create(
        uid=7, user=person, client_id=70, first_name="Иван", last_name="Петров", region="Москва"
    )
    user, queries = read(person.pk)
    assert queries == 1
    with CaptureQueriesContext(connection) as more:
        assert user.organization is None
        assert user.freelancer == freelancer and user.freelancer.user is user
        assert user.freelancer.is_searchable is False and user.freelancer.uid == 7
    assert len(more) == 0


def test_a_switched_off_organizations_recruiter_and_an_inactive_user_are_refused(
    recruiter, organization
):
    organization.is_active = False
    organization.save(update_fields=["is_active"])
    assert read(recruiter.pk)[0] is None
    organization.is_active = True
    organization.save(update_fields=["is_active"])
    recruiter.is_active = False
    recruiter.save(update_fields=["is_active"])
    assert read(recruiter.pk)[0] is None


def test_a_staff_member_without_an_organization_is_read(db):
    staff = User.objects.create_user("op", password="pw-op-12345", is_staff=True)
    user, _queries = read(staff.pk)
    assert user == staff and user.organization is None and user.is_staff is True


def test_an_unknown_or_malformed_id_is_no_user(recruiter):
    assert read(recruiter.pk + 1000)[0] is None
    assert read("not-a-number")[0] is None
    assert read(str(recruiter.pk))[0] == recruiter  # as a session stores it
