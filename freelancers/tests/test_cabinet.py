"""The freelancer's cabinet: what they see, the versions they write, who gets in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import User
from freelancers import services
from freelancers.models import Certificate, Freelancer, FreelancerCard
from freelancers.tests.conftest import make_freelancer
from freelancers.tests.test_cards import image_bytes
from freelancers.tests.test_catalogue import listed

pytestmark = pytest.mark.django_db

Status = FreelancerCard.Status
ME = "/freelancers/me/"
CARD = "/freelancers/me/card/"
FORM = {
    "about": "Настраиваю Директ",
    "phone": "+7 999 123-45-67",
    "email": "",
    "site": "",
    "messenger": "",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def moderator() -> User:
    return User.objects.create_user(username="moder", password="pw-moder-12345", is_staff=True)


def account(freelancer: Freelancer, username: str = "fl") -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password="pw-fl-12345"
    )
    freelancer.user = user
    freelancer.save(update_fields=["user"])
    return user


@pytest.fixture
def own(today):
    """A listed freelancer (accepted v1, certificate for 100 days) with an account."""
    freelancer = listed(501, today, about="Первая версия", first_name="Ольга", last_name="Своя")
    freelancer.visibility_reason = {
        "code": "current",
        "certificate": "501-0",
        "kind": "direct",
        "due_on": (today + timedelta(days=100)).isoformat(),
    }
    freelancer.certificates_synced_at = timezone.now()
    freelancer.save()
    return freelancer


@pytest.fixture
def signed_in(client, own):
    client.force_login(account(own))
    return client


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages in English (the switcher's cookie), so texts are stable."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(ME)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(CARD).status_code == 302


def test_recruiter_has_no_cabinet(client, recruiter):
    client.force_login(recruiter)
    assert client.get(ME).status_code == 404
    assert client.get(CARD).status_code == 404
    assert client.post("/freelancers/me/card/withdraw/").status_code == 404


def test_cabinet_shows_certificates_visibility_and_history(signed_in, own, today):
    response = signed_in.get(ME)
    cabinet = response.context["cabinet"]
    assert cabinet.visible and cabinet.public == own.accepted_card
    until = (today + timedelta(days=100)).isoformat()
    assert cabinet.visibility == (
        f"In the catalogue until {until}: certificate Yandex Direct #501-0 is valid until {until}"
    )
    assert cabinet.leaves_in_days is None
    assert [v.version for v in cabinet.versions] == [1]
    assert "#501-0" in response.content.decode()


def test_cabinet_warns_when_the_card_leaves_within_30_days(signed_in, own, today):
    Freelancer.objects.filter(pk=own.pk).update(visible_until=today + timedelta(days=12))
    response = signed_in.get(ME)
    assert response.context["cabinet"].leaves_in_days == 12
    assert 'id="leaving"' in response.content.decode()


def test_expired_certificate_is_explained_with_dates(client, today):
    freelancer = make_freelancer(502)
    due = today - timedelta(days=3)
    Certificate.objects.create(
        freelancer=freelancer, external_id="c-9", kind="direct", confirmed_on=due, due_on=due
    )
    card = services.freelancer_card_create(
        freelancer=freelancer, about="x", email="a@example.com", submit=True
    )
    moderator = User.objects.create_user(username="m2", password="pw-m2-123456", is_staff=True)
    services.freelancer_card_accept(card=card, moderator=moderator)
    Freelancer.objects.filter(pk=freelancer.pk).update(
        visibility_reason={
            "code": "expired",
            "certificate": "c-9",
            "kind": "direct",
            "due_on": due.isoformat(),
        },
        certificates_synced_at=timezone.now(),
    )
    client.force_login(account(freelancer))
    text = client.get(ME).context["cabinet"].visibility
    assert text.startswith(f"Not in the catalogue: certificate Yandex Direct #c-9 expired on {due}")
    assert "last checked" in text


def test_without_an_accepted_card_the_reason_says_so(client):
    freelancer = make_freelancer(503)
    services.freelancer_card_create(
        freelancer=freelancer, about="x", email="a@example.com", submit=True
    )
    client.force_login(account(freelancer))
    cabinet = client.get(ME).context["cabinet"]
    assert cabinet.visibility == "Not in the catalogue: no accepted card yet"
    assert cabinet.pending.status == Status.ON_MODERATION


def test_form_is_prefilled_from_the_latest_version(signed_in):
    form = signed_in.get(CARD).context["form"]
    assert form.initial["about"] == "Первая версия"


def test_submit_makes_a_new_version_and_keeps_the_accepted_one_public(signed_in, own):
    response = signed_in.post(CARD, {**FORM, "about": "Вторая версия"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.accepted_card.version == 1 and own.accepted_card.about == "Первая версия"
    pending = own.cards.get(version=2)
    assert pending.status == Status.ON_MODERATION and pending.about == "Вторая версия"


def test_submitting_again_replaces_the_pending_version_only(signed_in, own):
    signed_in.post(CARD, {**FORM, "about": "Вторая"})
    signed_in.post(CARD, {**FORM, "about": "Вторая, исправленная"})
    assert list(own.cards.order_by("version").values_list("version", "status", "about")) == [
        (1, Status.ACCEPTED, "Первая версия"),
        (2, Status.ON_MODERATION, "Вторая, исправленная"),
    ]


def test_after_a_decision_a_new_submit_makes_a_new_version(signed_in, own, moderator):
    signed_in.post(CARD, {**FORM, "about": "Вторая"})
    services.freelancer_card_decline(
        card=own.cards.get(version=2), moderator=moderator, reason="Нет"
    )
    signed_in.post(CARD, {**FORM, "about": "Третья"})
    assert own.cards.get(version=2).about == "Вторая"
    assert own.cards.get(version=3).status == Status.ON_MODERATION


def test_pending_version_can_be_withdrawn(signed_in, own):
    signed_in.post(CARD, {**FORM, "about": "Вторая"})
    assert signed_in.post("/freelancers/me/card/withdraw/").status_code == 302
    assert own.cards.get(version=2).status == Status.DRAFT
    # Withdrawing twice answers with a message, not an error page.
    response = signed_in.post("/freelancers/me/card/withdraw/", follow=True)
    assert response.status_code == 200
    # The next submit reuses the withdrawn draft.
    signed_in.post(CARD, {**FORM, "about": "Снова"})
    assert own.cards.count() == 2 and own.cards.get(version=2).status == Status.ON_MODERATION


def test_photo_is_stored_reencoded_and_kept_by_the_next_version(signed_in, own, moderator):
    photo = SimpleUploadedFile("me.png", image_bytes(), "image/png")
    signed_in.post(CARD, {**FORM, "photo": photo})
    v2 = own.cards.get(version=2)
    assert v2.photo.name.endswith(".jpg")
    services.freelancer_card_accept(card=v2, moderator=moderator)
    signed_in.post(CARD, {**FORM, "about": "Без нового фото"})
    assert own.cards.get(version=3).photo.name == v2.photo.name


BAD = [
    ({"about": ""}, "about"),
    ({"phone": "позвоните мне"}, "phone"),
    ({"phone": "8 (123) 456-78-90"}, "phone"),  # digits enough, but no such number
    ({"photo": SimpleUploadedFile("me.jpg", b"%PDF-1.4 nope", "image/jpeg")}, "photo"),
]


@pytest.mark.parametrize(
    ("change", "field"), BAD, ids=["empty-about", "bad-phone", "no-such-number", "not-image"]
)
def test_bad_input_answers_the_form_and_saves_nothing(signed_in, own, change, field):
    response = signed_in.post(CARD, {**FORM, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert own.cards.count() == 1


def test_a_phone_that_is_no_number_is_explained_on_the_form(signed_in, own):
    response = signed_in.post(CARD, {**FORM, "phone": "+7 916 123-45-67 доб. 5"})
    assert response.status_code == 200
    assert "Enter a phone number that exists" in response.content.decode()
    assert own.cards.count() == 1


def test_a_phone_typed_any_way_is_stored_in_e164_and_shown_international(signed_in, own):
    signed_in.post(CARD, {**FORM, "phone": "8 (916) 123-45-67"})
    assert own.cards.get(version=2).phone == "+79161234567"
    assert "+7 916 123-45-67" in signed_in.get(ME).content.decode()


def test_oversized_photo_answers_the_form(signed_in, own, settings):
    settings.FREELANCER_PHOTO_MAX_BYTES = 1000
    photo = SimpleUploadedFile("me.png", image_bytes(), "image/png")
    response = signed_in.post(CARD, {**FORM, "photo": photo})
    assert response.status_code == 200 and "photo" in response.context["form"].errors
    assert own.cards.count() == 1


def test_a_card_needs_a_contact(signed_in, own):
    response = signed_in.post(CARD, {**FORM, "phone": ""})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert own.cards.count() == 1


def test_html_in_the_card_is_shown_escaped(signed_in, own, client):
    signed_in.post(CARD, {**FORM, "about": "<script>alert(1)</script>"})
    body = signed_in.get(ME).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_freelancer_only_ever_reaches_their_own_card(signed_in, own, today):
    other = listed(599, today, about="Чужая карточка")
    account(other, username="other")
    signed_in.post(CARD, {**FORM, "about": "Моя"})
    assert other.cards.count() == 1
    body = signed_in.get(ME).content.decode()
    assert "Чужая карточка" not in body
    # There is no URL naming another freelancer's cabinet.
    assert signed_in.get(f"/freelancers/me/{other.pk}/").status_code == 404


def test_home_sends_a_freelancer_to_the_cabinet(signed_in):
    response = signed_in.get("/")
    assert response.status_code == 302 and response["Location"] == ME
