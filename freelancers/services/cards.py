"""Card versions: create, edit a draft, submit, moderate, restore.

A moderated card is never edited; every change is a new version. The version
number is taken under a lock on the freelancer row (and a unique constraint
catches what SQLite's missing row locks let through).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import errors
from core.models import User
from freelancers import page_cache
from freelancers.models import Freelancer, FreelancerCard

logger = logging.getLogger(__name__)

__all__ = [
    "freelancer_card_accept",
    "freelancer_card_create",
    "freelancer_card_decline",
    "freelancer_card_restore",
    "freelancer_card_submit",
    "freelancer_card_update",
]

Status = FreelancerCard.Status


def freelancer_card_create(
    *,
    freelancer: Freelancer,
    about: str,
    phone: str = "",
    email: str = "",
    site: str = "",
    messenger: str = "",
    photo=None,
    submit: bool = False,
) -> FreelancerCard:
    """Create the next version of `freelancer`'s card, as a draft or on moderation.

    `photo` must already be re-encoded (`validators.photo_reencode`) or be the
    name of a stored file. Raises InvalidArgument when a field is invalid.
    """
    with transaction.atomic():
        locked = Freelancer.objects.select_for_update().get(pk=freelancer.pk)
        card = FreelancerCard(
            freelancer=locked,
            version=_next_version(locked),
            status=Status.ON_MODERATION if submit else Status.DRAFT,
            about=about,
            phone=phone,
            email=email,
            site=site,
            messenger=messenger,
        )
        if photo:
            card.photo = photo
        _validate(card)
        card.save()
    logger.info("freelancer %s: card v%s created (%s)", locked.uid, card.version, card.status)
    return card


def freelancer_card_update(*, card: FreelancerCard, **fields) -> FreelancerCard:
    """Edit a draft. Raises ModeratedCardImmutable / FailedPrecondition for any
    other status and InvalidArgument for an invalid field."""
    unknown = set(fields) - set(FreelancerCard.CONTENT_FIELDS)
    if unknown:
        raise errors.InvalidArgument(
            _("Unknown card fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        card = _locked(card, allowed=(Status.DRAFT,))
        for name, value in fields.items():
            setattr(card, name, value)
        _validate(card)
        card.save(update_fields=[*fields, "updated_at"])
    return card


def freelancer_card_submit(*, card: FreelancerCard) -> FreelancerCard:
    """Send a draft to moderation. Raises FailedPrecondition for any other status."""
    with transaction.atomic():
        card = _locked(card, allowed=(Status.DRAFT,))
        _validate(card)
        card.status = Status.ON_MODERATION
        card.save(update_fields=["status", "updated_at"])
    return card


def freelancer_card_accept(
    *, card: FreelancerCard, moderator: User, reviewed: datetime | None = None
) -> FreelancerCard:
    """Accept a card on moderation; the catalogue then shows it (the version
    accepted last). `reviewed`: the card's `updated_at` the moderator saw.

    Raises FailedPrecondition when the card is not on moderation, or changed
    since `reviewed` (the freelancer rewrote it meanwhile)."""
    with transaction.atomic():
        # The freelancer row first, as a proposal locks them: no deadlock.
        Freelancer.objects.select_for_update().filter(pk=card.freelancer_id).first()
        card = _locked(card, allowed=(Status.ON_MODERATION,), reviewed=reviewed)
        _moderate(card, Status.ACCEPTED, moderator)
        _publish_latest(card.freelancer_id)
        _notify_on_commit(card)
    logger.info("card %s accepted by %s", card.pk, moderator.pk)
    return card


def freelancer_card_decline(
    *, card: FreelancerCard, moderator: User, reason: str, reviewed: datetime | None = None
) -> FreelancerCard:
    """Decline a card on moderation with a reason the freelancer will read.

    Raises InvalidArgument for an empty reason, FailedPrecondition when the
    card is not on moderation or changed since `reviewed` (as in accept).
    """
    reason = (reason or "").strip()
    if not reason:
        raise errors.InvalidArgument(_("A declined card needs a reason"))
    with transaction.atomic():
        card = _locked(card, allowed=(Status.ON_MODERATION,), reviewed=reviewed)
        card.decline_reason = reason[:2000]
        _moderate(card, Status.DECLINED, moderator)
        _notify_on_commit(card)
    logger.info("card %s declined by %s", card.pk, moderator.pk)
    return card


def freelancer_card_restore(*, card: FreelancerCard, moderator: User) -> FreelancerCard:
    """Copy an accepted version into a new accepted version (it goes public).

    Raises FailedPrecondition unless `card` was accepted.
    """
    if card.status != Status.ACCEPTED:
        raise errors.FailedPrecondition(_("Only an accepted version can be restored"))
    with transaction.atomic():
        freelancer = Freelancer.objects.select_for_update().get(pk=card.freelancer_id)
        copy = FreelancerCard(
            freelancer=freelancer,
            version=_next_version(freelancer),
            restored_from=card,
            **{name: getattr(card, name) for name in FreelancerCard.CONTENT_FIELDS},
        )
        _moderate(copy, Status.ACCEPTED, moderator)
        _publish_latest(freelancer.pk)
    logger.info("card %s restored as v%s by %s", card.pk, copy.version, moderator.pk)
    return copy


# --- helpers -------------------------------------------------------------------


def _next_version(freelancer: Freelancer) -> int:
    current = FreelancerCard.objects.filter(freelancer=freelancer).aggregate(v=Max("version"))["v"]
    return (current or 0) + 1


def _locked(
    card: FreelancerCard, *, allowed: tuple[str, ...], reviewed: datetime | None = None
) -> FreelancerCard:
    fresh = FreelancerCard.objects.select_for_update().get(pk=card.pk)
    if fresh.status not in allowed:
        needed = " / ".join(str(Status(s).label) for s in allowed)
        raise errors.FailedPrecondition(
            _("The card is %(status)s; this needs %(needed)s")
            % {"status": fresh.get_status_display(), "needed": needed},
            details={"card": fresh.pk, "status": fresh.status},
        )
    if reviewed is not None and fresh.updated_at != reviewed:
        raise errors.FailedPrecondition(
            _("The freelancer changed the card after you opened it: review it again"),
            details={"card": fresh.pk, "reason": "changed"},
        )
    return fresh


def _moderate(card: FreelancerCard, status: str, moderator: User) -> None:
    card.status = status
    card.moderated_at = timezone.now()
    card.moderated_by = moderator
    card.save()


def _notify_on_commit(card: FreelancerCard) -> None:
    from freelancers.services.notices import card_decision_notice_queue

    transaction.on_commit(lambda: card_decision_notice_queue(card=card))


def _publish_latest(freelancer_id: int) -> None:
    """Show the version accepted last: a pending version accepted after a
    restore is what the moderator chose (and what its notice says)."""
    latest = (
        FreelancerCard.objects.filter(freelancer_id=freelancer_id, status=Status.ACCEPTED)
        .order_by(F("moderated_at").desc(nulls_last=True), "-version")
        .values_list("pk", flat=True)
        .first()
    )
    Freelancer.objects.filter(pk=freelancer_id).update(accepted_card_id=latest)
    transaction.on_commit(page_cache.catalogue_changed)


def _validate(card: FreelancerCard) -> None:
    try:
        card.full_clean(exclude=["freelancer", "version", "restored_from", "moderated_by"])
    except ValidationError as exc:
        messages = "; ".join(
            f"{name}: {' '.join(errs)}" if name != "__all__" else " ".join(errs)
            for name, errs in exc.message_dict.items()
        )
        raise errors.InvalidArgument(messages, details=exc.message_dict) from None
