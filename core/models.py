from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A client company. What it pays for or owns is scoped to it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Staff and recruiters. A recruiter is a user with an organization."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("Recruiters belong to exactly one organization; staff may have none."),
    )
    passport_uid = models.BigIntegerField(
        _("Passport uid"),
        null=True,
        blank=True,
        unique=True,
        help_text=_(
            "The person's Yandex Passport uid: the API maps a TVM user ticket's default uid "
            "to this user. Empty for people who use the browser only."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # AbstractUser.Meta's stub declares plain str; lazy text is what Django expects.
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    @property
    def is_recruiter(self) -> bool:
        return self.organization_id is not None


class OrganizationQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization | int) -> OrganizationQuerySet:
        return self.filter(organization=organization)


class OrganizationOwned(models.Model):
    """Base for rows a client company owns; read them through `for_organization`."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        abstract = True


class Property(models.Model):
    """A named value operators may edit in the admin (switches, watermarks)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    value = models.TextField(_("value"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """One run of a scheduled job, written by `core.jobs.job_run`."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCESS = "success", _("success")
        PARTIAL = "partial", _("partial")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped (another run in progress)")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("schedule")
        COMMAND = "command", _("command")
        ADMIN = "admin", _("admin")

    job = models.CharField(_("job"), max_length=100, db_index=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    trigger = models.CharField(
        _("trigger"), max_length=16, choices=Trigger.choices, default=Trigger.SCHEDULE
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    scoped = models.BooleanField(
        _("scoped"),
        default=False,
        help_text=_("Ran over a subset (e.g. selected records): not counted for health."),
    )
    counters = models.JSONField(_("counters"), default=dict, blank=True)
    details = models.JSONField(
        _("details"), default=dict, blank=True, help_text=_("What the run planned or did.")
    )
    message = models.TextField(_("message"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        permissions = [("run_job", _("Can run a job now"))]
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "status", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} #{self.pk} ({self.status})"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class JobLock(models.Model):
    """A lease that keeps two runs of one job from overlapping.

    A lease rather than a held row lock: jobs run their own transactions, and
    a crashed worker's lease simply expires.
    """

    job = models.CharField(max_length=100, primary_key=True)
    owner = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self) -> str:
        return f"{self.job} held by run {self.owner}"
