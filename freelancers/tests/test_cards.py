"""Card versions and moderation: a moderated card is never edited."""

from __future__ import annotations

import importlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from PIL import Image

from core import errors
from core.models import User
from freelancers import services
from freelancers.models import FreelancerCard, ModeratedCardImmutable
from freelancers.tests.conftest import make_freelancer
from freelancers.validators import photo_reencode, validate_messenger, validate_phone

pytestmark = pytest.mark.django_db

Status = FreelancerCard.Status


@pytest.fixture
def moderator() -> User:
    return User.objects.create_user(username="moder", password="pw-moder-12345", is_staff=True)


@pytest.fixture
def freelancer():
    return make_freelancer(900)


def new_card(freelancer, about="Настраиваю Директ", submit=True) -> FreelancerCard:
    return services.freelancer_card_create(
        freelancer=freelancer, about=about, email="ivan@example.com", submit=submit
    )


def test_versions_are_numbered_per_freelancer(freelancer):
    assert [new_card(freelancer).version for _ in range(3)] == [1, 2, 3]
    assert new_card(make_freelancer(901)).version == 1


def test_accept_publishes_the_latest_accepted_version(freelancer, moderator):
    first = services.freelancer_card_accept(card=new_card(freelancer), moderator=moderator)
    second = new_card(freelancer, about="v2")
    freelancer.refresh_from_db()
    assert freelancer.accepted_card_id == first.pk  # v2 still on moderation
    services.freelancer_card_accept(card=second, moderator=moderator)
    freelancer.refresh_from_db()
    assert freelancer.accepted_card_id == second.pk


def test_decline_needs_a_reason(freelancer, moderator):
    card = new_card(freelancer)
    with pytest.raises(errors.InvalidArgument):
        services.freelancer_card_decline(card=card, moderator=moderator, reason="  ")
    declined = services.freelancer_card_decline(card=card, moderator=moderator, reason="Нет фото")
    assert declined.status == Status.DECLINED and declined.decline_reason == "Нет фото"


def test_moderated_card_cannot_be_saved_again(freelancer, moderator):
    card = services.freelancer_card_accept(card=new_card(freelancer), moderator=moderator)
    card = FreelancerCard.objects.get(pk=card.pk)
    card.about = "changed"
    with pytest.raises(ModeratedCardImmutable):
        card.save()
    with pytest.raises(errors.FailedPrecondition):
        services.freelancer_card_update(card=card, about="changed")


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_database_rejects_any_update_of_a_moderated_card(freelancer, moderator, decision):
    card = new_card(freelancer)
    if decision == "accept":
        services.freelancer_card_accept(card=card, moderator=moderator)
    else:
        services.freelancer_card_decline(card=card, moderator=moderator, reason="no")
    with pytest.raises(IntegrityError), transaction.atomic():
        FreelancerCard.objects.filter(pk=card.pk).update(about="sneaky")
    with pytest.raises(IntegrityError), transaction.atomic():
        FreelancerCard.objects.filter(pk=card.pk).update(status=Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE freelancers_freelancercard SET about = 'raw' WHERE id = %s", [card.pk]
        )
    assert FreelancerCard.objects.get(pk=card.pk).about == "Настраиваю Директ"


def test_drafts_stay_editable_and_can_be_submitted(freelancer):
    draft = new_card(freelancer, submit=False)
    services.freelancer_card_update(card=draft, about="better")
    submitted = services.freelancer_card_submit(card=draft)
    assert submitted.about == "better" and submitted.status == Status.ON_MODERATION
    with pytest.raises(errors.FailedPrecondition):
        services.freelancer_card_update(card=submitted, about="again")


def test_restore_copies_an_accepted_version_as_a_new_accepted_version(freelancer, moderator):
    v1 = services.freelancer_card_accept(card=new_card(freelancer, about="v1"), moderator=moderator)
    services.freelancer_card_accept(card=new_card(freelancer, about="v2"), moderator=moderator)
    v3 = services.freelancer_card_restore(card=v1, moderator=moderator)
    freelancer.refresh_from_db()
    assert (v3.version, v3.about, v3.status, v3.restored_from_id) == (
        3,
        "v1",
        Status.ACCEPTED,
        v1.pk,
    )
    assert freelancer.accepted_card_id == v3.pk


def test_only_accepted_versions_can_be_restored(freelancer, moderator):
    with pytest.raises(errors.FailedPrecondition):
        services.freelancer_card_restore(card=new_card(freelancer), moderator=moderator)


@translation.override("en")
def test_card_needs_a_contact_and_valid_contacts(freelancer):
    with pytest.raises(errors.InvalidArgument, match="at least one contact"):
        services.freelancer_card_create(freelancer=freelancer, about="x")
    with pytest.raises(errors.InvalidArgument, match="email"):
        services.freelancer_card_create(freelancer=freelancer, about="x", email="nope")
    with pytest.raises(errors.InvalidArgument, match="site"):
        services.freelancer_card_create(
            freelancer=freelancer, about="x", site="javascript:alert(1)"
        )


@pytest.mark.parametrize("phone", ["+7 999 123-45-67", "8 (999) 123 45 67", "+442079460958"])
def test_phone_numbers_people_type_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "123",
        "call me",
        "+7 999 123-45-67 ext",
        "1" * 16,
        "+7 (123) 456-78-90",  # the right length, but no such Russian code
        "+7 999 123-45-67 доб. 5",  # E.164 has no room for an extension
    ],
)
def test_phone_garbage_is_rejected(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


def test_a_card_phone_is_stored_in_e164_however_it_was_typed(freelancer):
    card = services.freelancer_card_create(
        freelancer=freelancer, about="x", phone="8 (916) 123-45-67"
    )
    card.refresh_from_db()
    assert card.phone == "+79161234567"
    services.freelancer_card_update(card=card, phone="+44 20 7946 0958")
    card.refresh_from_db()
    assert card.phone == "+442079460958"


def test_a_card_with_a_phone_that_is_no_number_is_refused(freelancer):
    with pytest.raises(errors.InvalidArgument, match="phone"):
        services.freelancer_card_create(freelancer=freelancer, about="x", phone="8 (123) 456-78-90")
    assert not FreelancerCard.objects.exists()


def test_migration_stores_unmoderated_phones_in_e164_and_leaves_moderated_ones(
    freelancer, moderator
):
    from django.apps import apps

    migration = importlib.import_module("freelancers.migrations.0004_phone_e164")
    accepted = new_card(freelancer)
    draft = new_card(freelancer, submit=False)
    waiting, odd = new_card(freelancer), new_card(freelancer)
    written = {accepted: "8 916 123-45-67", draft: "8 (916) 123-45-67", waiting: "+7 916 1234567"}
    written[odd] = "+7 (123) 456-78-90"
    for card, phone in written.items():  # as typed before phones were checked by number
        FreelancerCard.objects.filter(pk=card.pk).update(phone=phone)
    services.freelancer_card_accept(card=accepted, moderator=moderator)
    migration.phones_to_e164(apps, None)
    stored = dict(FreelancerCard.objects.values_list("pk", "phone"))
    assert stored == {
        accepted.pk: "8 916 123-45-67",
        draft.pk: "+79161234567",
        waiting.pk: "+79161234567",
        odd.pk: "+7 (123) 456-78-90",
    }


@pytest.mark.parametrize("value", ["@ivan_direct", "https://t.me/ivan_direct"])
def test_messenger_handles_and_links_are_accepted(value):
    validate_messenger(value)


@pytest.mark.parametrize("value", ["@a", "javascript:alert(1)", "http://t.me/x", "<b>@ivan</b>"])
def test_messenger_garbage_is_rejected(value):
    with pytest.raises(ValidationError):
        validate_messenger(value)


def image_bytes(fmt="PNG", size=(1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def test_photo_is_reencoded_as_a_small_jpeg():
    upload = SimpleUploadedFile("me.png", image_bytes() + b"<?php evil(); ?>", "image/png")
    photo = photo_reencode(upload)
    assert photo.name.endswith(".jpg")
    with Image.open(io.BytesIO(photo.read())) as image:
        assert image.format == "JPEG" and max(image.size) == 800
    assert b"evil" not in photo.read()


@translation.override("en")
def test_non_image_photo_is_rejected():
    with pytest.raises(ValidationError, match="JPEG, PNG"):
        photo_reencode(SimpleUploadedFile("me.jpg", b"%PDF-1.4 not an image", "image/jpeg"))


@translation.override("en")
def test_oversized_photo_is_rejected(settings):
    settings.FREELANCER_PHOTO_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="too large"):
        photo_reencode(SimpleUploadedFile("me.png", image_bytes(), "image/png"))
