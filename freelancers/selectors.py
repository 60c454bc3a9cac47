"""Reads of the freelancers app: the public catalogue, moderation, the cabinet."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import errors
from freelancers.models import Certificate, Freelancer, FreelancerCard, certificate_kind_label

# What a catalogue card shows (freelancers/_card.html): contacts, the sync's
# bookkeeping and the other card fields stay in the database.
CATALOGUE_COLUMNS = (
    "first_name",
    "last_name",
    "region",
    "accepted_card__about",
    "accepted_card__photo",
)
CERTIFICATE_COLUMNS = ("freelancer_id", "kind", "due_on")
CATALOGUE_ORDER = ("last_name", "first_name", "id")


def catalogue_kinds() -> list[tuple[str, str]]:
    """Certificate kinds a visitor can filter by: the kinds that make a
    freelancer searchable, with their display names."""
    return [
        (kind, certificate_kind_label(kind))
        for kind in settings.FREELANCER_CERTIFICATES_ACCEPTED_KINDS
    ]


def visible_freelancers(*, today: date) -> QuerySet[Freelancer]:
    """Freelancers the public may see: searchable, with a certificate still
    current today (even if the sync has not run since it expired) and an
    accepted card."""
    return Freelancer.objects.filter(
        is_searchable=True, visible_until__gte=today, accepted_card__isnull=False
    )


def catalogue_regions(*, today: date) -> list[str]:
    return list(
        visible_freelancers(today=today)
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


def catalogue_freelancers(
    *, today: date, kind: str = "", region: str = "", query: str = ""
) -> QuerySet[Freelancer, int]:
    """The catalogue list as ids in its order: filters and text search (name,
    region, about). Page it, then read the page with `catalogue_page`."""
    rows = visible_freelancers(today=today)
    if kind:
        rows = rows.filter(
            Exists(
                Certificate.objects.filter(freelancer=OuterRef("pk"), kind=kind, due_on__gte=today)
            )
        )
    if region:
        rows = rows.filter(region=region)
    for word in query.split()[:5]:
        rows = rows.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(region__icontains=word)
            | Q(accepted_card__about__icontains=word)
        )
    return rows.order_by(*CATALOGUE_ORDER).values_list("pk", flat=True)


def catalogue_page(*, ids: QuerySet[Freelancer, int], today: date) -> list[Freelancer]:
    """Everything the cards of a page show, for `ids` (a slice of
    `catalogue_freelancers`), in two queries whatever the page size, reading
    only the columns a card shows. The page is cut in a subquery on the
    freelancers alone and only its rows are joined to their cards: sorting
    every filtered row with its card's text first made a deep page of a
    region several times slower."""
    rows = _with_card_data(
        Freelancer.objects.filter(pk__in=ids), today=today, certificate_columns=CERTIFICATE_COLUMNS
    )
    return list(rows.only(*CATALOGUE_COLUMNS).order_by(*CATALOGUE_ORDER))


def catalogue_freelancer(*, pk: int, today: date) -> Freelancer:
    """One visible freelancer. Raises NotFound for anyone the catalogue hides."""
    freelancer = _with_card_data(
        visible_freelancers(today=today).filter(pk=pk), today=today
    ).first()
    if freelancer is None:
        raise errors.NotFound("No such freelancer in the catalogue")
    return freelancer


def _with_card_data(
    rows: QuerySet[Freelancer], *, today: date, certificate_columns: tuple[str, ...] = ()
) -> QuerySet[Freelancer]:
    current = Certificate.objects.filter(due_on__gte=today).order_by("-due_on", "kind")
    if certificate_columns:
        current = current.only(*certificate_columns)
    return rows.select_related("accepted_card").prefetch_related(
        Prefetch("certificates", queryset=current, to_attr="current_certificates")
    )


# --- card photos -----------------------------------------------------------------

PUBLIC = "public"
PRIVATE = "private"


def photo_access(*, name: str, user, today: date) -> str | None:
    """Who may see the stored card photo `name`: PUBLIC when an accepted card
    the catalogue shows today uses it; PRIVATE for the freelancer whose card
    (any version) uses it and for moderators (staff who may view cards);
    None for anyone else, and for a file no card uses."""
    if visible_freelancers(today=today).filter(accepted_card__photo=name).exists():
        return PUBLIC
    if not user.is_authenticated:
        return None
    cards = FreelancerCard.objects.filter(photo=name)
    if not (user.is_staff and user.has_perm("freelancers.view_freelancercard")):
        cards = cards.filter(freelancer__user_id=user.pk)
    return PRIVATE if cards.exists() else None


# --- moderation ----------------------------------------------------------------


def card_previous_accepted(card: FreelancerCard) -> FreelancerCard | None:
    """The version accepted last before `card` was written (what a moderator
    compares to): for a card waiting for moderation, the one the catalogue
    shows (`cards._publish_latest`), even when a restore numbered another higher."""
    return (
        FreelancerCard.objects.filter(
            freelancer_id=card.freelancer_id,
            status=FreelancerCard.Status.ACCEPTED,
            version__lt=card.version,
        )
        .order_by(F("moderated_at").desc(nulls_last=True), "-version")
        .first()
    )


def card_versions(freelancer_id: int) -> QuerySet[FreelancerCard]:
    return (
        FreelancerCard.objects.filter(freelancer_id=freelancer_id)
        .select_related("moderated_by")
        .order_by("-version")
    )


def card_diff(previous: FreelancerCard | None, card: FreelancerCard) -> list[FieldDiff]:
    """Field-by-field difference between two versions (every field is "new"
    when there is no previous accepted version); `about` gets a line diff."""
    diffs = []
    for name in FreelancerCard.CONTENT_FIELDS:
        old = str(getattr(previous, name) or "") if previous else ""
        new = str(getattr(card, name) or "")
        lines = (
            list(difflib.ndiff(old.splitlines(), new.splitlines()))
            if name == "about" and old != new
            else []
        )
        label = str(getattr(FreelancerCard._meta.get_field(name), "verbose_name", name))
        diffs.append(FieldDiff(name, label, old, new, old != new, lines))
    return diffs


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    changed: bool
    lines: list[str]


# --- the freelancer's cabinet ----------------------------------------------------

CABINET_WARNING_DAYS = 30


@dataclass(frozen=True)
class Cabinet:
    freelancer: Freelancer
    public: FreelancerCard | None  # what the catalogue shows (when visible)
    pending: FreelancerCard | None  # a version not moderated yet
    latest: FreelancerCard | None  # what the card form starts from
    decision: FreelancerCard | None  # the last moderated version
    certificates: list[Certificate]
    versions: list[FreelancerCard]
    visible: bool
    visibility: str
    leaves_in_days: int | None  # set when the card leaves within the warning window


def freelancer_for_user(user) -> Freelancer:
    """The freelancer linked to `user`. Raises NotFound for anyone else."""
    freelancer = (
        Freelancer.objects.filter(user_id=user.pk).select_related("accepted_card").first()
        if user.is_authenticated
        else None
    )
    if freelancer is None:
        raise errors.NotFound("No freelancer is linked to this account")
    return freelancer


def cabinet(freelancer: Freelancer, *, today: date) -> Cabinet:
    versions = list(card_versions(freelancer.pk))
    visible = visible_freelancers(today=today).filter(pk=freelancer.pk).exists()
    until = freelancer.visible_until
    left = (until - today).days if visible and until else None
    return Cabinet(
        freelancer=freelancer,
        public=freelancer.accepted_card,
        pending=next((card for card in versions if not card.is_moderated), None),
        latest=versions[0] if versions else None,
        decision=next((card for card in versions if card.is_moderated), None),
        certificates=list(freelancer.certificates.all()),
        versions=versions,
        visible=visible,
        visibility=visibility_words(freelancer, visible=visible, today=today),
        leaves_in_days=left if left is not None and left <= CABINET_WARNING_DAYS else None,
    )


def freelancer_email(freelancer: Freelancer) -> str:
    """The address the freelancer gave on their card: the accepted version's,
    else the newest version's that has one; empty when none has."""
    accepted = freelancer.accepted_card
    if accepted is not None and accepted.email:
        return accepted.email
    latest = (
        FreelancerCard.objects.filter(freelancer=freelancer)
        .exclude(email="")
        .order_by("-version")
        .values_list("email", flat=True)
        .first()
    )
    return latest or ""


def card_latest(freelancer: Freelancer) -> FreelancerCard | None:
    """The newest version, whatever its state: what the card form starts from."""
    return FreelancerCard.objects.filter(freelancer=freelancer).order_by("-version").first()


def visibility_words(freelancer: Freelancer, *, visible: bool, today: date) -> str:
    """Why the freelancer is (not) in the catalogue, with dates, for the freelancer."""
    reason = freelancer.visibility_reason or {}
    values = {
        "kind": certificate_kind_label(reason.get("kind", "")),
        "id": reason.get("certificate", ""),
        "date": reason.get("due_on", ""),
        "checked": _checked(freelancer),
    }
    if freelancer.accepted_card_id is None:
        return _("Not in the catalogue: no accepted card yet")
    if visible:
        return (
            _(
                "In the catalogue until %(date)s: certificate %(kind)s #%(id)s is valid until %(date)s"
            )
            % values
        )
    if reason.get("code") in (Freelancer.Reason.CURRENT, Freelancer.Reason.EXPIRED):
        return (
            _(
                "Not in the catalogue: certificate %(kind)s #%(id)s expired on %(date)s "
                "(last checked %(checked)s)"
            )
            % values
        )
    if reason.get("code") == Freelancer.Reason.NONE:
        return (
            _("Not in the catalogue: no certificate of an accepted kind (last checked %(checked)s)")
            % values
        )
    return _("Not in the catalogue: certificates not checked yet")


def _checked(freelancer: Freelancer) -> str:
    synced = freelancer.certificates_synced_at
    return timezone.localtime(synced).strftime("%Y-%m-%d %H:%M") if synced else "—"
