"""Moderation and freelancer pages of the admin."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from core.numbers import parse_int
from freelancers import selectors, services
from freelancers.models import FreelancerCard
from freelancers.tests.conftest import make_freelancer

pytestmark = pytest.mark.django_db

Status = FreelancerCard.Status


@pytest.fixture
def freelancer():
    return make_freelancer(1234, first_name="Анна", last_name="Соколова")


@pytest.fixture
def moderator(admin_user):
    return admin_user


def card(freelancer, about, submit=True):
    return services.freelancer_card_create(
        freelancer=freelancer, about=about, email="a@example.com", submit=submit
    )


def change_url(c: FreelancerCard) -> str:
    return reverse("admin:freelancers_freelancercard_change", args=[c.pk])


def test_queue_lists_cards_on_moderation_only(admin_client, freelancer, moderator):
    waiting = card(freelancer, "ждёт")
    services.freelancer_card_accept(card=card(freelancer, "принята"), moderator=moderator)
    card(freelancer, "черновик", submit=False)
    response = admin_client.get(reverse("admin:freelancers_cardonmoderation_changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [waiting.pk]


def test_review_page_shows_diff_against_previous_accepted_version(
    admin_client, freelancer, moderator
):
    services.freelancer_card_accept(card=card(freelancer, "старый текст"), moderator=moderator)
    new = services.freelancer_card_create(
        freelancer=freelancer,
        about="новый текст",
        email="a@example.com",
        site="https://a.ru",
        submit=True,
    )
    response = admin_client.get(change_url(new))
    assert response.status_code == 200
    diff = {d.name: d for d in response.context["diff"]}
    assert diff["about"].changed and diff["site"].changed and not diff["email"].changed
    body = response.content.decode()
    assert "- старый текст" in body and "+ новый текст" in body
    assert 'data-field="site" data-changed="yes"' in body


def test_accept_from_the_review_page(admin_client, freelancer):
    c = card(freelancer, "текст")
    response = admin_client.post(reverse("admin:freelancers_card_accept", args=[c.pk]))
    assert response.status_code == 302
    c.refresh_from_db()
    freelancer.refresh_from_db()
    assert c.status == Status.ACCEPTED and freelancer.accepted_card_id == c.pk


def test_decline_without_reason_is_refused_then_with_reason_declines(admin_client, freelancer):
    c = card(freelancer, "текст")
    url = reverse("admin:freelancers_card_decline", args=[c.pk])
    admin_client.post(url, {"decline_reason_input": ""})
    c.refresh_from_db()
    assert c.status == Status.ON_MODERATION
    admin_client.post(url, {"decline_reason_input": "Контакты в описании"})
    c.refresh_from_db()
    assert c.status == Status.DECLINED and c.decline_reason == "Контакты в описании"


def test_moderation_refusals_reach_the_moderator_translated(
    admin_client, freelancer, russian_catalogue
):
    russian_catalogue(
        {
            "A declined card needs a reason": "Укажите причину отклонения",
            "Only an accepted version can be restored": "Восстановить можно только принятую",
        }
    )
    c = card(freelancer, "текст")
    declined = admin_client.post(
        reverse("admin:freelancers_card_decline", args=[c.pk]),
        {"decline_reason_input": ""},
        follow=True,
    )
    assert "Укажите причину отклонения" in declined.content.decode()
    restored = admin_client.post(
        reverse("admin:freelancers_card_restore", args=[c.pk]), follow=True
    )
    assert "Восстановить можно только принятую" in restored.content.decode()


def test_freelancer_search_by_uid_or_client_id_is_exact_and_names_still_match(admin_client):
    make_freelancer(77, client_id=5_500_001, last_name="Смирнова")
    make_freelancer(770, client_id=5_500_002, last_name="Кузнецова")
    url = "/admin/freelancers/freelancer/"

    def found(term: str) -> set[int]:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, {"q": term})
        if parse_int(term) is not None:  # no text comparison of the number (PostgreSQL, SQLite)
            sqls = " ".join(q["sql"] for q in queries if "freelancer" in q["sql"])
            assert not any(word in sqls for word in ("UPPER", "::text", "LIKE"))
        return {f.uid for f in response.context["cl"].result_list}

    assert found("77") == {77}
    assert found("5500002") == {770}
    assert found("смирн") == {77}
    assert found("99999999999999999999") == set()
    card_url = "/admin/freelancers/freelancercard/"
    assert admin_client.get(card_url, {"q": "77"}).status_code == 200


def test_moderated_card_is_read_only_in_the_admin(admin_client, freelancer, moderator):
    c = services.freelancer_card_accept(card=card(freelancer, "текст"), moderator=moderator)
    response = admin_client.post(change_url(c), {"about": "взлом", "email": "x@example.com"})
    assert response.status_code == 403
    c.refresh_from_db()
    assert c.about == "текст"
    body = admin_client.get(change_url(c)).content.decode()
    assert "?copy=" in body  # "Edit as a new version"


def test_restore_from_the_admin_makes_a_new_accepted_version(admin_client, freelancer, moderator):
    v1 = services.freelancer_card_accept(card=card(freelancer, "v1"), moderator=moderator)
    services.freelancer_card_accept(card=card(freelancer, "v2"), moderator=moderator)
    admin_client.post(reverse("admin:freelancers_card_restore", args=[v1.pk]))
    latest = FreelancerCard.objects.filter(freelancer=freelancer).order_by("-version").first()
    assert (latest.version, latest.about, latest.status) == (3, "v1", Status.ACCEPTED)


def test_new_version_from_the_admin_with_a_photo(admin_client, freelancer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = io.BytesIO()
    Image.new("RGB", (50, 50)).save(image, format="PNG")
    response = admin_client.post(
        reverse("admin:freelancers_freelancercard_add"),
        {
            "freelancer": freelancer.pk,
            "about": "Новая версия",
            "email": "a@example.com",
            "photo": SimpleUploadedFile("me.png", image.getvalue(), "image/png"),
            "submit": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = FreelancerCard.objects.get(freelancer=freelancer)
    assert created.status == Status.ON_MODERATION and created.photo.name.endswith(".jpg")


def png() -> SimpleUploadedFile:
    image = io.BytesIO()
    Image.new("RGB", (50, 50)).save(image, format="PNG")
    return SimpleUploadedFile("me.png", image.getvalue(), "image/png")


def test_edit_as_a_new_version_keeps_the_photo(
    admin_client, freelancer, moderator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    admin_client.post(
        reverse("admin:freelancers_freelancercard_add"),
        {
            "freelancer": freelancer.pk,
            "about": "v1",
            "email": "a@example.com",
            "photo": png(),
            "submit": "on",
        },
    )
    v1 = services.freelancer_card_accept(
        card=FreelancerCard.objects.get(freelancer=freelancer), moderator=moderator
    )
    assert v1.photo.name
    url = reverse("admin:freelancers_freelancercard_add") + f"?copy={v1.pk}"
    assert admin_client.get(url).context["adminform"].form.initial["about"] == "v1"

    response = admin_client.post(
        url, {"freelancer": freelancer.pk, "about": "v2", "email": "a@example.com", "submit": "on"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = services.freelancer_card_accept(
        card=FreelancerCard.objects.get(freelancer=freelancer, version=2), moderator=moderator
    )
    assert v2.about == "v2" and v2.photo.name == v1.photo.name
    freelancer.refresh_from_db()
    assert freelancer.accepted_card.photo.name == v1.photo.name


def test_edit_as_a_new_version_with_a_new_upload_replaces_the_photo(
    admin_client, freelancer, moderator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    admin_client.post(
        reverse("admin:freelancers_freelancercard_add"),
        {
            "freelancer": freelancer.pk,
            "about": "v1",
            "email": "a@example.com",
            "photo": png(),
            "submit": "on",
        },
    )
    v1 = FreelancerCard.objects.get(freelancer=freelancer)
    url = reverse("admin:freelancers_freelancercard_add") + f"?copy={v1.pk}"
    admin_client.post(
        url, {"freelancer": freelancer.pk, "about": "v2", "email": "a@example.com", "photo": png()}
    )
    v2 = FreelancerCard.objects.get(freelancer=freelancer, version=2)
    assert v2.photo.name and v2.photo.name != v1.photo.name


def test_upload_that_is_not_an_image_is_refused(admin_client, freelancer):
    response = admin_client.post(
        reverse("admin:freelancers_freelancercard_add"),
        {
            "freelancer": freelancer.pk,
            "about": "x",
            "email": "a@example.com",
            "photo": SimpleUploadedFile("me.png", b"MZ\x90\x00 not an image", "image/png"),
        },
    )
    assert response.status_code == 200
    assert not FreelancerCard.objects.exists()


def test_freelancer_list_filters_certificates_expiring_within_30_days(admin_client, today):
    soon = make_freelancer(1, visible_until=today + timedelta(days=10), is_searchable=True)
    make_freelancer(2, visible_until=today + timedelta(days=60), is_searchable=True)
    make_freelancer(3)
    response = admin_client.get(
        reverse("admin:freelancers_freelancer_changelist"), {"expires": "30"}
    )
    assert [f.pk for f in response.context["cl"].result_list] == [soon.pk]


def test_freelancer_page_shows_the_visibility_reason(admin_client, today):
    f = make_freelancer(
        5,
        is_searchable=True,
        visible_until=today,
        visibility_reason={
            "code": "current",
            "certificate": "c-5",
            "kind": "direct",
            "due_on": "2030-01-01",
        },
    )
    response = admin_client.get(reverse("admin:freelancers_freelancer_change", args=[f.pk]))
    assert "c-5" in response.content.decode()


def test_visibility_reason_gives_the_last_sync_in_local_time(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    f = make_freelancer(
        6,
        visibility_reason={"code": "none"},
        certificates_synced_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC),
    )
    assert "2026-03-02 01:30" in f.visibility_text


def queue_url() -> str:
    return reverse("admin:freelancers_cardonmoderation_changelist")


def test_bulk_accept_from_the_queue(admin_client, freelancer):
    c = card(freelancer, "текст")
    admin_client.post(queue_url(), {"action": "accept_selected", "_selected_action": [c.pk]})
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED


def test_bulk_decline_asks_for_a_reason_then_declines_the_selected(admin_client, freelancer):
    other = make_freelancer(4321)
    first, second, untouched = card(freelancer, "a"), card(other, "b"), card(other, "c")
    selected = {"action": "decline_selected", "_selected_action": [first.pk, second.pk]}

    page = admin_client.post(queue_url(), selected)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="decline_reason"' in body and f'value="{first.pk}"' in body
    assert FreelancerCard.objects.filter(status=Status.DECLINED).count() == 0

    refused = admin_client.post(queue_url(), {**selected, "apply": "1", "decline_reason": " "})
    assert refused.status_code == 200  # the reason page again, with an error
    assert FreelancerCard.objects.filter(status=Status.DECLINED).count() == 0

    done = admin_client.post(
        queue_url(), {**selected, "apply": "1", "decline_reason": "Контакты в описании"}
    )
    assert done.status_code == 302
    declined = FreelancerCard.objects.filter(status=Status.DECLINED)
    assert set(declined.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert set(declined.values_list("decline_reason", flat=True)) == {"Контакты в описании"}
    untouched.refresh_from_db()
    assert untouched.status == Status.ON_MODERATION


def test_bulk_decline_needs_the_moderation_permission(client, freelancer, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_freelancercard"))
    client.force_login(viewer)
    c = card(freelancer, "a")
    client.post(
        queue_url(),
        {
            "action": "decline_selected",
            "_selected_action": [c.pk],
            "apply": "1",
            "decline_reason": "нет",
        },
    )
    c.refresh_from_db()
    assert c.status == Status.ON_MODERATION


@pytest.mark.parametrize("object_id", ["abc", "1x", "²", "999999"])
def test_a_card_page_with_a_bad_or_unknown_id_says_so(admin_client, object_id):
    url = f"/admin/freelancers/freelancercard/{object_id}/change/"
    response = admin_client.get(url, follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert f"ID “{object_id}“ не существует" in response.content.decode()  # Django's message


def test_a_card_rewritten_after_the_moderator_opened_it_is_not_accepted_unseen(
    admin_client, freelancer
):
    c = card(freelancer, "безобидный текст")
    page = admin_client.get(change_url(c)).content.decode()
    reviewed = re.search(r'name="reviewed" value="([^"]+)"', page).group(1)
    services.freelancer_card_propose(freelancer=freelancer, about="совсем другой текст")

    stale = {"reviewed": reviewed}
    response = admin_client.post(reverse("admin:freelancers_card_accept", args=[c.pk]), stale)
    assert response.status_code == 302 and response["Location"] == change_url(c)
    c.refresh_from_db()
    assert c.status == Status.ON_MODERATION
    page = admin_client.get(change_url(c)).content.decode()
    assert "изменил карточку" in page and "совсем другой текст" in page

    fresh = re.search(r'name="reviewed" value="([^"]+)"', page).group(1)
    admin_client.post(reverse("admin:freelancers_card_accept", args=[c.pk]), {"reviewed": fresh})
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED and c.about == "совсем другой текст"


def test_a_version_accepted_after_a_restore_is_the_one_shown(freelancer, moderator):
    """The moderator's last decision is what the catalogue shows (and what
    the freelancer's notice says): not the highest version number."""
    v1 = services.freelancer_card_accept(card=card(freelancer, "v1"), moderator=moderator)
    v2 = card(freelancer, "v2")  # waits for moderation
    services.freelancer_card_restore(card=v1, moderator=moderator)  # v3, a copy of v1
    services.freelancer_card_accept(card=v2, moderator=moderator)
    freelancer.refresh_from_db()
    assert freelancer.accepted_card_id == v2.pk
    v4 = card(freelancer, "v4")  # reviewed against what the catalogue shows
    assert selectors.card_previous_accepted(v4).pk == v2.pk
