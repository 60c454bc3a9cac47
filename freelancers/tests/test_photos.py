"""Card photos are served only to those who may see them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import User
from freelancers import photos, services
from freelancers.models import Freelancer, FreelancerCard
from freelancers.tests.test_cards import image_bytes
from freelancers.tests.test_catalogue import listed
from freelancers.validators import photo_reencode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin(admin_user) -> User:
    return admin_user


def a_photo():
    return photo_reencode(SimpleUploadedFile("me.png", image_bytes(), "image/png"))


def with_account(freelancer: Freelancer, username: str) -> Client:
    user = User.objects.create_user(username=username, email=f"{username}@example.com")
    freelancer.user = user
    freelancer.save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    return client


def version(freelancer: Freelancer) -> FreelancerCard:
    """A new version with a photo, on moderation."""
    return services.freelancer_card_create(
        freelancer=freelancer, about="С фото", email="p@example.com", photo=a_photo(), submit=True
    )


def accepted(freelancer: Freelancer, moderator: User) -> FreelancerCard:
    return services.freelancer_card_accept(card=version(freelancer), moderator=moderator)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff(*codenames: str) -> Client:
    user = User.objects.create_user(username="mod", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return signed_in(user)


def test_photo_urls_point_to_the_guarded_view_not_media(today, admin):
    card = accepted(listed(1, today), admin)
    assert card.photo.url == f"/freelancers/photos/{card.photo.name.split('/')[-1]}"
    assert Client().get(f"/media/{card.photo.name}").status_code == 404


def test_catalogue_photo_is_public_and_cacheable(client, today, admin):
    card = accepted(listed(2, today), admin)
    page = client.get("/freelancers/").content.decode()
    [src] = re.findall(r'<img src="([^"]+)"', page)
    assert src == card.photo.url

    response = client.get(src)

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert client.get(f"/freelancers/{card.freelancer_id}/").content.decode().count(src) == 1


def test_public_photo_answers_not_modified_when_unchanged(client, today, admin):
    url = accepted(listed(3, today), admin).photo.url
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_pending_photo_is_shown_to_its_owner_and_moderators_only(today, admin, recruiter):
    freelancer = listed(4, today)
    owner = with_account(freelancer, "owner")
    other = with_account(listed(5, today), "other")
    url = version(freelancer).photo.url

    response = owner.get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert staff("view_freelancercard").get(url).status_code == 200
    assert signed_in(admin).get(url).status_code == 200
    assert Client().get(url).status_code == 404
    assert signed_in(recruiter).get(url).status_code == 404
    assert other.get(url).status_code == 404


def test_declined_photo_is_not_public(client, today, admin):
    freelancer = listed(6, today)
    owner = with_account(freelancer, "owner")
    card = services.freelancer_card_decline(
        card=version(freelancer), moderator=admin, reason="Не то фото"
    )
    assert client.get(card.photo.url).status_code == 404
    assert owner.get(card.photo.url).status_code == 200


def test_photo_of_a_hidden_freelancer_is_not_public(client, today, admin):
    freelancer = listed(7, today)
    owner = with_account(freelancer, "owner")
    url = accepted(freelancer, admin).photo.url
    Freelancer.objects.filter(pk=freelancer.pk).update(visible_until=today - timedelta(days=1))

    assert client.get(url).status_code == 404
    assert owner.get(url).status_code == 200


def test_staff_without_the_card_permission_gets_no_pending_photo(today):
    url = version(listed(8, today)).photo.url
    assert staff().get(url).status_code == 404


def test_unknown_or_missing_photo_is_not_found(today, admin, tmp_path):
    card = accepted(listed(9, today), admin)
    assert Client().get("/freelancers/photos/nope.jpg").status_code == 404
    assert Client().get("/freelancers/photos/../../config/settings.py").status_code == 404
    (tmp_path / card.photo.name).unlink()
    assert signed_in(admin).get(card.photo.url).status_code == 404


def test_photo_shown_again_once_the_freelancer_is_back(client, today, admin):
    freelancer = listed(10, today, days=-1)
    url = accepted(freelancer, admin).photo.url
    assert client.get(url).status_code == 404
    Freelancer.objects.filter(pk=freelancer.pk).update(
        is_searchable=True, visible_until=timezone.localdate() + timedelta(days=5)
    )
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["a1b2.jpg", "фото 1.jpg", "50%.jpg", "x?y#z.jpg", "a/b.jpg"])
def test_photo_url_is_what_reverse_gives_for_any_stored_name(name):
    storage = photos.card_photo_storage()
    expected = reverse("freelancers:photo", kwargs={"name": name})
    assert storage.url(photos.PHOTO_DIR + name) == expected
