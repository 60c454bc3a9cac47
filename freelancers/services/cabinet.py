"""What a signed-in freelancer does with their own card: propose a version, withdraw it.

A moderated version is never touched. The freelancer has at most one version
waiting (on moderation, or a withdrawn draft): proposing again rewrites that
one in place; otherwise a new version is made. The accepted version stays in
the catalogue until a moderator accepts the new one.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from core import errors
from freelancers.models import Freelancer, FreelancerCard
from freelancers.services.cards import _validate, freelancer_card_create

logger = logging.getLogger(__name__)

__all__ = ["freelancer_card_propose", "freelancer_card_withdraw"]

Status = FreelancerCard.Status
UNMODERATED = (Status.DRAFT, Status.ON_MODERATION)


def freelancer_card_propose(*, freelancer: Freelancer, **fields) -> FreelancerCard:
    """Send `fields` (the card's content fields) to moderation.

    An empty `photo` keeps the latest version's photo. Raises InvalidArgument
    for an invalid field; nothing is saved then.
    """
    with transaction.atomic():
        locked = Freelancer.objects.select_for_update().get(pk=freelancer.pk)
        latest = _latest(locked)
        if not fields.get("photo") and latest is not None and latest.photo:
            fields["photo"] = latest.photo.name
        if latest is None or latest.status not in UNMODERATED:
            card = freelancer_card_create(freelancer=locked, submit=True, **fields)
        else:
            card = FreelancerCard.objects.select_for_update().get(pk=latest.pk)
            for name, value in fields.items():
                setattr(card, name, value or "")
            card.status = Status.ON_MODERATION
            _validate(card)
            card.save(update_fields=[*fields, "status", "updated_at"])
    logger.info("freelancer %s proposed card v%s", locked.uid, card.version)
    return card


def freelancer_card_withdraw(*, freelancer: Freelancer) -> FreelancerCard:
    """Take the version on moderation back (it becomes a draft).

    Raises FailedPrecondition when no version of `freelancer` is on moderation.
    """
    with transaction.atomic():
        card = (
            FreelancerCard.objects.select_for_update()
            .filter(freelancer=freelancer, status=Status.ON_MODERATION)
            .first()
        )
        if card is None:
            raise errors.FailedPrecondition(_("No version is waiting for moderation"))
        card.status = Status.DRAFT
        card.save(update_fields=["status", "updated_at"])
    return card


def _latest(freelancer: Freelancer) -> FreelancerCard | None:
    return FreelancerCard.objects.filter(freelancer=freelancer).order_by("-version").first()
