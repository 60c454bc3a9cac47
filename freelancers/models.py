"""Freelancers, their certificates and the versioned public card.

A card that has been moderated (accepted or declined) is never edited: a
change is a new version. Three layers enforce it: the services only edit
drafts, `FreelancerCard.save()` refuses to save a moderated row, and a
database trigger (migration 0002, SQLite and PostgreSQL) rejects any UPDATE of
a moderated row, including `QuerySet.update()` and raw SQL.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import errors
from core.phones import phone_e164
from freelancers.photos import PHOTO_DIR, card_photo_storage
from freelancers.validators import validate_messenger, validate_phone

# Display names of the certificate kinds the certification service issues;
# an unknown kind is shown as it comes.
CERTIFICATE_KIND_LABELS = {
    "direct": _("Yandex Direct"),
    "direct_pro": _("Yandex Direct Pro"),
    "metrika": _("Yandex Metrica"),
    "market": _("Yandex Market"),
}


def certificate_kind_label(kind: str) -> str:
    return str(CERTIFICATE_KIND_LABELS.get(kind, kind))


class Freelancer(models.Model):
    """A certified private specialist who sets up Direct campaigns for clients.

    `is_searchable`, `visible_until`, `visibility_reason` and
    `certificates_synced_at` are written only by the certificate sync.
    """

    class Reason(models.TextChoices):
        NEVER_SYNCED = "never_synced", _("certificates not synced yet")
        CURRENT = "current", _("a current certificate")
        EXPIRED = "expired", _("the last certificate expired")
        NONE = "none", _("no certificate of an accepted kind")

    uid = models.BigIntegerField(_("passport uid"), unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="freelancer",
        help_text=_("The login the freelancer uses for their cabinet."),
    )
    client_id = models.BigIntegerField(_("client id"), db_index=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    region = models.CharField(_("region"), max_length=100, db_index=True)
    is_searchable = models.BooleanField(_("shown in the catalogue"), default=False)
    visible_until = models.DateField(
        _("visible until"),
        null=True,
        blank=True,
        help_text=_("Due date of the latest current certificate of an accepted kind."),
    )
    visibility_reason = models.JSONField(_("visibility reason"), default=dict, blank=True)
    certificates_synced_at = models.DateTimeField(_("certificates synced"), null=True, blank=True)
    accepted_card = models.ForeignKey(
        "FreelancerCard",
        verbose_name=_("public card"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The latest accepted version; set by moderation."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("freelancer")
        verbose_name_plural = _("freelancers")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # The catalogue: searchable rows in name order.
            models.Index(
                fields=["is_searchable", "last_name", "first_name", "id"],
                name="freelancer_catalogue_idx",
            ),
            models.Index(fields=["visible_until"], name="freelancer_visible_until_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.uid})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def visibility_text(self) -> str:
        """Why the freelancer is shown or hidden, from the last sync."""
        reason = self.visibility_reason or {}
        values = {
            "kind": certificate_kind_label(reason.get("kind", "")),
            "id": reason.get("certificate", ""),
            "date": reason.get("due_on", ""),
        }
        code = reason.get("code")
        if code == self.Reason.CURRENT:
            text = _("Shown: certificate %(kind)s #%(id)s is current until %(date)s") % values
        elif code == self.Reason.EXPIRED:
            text = _("Hidden: certificate %(kind)s #%(id)s expired on %(date)s") % values
        elif code == self.Reason.NONE:
            text = str(_("Hidden: no certificate of an accepted kind"))
        else:
            return str(_("Hidden: certificates not synced yet"))
        synced = self.certificates_synced_at
        when = timezone.localtime(synced).strftime("%Y-%m-%d %H:%M") if synced else "—"
        return str(text) + " " + str(_("(last sync %(when)s)") % {"when": when})


class Certificate(models.Model):
    """One certificate of a freelancer, as the certification service last reported it."""

    freelancer = models.ForeignKey(
        Freelancer,
        verbose_name=_("freelancer"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    external_id = models.CharField(_("certificate id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=50)
    confirmed_on = models.DateField(_("confirmed"))
    due_on = models.DateField(_("valid until"))
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-due_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["freelancer", "external_id"], name="certificate_unique_per_freelancer"
            ),
        ]
        # The catalogue's "has a current certificate of kind K" subquery.
        indexes = [
            models.Index(
                fields=["freelancer", "kind", "due_on"], name="certificate_current_kind_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.external_id} ({self.due_on})"

    @property
    def kind_label(self) -> str:
        return certificate_kind_label(self.kind)

    def is_current(self, today: date) -> bool:
        return self.due_on >= today


class ModeratedCardImmutable(errors.FailedPrecondition):
    default_message = "A moderated card is never edited: create a new version instead"


class FreelancerCard(models.Model):
    """One version of a freelancer's public card."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ON_MODERATION = "on_moderation", _("on moderation")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    MODERATED = (Status.ACCEPTED, Status.DECLINED)
    CONTENT_FIELDS = ("about", "photo", "phone", "email", "site", "messenger")

    freelancer = models.ForeignKey(
        Freelancer, verbose_name=_("freelancer"), on_delete=models.CASCADE, related_name="cards"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    about = models.TextField(_("about"), max_length=5000)
    photo = models.ImageField(
        _("photo"), upload_to=PHOTO_DIR, storage=card_photo_storage, blank=True
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    site = models.URLField(_("site"), blank=True)
    messenger = models.CharField(
        _("messenger"), max_length=100, blank=True, validators=[validate_messenger]
    )
    decline_reason = models.TextField(_("decline reason"), blank=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        # Not SET_NULL: nulling it would UPDATE a moderated row, which the
        # trigger forbids. Moderators are deactivated, not deleted.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    restored_from = models.ForeignKey(
        "self",
        verbose_name=_("restored from"),
        # RESTRICT, not SET_NULL (see moderated_by): deleting the whole
        # freelancer still cascades over every version.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("freelancer card")
        verbose_name_plural = _("freelancer cards")
        ordering = ["freelancer_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["freelancer", "version"], name="card_unique_version"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="card_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        if self.version is None:
            return str(_("new card version"))
        return _("%(name)s, version %(version)s (%(status)s)") % {
            "name": self.freelancer.full_name,
            "version": self.version,
            "status": self.get_status_display(),
        }

    def save(self, *args, **kwargs) -> None:
        # The model-level guard; the database trigger is the last line.
        if not self._state.adding and getattr(self, "_loaded_status", None) in self.MODERATED:
            raise ModeratedCardImmutable(details={"card": self.pk})
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def clean(self) -> None:
        # Stored in E.164 whichever way it was typed (an invalid phone is
        # refused by its validator and left as typed for the form to show).
        self.phone = phone_e164(self.phone) or self.phone
        if not any(getattr(self, name) for name in ("phone", "email", "site", "messenger")):
            raise ValidationError(_("Give at least one contact: phone, email, site or messenger."))

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_moderated(self) -> bool:
        return self.status in self.MODERATED


class CardOnModeration(FreelancerCard):
    """The moderation queue in the admin: cards waiting for a decision."""

    class Meta:
        proxy = True
        verbose_name = _("card on moderation")
        verbose_name_plural = _("moderation queue")


class ExpiryNotice(models.Model):
    """An e-mail sent because the card leaves the catalogue soon (one per
    threshold per certificate and due date, so a re-run sends nothing twice)."""

    freelancer = models.ForeignKey(
        Freelancer, verbose_name=_("freelancer"), on_delete=models.CASCADE, related_name="+"
    )
    certificate = models.CharField(_("certificate id"), max_length=64)
    due_on = models.DateField(_("valid until"))
    days = models.PositiveSmallIntegerField(_("days before"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("expiry notice")
        verbose_name_plural = _("expiry notices")
        constraints = [
            models.UniqueConstraint(
                fields=["freelancer", "certificate", "due_on", "days"], name="expiry_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.freelancer_id}: {self.certificate} {self.due_on} ({self.days})"
