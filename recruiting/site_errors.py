"""Job-site failures in plain words, each sentence written once.

The search statuses, the contacts panel and opening, the connection pages
and the token service all name a site's failure with these: the product's
error code picks the sentence, the site's own answer (in English, for the
logs and the admin) is never shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from core import errors
from core.types import Text
from recruiting.adapters.base import JobSite


def reconnect_message(site: JobSite) -> str:
    return _("Access to %(site)s has expired. Reconnect it on the Job sites page.") % {
        "site": site.label
    }


def unavailable_message(label: Text) -> str:
    """The sentence for a system that is down or slow (job sites and subsystems)."""
    return _("%(site)s is temporarily unavailable. Please try again in a minute.") % {"site": label}


def _denied_message(site: JobSite) -> str:
    return _(
        "Access error. Make sure access to the job site %(site)s is allowed on the access tab"
    ) % {"site": site.label}


def reconnect_error(site: JobSite) -> errors.Unauthenticated:
    """The recruiter's connection to `site` must be renewed."""
    return errors.Unauthenticated(
        reconnect_message(site), details={"site": site.value, "reason": "reconnect"}
    )


def not_connected_error(site: JobSite) -> errors.FailedPrecondition:
    return errors.FailedPrecondition(
        _("%(site)s is not connected. Connect it on the Job sites page.") % {"site": site.label},
        details={"site": site.value, "reason": "not_connected"},
    )


def search_status(site: JobSite, exc: errors.ServiceError) -> tuple[str, str]:
    """(state, plain-words message) of a site that failed a search."""
    if isinstance(exc, errors.Unauthenticated):
        return "reconnect", reconnect_message(site)
    if isinstance(exc, errors.PermissionDenied):
        return "denied", _denied_message(site)
    if isinstance(exc, errors.ResourceExhausted):
        return "limit", _("The request limit of %(site)s is reached. Try again later.") % {
            "site": site.label
        }
    if isinstance(exc, errors.DeadlineExceeded):
        return "timeout", _("%(site)s did not answer in time. Please try again in a minute.") % {
            "site": site.label
        }
    return "failed", unavailable_message(site.label)


def contacts_message(site: JobSite, exc: errors.ServiceError) -> str:
    """A site's failure to show or open contacts, in plain words."""
    label = {"site": site.label}
    if isinstance(exc, errors.FailedPrecondition):
        return exc.message
    if isinstance(exc, errors.PermissionDenied):
        return _denied_message(site)
    if isinstance(exc, errors.ResourceExhausted):
        return (
            _(
                "No paid contact views are left on %(site)s. Access error. Make sure access "
                "to the job site %(site)s is allowed on the access tab"
            )
            % label
        )
    if isinstance(exc, errors.NotFound):
        return _("The resume is no longer available on %(site)s (deleted or hidden).") % label
    if isinstance(exc, errors.Unauthenticated):
        return reconnect_message(site)
    if isinstance(exc, errors.InvalidArgument):
        return _("%(site)s refused the request as invalid.") % label
    return unavailable_message(site.label)


def contacts_error(site: JobSite, exc: errors.ServiceError) -> errors.ServiceError:
    """The site's failure as the product's error, in plain words naming the site.

    The site refusing the recruiter's connection is FailedPrecondition
    (reason "reconnect"), not Unauthenticated: the caller's own login to us
    is fine, only the job-site connection needs renewing.
    """
    details = {**exc.details, "site": site.value}
    message = contacts_message(site, exc)
    if isinstance(exc, errors.Unauthenticated):
        return errors.FailedPrecondition(message, details={**details, "reason": "reconnect"})
    if isinstance(
        exc,
        errors.PermissionDenied
        | errors.ResourceExhausted
        | errors.NotFound
        | errors.InvalidArgument,
    ):
        return type(exc)(message, details=details)
    return errors.Unavailable(message, details=details)


# --- contacts --------------------------------------------------------------------

# hh.ru `hidden_fields` ids that hide contacts (opening still charges a unit).
CONTACT_FIELDS = frozenset({"names_and_photo", "phones", "email", "other_contacts"})


def contacts_closed_error(site: JobSite, urn: str = "") -> errors.FailedPrecondition:
    """Taking into work needs the contacts: the application carries them."""
    return errors.FailedPrecondition(
        _("Open the contacts first: the application carries the candidate's name and contacts"),
        details={"reason": "contacts_closed", "site": site.value, **({"urn": urn} if urn else {})},
    )


def all_hidden_error(site: JobSite, hidden: Sequence[str]) -> errors.FailedPrecondition:
    return errors.FailedPrecondition(
        _(
            "The candidate hid their contacts on %(site)s (%(fields)s), so there is nothing "
            "to show. The opening is saved: nothing more will be charged for this resume."
        )
        % {"site": site.label, "fields": ", ".join(hidden_labels(hidden))},
        details={"site": site.value, "reason": "contacts_hidden", "hidden": list(hidden)},
    )


def hidden_fields_error(site: JobSite, hidden: Sequence[str]) -> errors.FailedPrecondition:
    """Opening would pay for a resume whose candidate hid some contacts."""
    return errors.FailedPrecondition(
        _(
            "The candidate hid some contacts on %(site)s (%(fields)s). Opening still "
            "spends a paid view. Confirm to open anyway."
        )
        % {"site": site.label, "fields": ", ".join(hidden_labels(hidden))},
        details={"reason": "hidden_fields", "hidden": list(hidden)},
    )


def hidden_labels(ids: Iterable[str]) -> list[str]:
    labels = {
        "names_and_photo": _("name and photo"),
        "phones": _("phones"),
        "email": _("email"),
        "other_contacts": _("other contacts"),
    }
    return [str(labels.get(i, i)) for i in ids]
