from django.db import models
from django.utils.translation import gettext_lazy as _


class FaultConfig(models.Model):
    """Fault knobs of one emulator; a row overrides settings.SANDBOX_FAULTS."""

    system = models.SlugField(_("system"), max_length=50, unique=True)
    latency_ms = models.PositiveIntegerField(_("latency, ms"), default=0)
    error_rate = models.FloatField(
        _("error rate"),
        default=0.0,
        help_text=_("Share of requests (0..1) answered with the error status."),
    )
    error_status = models.PositiveSmallIntegerField(_("error status"), default=503)
    malformed_rate = models.FloatField(
        _("malformed rate"),
        default=0.0,
        help_text=_("Share of requests (0..1) answered with a broken body."),
    )
    fail_next = models.PositiveIntegerField(
        _("fail next"), default=0, help_text=_("The next N requests fail with the error status.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fault settings")
        verbose_name_plural = _("fault settings")
        ordering = ["system"]

    def __str__(self) -> str:
        return self.system


class YtTable(models.Model):
    """A static table of the YT emulator: its rows and Cypress attributes.

    Edit the rows or the modification time in the admin; untick "present" to
    emulate a lost table (the proxy then answers a resolve error).
    """

    path = models.CharField(_("path"), max_length=500, unique=True)
    rows = models.TextField(
        _("rows"), blank=True, help_text=_('One JSON object per line, e.g. {"client_id": 1001}.')
    )
    modification_time = models.DateTimeField(
        _("modification time"),
        help_text=_("The table's @modification_time; bumped to now when the rows change."),
    )
    revision = models.PositiveBigIntegerField(_("revision"), default=1)
    is_present = models.BooleanField(_("present"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("YT table")
        verbose_name_plural = _("YT tables")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path

    def row_lines(self) -> list[str]:
        return [line for line in self.rows.splitlines() if line.strip()]


class OAuthCode(models.Model):
    """An authorization code an emulated job site issued on its consent page."""

    system = models.SlugField(_("system"), max_length=50)
    code = models.CharField(_("code"), max_length=64, unique=True)
    redirect_uri = models.TextField(_("redirect URI"), blank=True)
    account = models.CharField(_("account"), max_length=64, blank=True)
    used = models.BooleanField(_("used"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("emulated OAuth code")
        verbose_name_plural = _("emulated OAuth codes")

    def __str__(self) -> str:
        return f"{self.system} code {self.pk}"


class OAuthToken(models.Model):
    """An access/refresh pair an emulated job site issued."""

    system = models.SlugField(_("system"), max_length=50)
    access_token = models.CharField(_("access token"), max_length=64, unique=True)
    refresh_token = models.CharField(_("refresh token"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    refreshed = models.BooleanField(_("refreshed"), default=False)
    revoked = models.BooleanField(_("revoked"), default=False)
    account = models.CharField(_("account"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("emulated OAuth token")
        verbose_name_plural = _("emulated OAuth tokens")

    def __str__(self) -> str:
        return f"{self.system} token {self.pk}"


class ResumeEvent(models.Model):
    """A resume view or a contact opening an emulated site counts against quotas."""

    class Kind(models.TextChoices):
        VIEW = "view", _("view")
        CONTACT = "contact", _("contact opened")

    system = models.SlugField(_("system"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    resume_id = models.CharField(_("resume id"), max_length=64)
    account = models.CharField(_("account"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("emulated resume event")
        verbose_name_plural = _("emulated resume events")
        indexes = [models.Index(fields=["system", "kind", "resume_id"])]

    def __str__(self) -> str:
        return f"{self.system} {self.kind} {self.resume_id}"


class EmulatedCertificate(models.Model):
    """A certificate the emulated certification service reports for a uid."""

    uid = models.BigIntegerField(_("passport uid"), db_index=True)
    certificate_id = models.CharField(_("certificate id"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=50)
    confirmed_date = models.DateField(_("confirmed"))
    due_date = models.DateField(_("due"))

    class Meta:
        verbose_name = _("emulated certificate")
        verbose_name_plural = _("emulated certificates")
        ordering = ["uid", "due_date"]

    def __str__(self) -> str:
        return f"{self.uid}: {self.kind} until {self.due_date}"


from sandbox.subsystem_models import *  # noqa: E402, F403  (amoCRM, Tracker emulators)
