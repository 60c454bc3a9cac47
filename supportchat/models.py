"""The ppc tables the support chat job reads and writes.

`ClientFeature` lives on every ppc shard (a Django database alias, see
`supportchat.shards`); `ClientShard` lives in the default database and says on
which shard each client lives, like a metabase.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import JobRun

CHECKED_SUPPORT_CHAT = "checked_support_chat"


class ClientFeature(models.Model):
    """A client's state of one feature on its shard.

    Features are rolled out to everyone, so a missing row means enabled.
    `changed_by_run` and `source_version` record which job run changed the
    row and from which version of the source table (provenance); rows edited
    by anything else leave them empty.
    """

    client_id = models.BigIntegerField(_("client id"))
    feature = models.CharField(_("feature"), max_length=100)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated"))
    # The JobRun lives in the default database, a shard may be another one:
    # an id, not a foreign key.
    changed_by_run = models.BigIntegerField(_("changed by run"), null=True, blank=True)
    source_version = models.CharField(
        _("source version"),
        max_length=64,
        blank=True,
        help_text=_("Modification time of the source table the change came from."),
    )

    class Meta:
        verbose_name = _("client feature")
        verbose_name_plural = _("client features")
        constraints = [
            models.UniqueConstraint(fields=["client_id", "feature"], name="clientfeature_unique")
        ]
        indexes = [
            # The job reads "who has the feature off" every 30 minutes: a
            # small partial index instead of scanning every row.
            models.Index(
                fields=["feature", "client_id"],
                condition=Q(is_enabled=False),
                name="clientfeature_disabled",
            )
        ]

    def __str__(self) -> str:
        state = "on" if self.is_enabled else "off"
        return f"{self.client_id} {self.feature}={state}"


class ClientShard(models.Model):
    """Where a client lives: the ppc shard number (see settings.PPC_SHARDS)."""

    client_id = models.BigIntegerField(_("client id"), primary_key=True)
    shard = models.PositiveSmallIntegerField(_("shard"), db_index=True)

    class Meta:
        verbose_name = _("client shard")
        verbose_name_plural = _("client shards")

    def __str__(self) -> str:
        return f"{self.client_id} → shard {self.shard}"


class SupportChatRun(JobRun):
    """The support chat job's runs, for its own page in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("support chat sync run")
        verbose_name_plural = _("support chat sync runs")
