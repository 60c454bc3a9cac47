"""State of the amoCRM and Yandex Tracker emulators."""

from __future__ import annotations

from django.db import models

__all__ = ["AmoContact", "AmoLead", "AmoRefreshToken", "TrackerIssue"]


class AmoContact(models.Model):
    account = models.CharField(max_length=100, db_index=True)
    first_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    custom_fields_values = models.JSONField(null=True, blank=True)
    search_text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "amoCRM contact (emulated)"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class AmoLead(models.Model):
    account = models.CharField(max_length=100, db_index=True)
    name = models.CharField(max_length=255)
    price = models.IntegerField(default=0)
    pipeline_id = models.BigIntegerField()
    status_id = models.BigIntegerField()
    custom_fields_values = models.JSONField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    contacts = models.ManyToManyField(AmoContact, blank=True, related_name="leads")
    is_deleted = models.BooleanField(default=False)
    search_text = models.TextField(
        blank=True, help_text="What `query` matches: name, tags, fields."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "amoCRM lead (emulated)"

    def __str__(self) -> str:
        return self.name


class AmoRefreshToken(models.Model):
    """A refresh token the emulator issued or first saw; single-use."""

    account = models.CharField(max_length=100)
    token = models.CharField(max_length=200, unique=True)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.account} refresh token"


class TrackerIssue(models.Model):
    org_id = models.CharField(max_length=100)
    queue = models.CharField(max_length=50)
    key = models.CharField(max_length=80)
    summary = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    # NULL, not "", when absent: the (org, unique) constraint ignores NULLs.
    unique = models.CharField(max_length=300, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(max_length=50, default="open")
    resolution = models.CharField(max_length=50, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "Tracker issue (emulated)"
        constraints = [
            models.UniqueConstraint(fields=["org_id", "key"], name="sandbox_tracker_key"),
            models.UniqueConstraint(fields=["org_id", "unique"], name="sandbox_tracker_unique"),
        ]

    def __str__(self) -> str:
        return self.key
