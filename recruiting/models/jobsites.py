"""Job-site connections (tokens), stored resumes, search sessions and splits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import jsontext
from core.fields import EncryptedJSONField, EncryptedJSONListField, EncryptedTextField
from core.models import OrganizationOwned

__all__ = ["JobSiteChoice", "MergeSplit", "Resume", "SearchSession", "Token"]


class JobSiteChoice(models.TextChoices):
    HH = "hh", "hh.ru"
    SUPERJOB = "sj", "SuperJob"


class Token(models.Model):
    """A recruiter's OAuth tokens for one job site, encrypted at rest.

    `refreshing_until` is a short lease: the one process refreshing this
    token holds it (claimed under a row lock), so a single-use refresh token
    is never spent twice.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("connected")
        RECONNECT = "reconnect", _("reconnect needed")

    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recruiter"),
        on_delete=models.CASCADE,
        related_name="job_site_tokens",
    )
    job_site = models.CharField(_("job site"), max_length=8, choices=JobSiteChoice.choices)
    access_token = EncryptedTextField(_("access token"))
    refresh_token = EncryptedTextField(_("refresh token"))
    valid_until = models.DateTimeField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_detail = models.CharField(_("status detail"), max_length=200, blank=True)
    refreshing_until = models.DateTimeField(_("refresh lease until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("job-site token")
        verbose_name_plural = _("job-site tokens")
        constraints = [
            models.UniqueConstraint(fields=["recruiter", "job_site"], name="token_one_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.get_job_site_display()} / {self.recruiter_id}"

    def is_expired(self, now=None) -> bool:
        return self.valid_until <= (now or timezone.now())


class Resume(OrganizationOwned):
    """A resume whose contacts the organization has (product rule: every SERP result
    with open contacts is stored on each search, and contacts opened through
    the product with the full resume). Contacts are encrypted.

    A row with empty `contacts` is an opening in progress (or one that
    failed): `opening_until` is the lease of the one request calling the
    site, so two clicks or two recruiters never pay twice.
    """

    urn = models.CharField(_("URN"), max_length=100)
    contacts = EncryptedTextField(_("contacts"), blank=True)
    resume = EncryptedJSONField(_("resume"), default=dict)  # carries contacts too
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opening_until = models.DateTimeField(_("opening lease until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("resume")
        verbose_name_plural = _("resumes")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "urn"], name="resume_urn_per_org")
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def contact_data(self) -> dict[str, Any]:
        return jsontext.loads(self.contacts) if self.contacts else {}


class MergeSplit(models.Model):
    """A recruiter said two resumes are not the same person: never merge them."""

    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recruiter"), on_delete=models.CASCADE
    )
    urn_a = models.CharField(_("first URN"), max_length=100)
    urn_b = models.CharField(_("second URN"), max_length=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("merge split")
        verbose_name_plural = _("merge splits")
        constraints = [
            models.UniqueConstraint(fields=["recruiter", "urn_a", "urn_b"], name="split_once"),
            models.CheckConstraint(
                condition=models.Q(urn_a__lt=models.F("urn_b")), name="split_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.urn_a} ≠ {self.urn_b}"


class SearchSession(models.Model):
    """Server-side state behind a search cursor: each site's buffer and the
    pages already served (so going back repeats a page exactly).

    An UNLOGGED table on PostgreSQL (migration 0009): a crash empties it,
    and a cursor into a lost session says the search expired."""

    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recruiter"), on_delete=models.CASCADE
    )
    # Encrypted: the query text may name a person, the buffers and pages hold
    # names, phones and e-mails of candidates.
    query = EncryptedJSONField(_("query"))
    state = EncryptedJSONField(_("state"))
    # Item by item: serving a next page encrypts that page alone, and showing
    # one page decrypts that page alone.
    pages = EncryptedJSONListField(_("pages served"), default=list)
    # One item per stream of `state`: the resumes fetched and not yet served,
    # encrypted apart, so a page that fetched nothing writes them back as
    # stored (`recruiting.paging`). The database default lets a release from
    # before this column insert its sessions during a rolling deploy; Django
    # stores it as the field writes "" (an empty list, encrypted item by item).
    buffers = EncryptedJSONListField(_("buffered resumes"), default=list, db_default="")
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("search session")
        verbose_name_plural = _("search sessions")

    def __str__(self) -> str:
        return f"search {self.pk}"
