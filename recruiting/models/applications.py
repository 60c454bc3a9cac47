"""Subsystem connections and applications (candidates taken into work)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import OrganizationOwned
from recruiting.domain import QUEUE_KEY_RE

__all__ = ["Subsystem", "SubsystemConnection", "Application", "KnownContact"]

# amoCRM's system stages, present in every pipeline (reference: leads-api).
AMOCRM_SYSTEM_STAGES = {"142": _("Closed – won"), "143": _("Closed – lost")}


class Subsystem(models.TextChoices):
    """Where a candidate can be taken into work."""

    AMOCRM = "amocrm", _("amoCRM")
    TRACKER = "tracker", _("Yandex Tracker")


class SubsystemConnection(OrganizationOwned):
    """One organization's account in a subsystem, set up in the admin.

    amoCRM: `account` is the account subdomain; the token is a long-lived
    token, or an OAuth access token refreshed with `refresh_token`.
    Tracker: `account` is the organization id sent as X-Org-ID (Yandex 360)
    or X-Cloud-Org-ID (Yandex Cloud); the token is a Yandex OAuth token.
    """

    class AuthMode(models.TextChoices):
        LONG_LIVED = "long_lived", _("long-lived token (amoCRM) / OAuth token (Tracker)")
        OAUTH = "oauth", _("OAuth with refresh (amoCRM)")

    class OrgHeader(models.TextChoices):
        YANDEX_360 = "X-Org-ID", _("Yandex 360 (X-Org-ID)")
        CLOUD = "X-Cloud-Org-ID", _("Yandex Cloud (X-Cloud-Org-ID)")

    subsystem = models.CharField(_("subsystem"), max_length=16, choices=Subsystem.choices)
    is_active = models.BooleanField(_("active"), default=True)
    account = models.CharField(
        _("account"),
        max_length=200,
        help_text=_("amoCRM: the account subdomain (acme for acme.amocrm.ru). Tracker: org id."),
    )
    base_url = models.URLField(
        _("base URL"),
        blank=True,
        help_text=_("Leave empty to use the default host for the subsystem."),
    )
    org_header = models.CharField(
        _("Tracker organization header"),
        max_length=20,
        choices=OrgHeader.choices,
        default=OrgHeader.YANDEX_360,
    )
    auth_mode = models.CharField(
        _("authorization"), max_length=16, choices=AuthMode.choices, default=AuthMode.LONG_LIVED
    )
    access_token = EncryptedTextField(_("access token"), blank=True)
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    refresh_token = EncryptedTextField(_("refresh token"), blank=True)
    client_id = models.CharField(_("OAuth client id"), max_length=200, blank=True)
    client_secret = EncryptedTextField(_("OAuth client secret"), blank=True)
    redirect_uri = models.URLField(_("OAuth redirect URI"), blank=True)
    pipeline_id = models.BigIntegerField(
        _("default pipeline id"), null=True, blank=True, help_text=_("amoCRM only.")
    )
    status_id = models.BigIntegerField(
        _("default stage id"), null=True, blank=True, help_text=_("amoCRM only.")
    )
    link_field_id = models.BigIntegerField(
        _("resume link custom field id"),
        null=True,
        blank=True,
        help_text=_(
            "amoCRM only: a text or URL custom field of leads that receives the resume link. "
            "Without it the lead carries only the name, the contact and our tags."
        ),
    )
    queues = models.CharField(
        _("queues"),
        max_length=500,
        blank=True,
        help_text=_("Tracker only: allowed queue keys, comma separated; the first is the default."),
    )
    closed_statuses = models.CharField(
        _("closed status keys"),
        max_length=500,
        default="closed,resolved,cancelled",
        help_text=_("Tracker only: status keys that close an application (comma separated)."),
    )
    catalogue = models.JSONField(
        _("catalogue"),
        default=dict,
        blank=True,
        help_text=_("Pipelines and stages (amoCRM) or queues (Tracker), read from the subsystem."),
    )
    catalogue_updated_at = models.DateTimeField(_("catalogue updated"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("subsystem connection")
        verbose_name_plural = _("subsystem connections")
        ordering = ["organization__name", "subsystem"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "subsystem"], name="one_connection_per_subsystem"
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.subsystem == Subsystem.AMOCRM and not self.link_field_id:
            # The lead name is for people and the complex create takes only
            # phone and email for the contact: a lead custom field is the one
            # place the amoCRM API offers for the link (reference: leads-api).
            raise ValidationError(
                {
                    "link_field_id": _(
                        "amoCRM needs a lead field for the resume link: create a text or URL "
                        "custom field of leads in amoCRM and enter its id here. Without it "
                        "nobody in amoCRM can open the candidate's resume."
                    )
                }
            )
        bad = [key for key in self.queue_keys if not QUEUE_KEY_RE.match(key)]
        if bad:
            raise ValidationError(
                {
                    "queues": _("Malformed queue keys: %(keys)s (Latin capitals and digits)")
                    % {"keys": ", ".join(bad)}
                }
            )

    def __str__(self) -> str:
        return f"{self.get_subsystem_display()} · {self.account}"

    @property
    def queue_keys(self) -> list[str]:
        return [q.strip() for q in self.queues.split(",") if q.strip()]

    @property
    def closed_status_keys(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.closed_statuses.split(",") if s.strip())


class Application(OrganizationOwned):
    """A candidate (a resume URN) taken into work in a subsystem.

    At most one PENDING or OPEN application per organization, resume and
    subsystem (a partial unique constraint); closed ones stay as history.
    PENDING is a claim taken before the external call: it keeps a second
    click or a second recruiter out, and after an ambiguous failure it is
    reconciled by `idempotency_key` (Tracker's `unique`, an amoCRM tag).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("being created")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        # A claim the poller gave up on (no lead found by its marker within
        # the give-up time). Kept, marker and all: the next take reuses it
        # and looks the marker up first, in case the create landed late.
        ABANDONED = "abandoned", _("abandoned")

    resume_urn = models.CharField(_("resume URN"), max_length=200)
    connection = models.ForeignKey(
        SubsystemConnection,
        verbose_name=_("connection"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    subsystem = models.CharField(_("subsystem"), max_length=16, choices=Subsystem.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    application_id = models.CharField(
        _("id in the subsystem"), max_length=100, blank=True, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    external_status = models.CharField(_("status in the subsystem"), max_length=100, blank=True)
    external_status_display = models.CharField(_("status name"), max_length=200, blank=True)
    is_deleted_externally = models.BooleanField(
        _("deleted in the subsystem"),
        default=False,
        help_text=_("The subsystem no longer returns it; the row is kept as history."),
    )
    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recruiter"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    claimed_until = models.DateTimeField(
        _("claim lease until"),
        null=True,
        blank=True,
        help_text=_("While a PENDING claim is leased, nobody else calls the subsystem for it."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resume_urn", "subsystem"],
                condition=Q(status__in=["pending", "open"]),
                name="one_active_application_per_subsystem",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "resume_urn"]),
            models.Index(fields=["connection", "status", "polled_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.resume_urn} → {self.get_subsystem_display()} {self.application_id or '…'}"

    @property
    def status_label(self) -> str:
        """The status as the reader should see it, in the active language.

        Names this product gives (deleted, amoCRM's system stages when the
        stored catalogue lacks them) are translated when read, not stored.
        """
        if self.is_deleted_externally:
            return str(_("deleted in the subsystem"))
        if self.external_status_display:
            return self.external_status_display
        if self.subsystem == Subsystem.AMOCRM:
            stage_id = self.external_status.rpartition(":")[2]
            stage = AMOCRM_SYSTEM_STAGES.get(stage_id)
            if stage is not None:
                return str(stage)
            if not stage_id:  # created without a stage, not read back yet
                return str(_("stage not known yet"))
        return self.external_status or str(self.get_status_display())


class KnownContact(OrganizationOwned):
    """Contacts of a resume already known in a subsystem (no need to pay for them)."""

    resume_urn = models.CharField(_("resume URN"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=Subsystem.choices)
    contacts = models.JSONField(
        _("contacts"), default=dict, help_text=_('{"name": ..., "phones": [...], "emails": [...]}')
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("known contact")
        verbose_name_plural = _("known contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resume_urn", "source"], name="one_known_contact_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resume_urn} ({self.source})"
