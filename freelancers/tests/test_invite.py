"""The admin's "Invite by e-mail": an account, allauth's set-password link, the cabinet."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from core.models import User
from freelancers import services
from freelancers.models import Freelancer
from freelancers.tests.conftest import make_freelancer
from freelancers.tests.test_catalogue import listed

pytestmark = pytest.mark.django_db

LIST = "/admin/freelancers/freelancer/"
PASSWORD = "a-long-new-password-77"


def invite(client: Client, *freelancers: Freelancer):
    return client.post(
        LIST,
        {"action": "invite", "_selected_action": [f.pk for f in freelancers]},
        follow=True,
    )


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def with_card_email(uid: int, email: str) -> Freelancer:
    freelancer = make_freelancer(uid)
    services.freelancer_card_create(freelancer=freelancer, about="x", email=email, submit=True)
    return freelancer


def link_in(message) -> str:
    urls = re.findall(r"https?://\S+/accounts/password/reset/key/\S+", message.body)
    assert urls, message.body
    return urlsplit(urls[0]).path


def test_invited_freelancer_sets_a_password_signs_in_and_reaches_the_cabinet(admin_client, today):
    freelancer = listed(1, today)
    email = freelancer.accepted_card.email

    response = invite(admin_client, freelancer)

    assert "1" in messages_of(response)
    freelancer.refresh_from_db()
    user = freelancer.user
    assert user is not None and user.email == email and user.organization is None
    assert not user.has_usable_password()
    [message] = mail.outbox
    assert message.to == [email]
    assert "кабинет" in message.subject.lower() and "cabinet" in message.subject.lower()

    visitor = Client()
    form = visitor.get(link_in(message), follow=True)
    assert form.status_code == 200 and b"password1" in form.content
    done = visitor.post(form.redirect_chain[-1][0], {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    signed_in = visitor.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert visitor.get("/freelancers/me/").status_code == 200


def test_invitation_is_in_russian_and_english(admin_client, today):
    invite(admin_client, listed(2, today))
    [message] = mail.outbox
    assert "Задайте пароль" in message.body and "Set your password" in message.body


def test_the_set_password_link_works_only_once(admin_client, today):
    invite(admin_client, listed(3, today))
    link = link_in(mail.outbox[0])
    visitor = Client()
    form = visitor.get(link, follow=True)
    visitor.post(form.redirect_chain[-1][0], {"password1": PASSWORD, "password2": PASSWORD})
    again = Client().get(link, follow=True)
    assert b"password1" not in again.content


def test_already_linked_freelancer_is_refused(admin_client, recruiter, today):
    freelancer = listed(4, today)
    owner = User.objects.create_user(username="own", email="own@example.com")
    freelancer.user = owner
    freelancer.save(update_fields=["user"])

    response = invite(admin_client, freelancer)

    assert freelancer.full_name in messages_of(response)
    assert mail.outbox == []
    freelancer.refresh_from_db()
    assert freelancer.user == owner


def test_freelancer_without_an_email_is_refused(admin_client):
    freelancer = make_freelancer(5)
    services.freelancer_card_create(
        freelancer=freelancer, about="x", phone="+7 999 123-45-67", submit=True
    )
    users = User.objects.count()

    response = invite(admin_client, freelancer)

    assert freelancer.full_name in messages_of(response)

    assert mail.outbox == []
    assert User.objects.count() == users
    freelancer.refresh_from_db()
    assert freelancer.user is None


@pytest.mark.parametrize("field", ["email", "username"])
def test_email_of_another_account_is_refused(admin_client, field):
    User.objects.create_user(
        **{"username": "someone", "email": "x@example.com", field: "Taken@Example.com"}
    )
    freelancer = with_card_email(6, "taken@example.com")

    response = invite(admin_client, freelancer)

    assert "taken@example.com" in messages_of(response)

    assert mail.outbox == []
    freelancer.refresh_from_db()
    assert freelancer.user is None


def test_a_refused_freelancer_does_not_stop_the_others(admin_client, today):
    refused = make_freelancer(7)
    invited = with_card_email(8, "eight@example.com")

    invite(admin_client, refused, invited)

    assert [m.to for m in mail.outbox] == [["eight@example.com"]]
    invited.refresh_from_db()
    assert invited.user is not None


def test_a_mail_server_failure_creates_no_account(admin_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    freelancer = with_card_email(13, "thirteen@example.com")

    response = invite(admin_client, freelancer)

    assert response.status_code == 200
    assert "thirteen@example.com" in messages_of(response)
    assert not User.objects.filter(email="thirteen@example.com").exists()
    freelancer.refresh_from_db()
    assert freelancer.user is None


def test_the_email_of_the_accepted_card_comes_first(today):
    freelancer = listed(9, today)
    services.freelancer_card_create(
        freelancer=freelancer, about="y", email="newer@example.com", submit=True
    )
    services.freelancer_invite(freelancer=freelancer)
    assert mail.outbox[0].to == [freelancer.accepted_card.email]


def staff(*codenames: str) -> Client:
    user = User.objects.create_user(username="mod", password="pw-mod-12345", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_staff_with_change_permission_invites():
    client = staff("view_freelancer", "change_freelancer")
    invite(client, with_card_email(10, "ten@example.com"))
    assert len(mail.outbox) == 1


def test_staff_without_change_permission_cannot_invite():
    client = staff("view_freelancer")
    freelancer = with_card_email(11, "eleven@example.com")

    page = client.get(LIST)
    assert page.status_code == 200 and b'value="invite"' not in page.content
    invite(client, freelancer)

    assert mail.outbox == []
    freelancer.refresh_from_db()
    assert freelancer.user is None


def test_non_staff_cannot_invite(recruiter):
    client = Client()
    client.force_login(recruiter)
    freelancer = with_card_email(12, "twelve@example.com")

    invite(client, freelancer)

    assert mail.outbox == []
    freelancer.refresh_from_db()
    assert freelancer.user is None
