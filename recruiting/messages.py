"""The recruiter-facing sentences of recruiting's errors, each written once.

Services raise errors with these; pages and the API show them. For a job
site's or a subsystem's failure the product's error code picks the sentence
and the system's own answer (in English, for the logs and the admin) is
never shown as it is. Constants are lazy: translated when an error is built,
in the request's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import errors
from core.types import Text
from recruiting.adapters.base import JobSite

# --- Who may act --------------------------------------------------------------

ONLY_RECRUITERS_TAKE = gettext_lazy("Only recruiters of an organization take candidates")
ONLY_RECRUITERS_OPEN_CONTACTS = gettext_lazy("Only recruiters of an organization open contacts")

# --- Search and its page links ------------------------------------------------

NO_SITE_CONNECTED = gettext_lazy("No job site is connected. Connect one on the Job sites page.")
SEARCH_EXPIRED = gettext_lazy("This search has expired; please search again.")
PAGE_LINK_INVALID = gettext_lazy("The page link is not valid.")
PAGE_BEING_PREPARED = gettext_lazy("The page is being prepared; please try again.")
CHOOSE_MERGED_CARD = gettext_lazy("Choose a merged card to split.")

# --- Connecting a job site (OAuth) ---------------------------------------------

SIGN_IN_LINK_INVALID = gettext_lazy(
    "This sign-in link is not valid or was already used. Please start again."
)
SIGN_IN_TOO_LONG = gettext_lazy("The sign-in took too long. Please start again.")
NO_AUTHORIZATION_CODE = gettext_lazy("The site sent no authorization code.")


def access_not_granted(site: JobSite) -> str:
    return _("Access to %(site)s was not granted.") % {"site": site.label}


def access_not_confirmed(site: JobSite) -> str:
    return _("%(site)s did not confirm the access. Please try again.") % {"site": site.label}


def access_being_renewed(site: JobSite) -> str:
    return _("%(site)s access is being renewed; please try again.") % {"site": site.label}


# --- Contacts -------------------------------------------------------------------

# hh.ru `hidden_fields` ids that hide contacts (opening still charges a unit).
CONTACT_FIELDS = frozenset({"names_and_photo", "phones", "email", "other_contacts"})
COLLEAGUE_OPENING_CONTACTS = gettext_lazy(
    "A colleague is opening these contacts right now; try again in a minute."
)


def contacts_closed_error(site: JobSite, urn: str = "") -> errors.FailedPrecondition:
    """Taking into work needs the contacts: the application carries them."""
    return errors.FailedPrecondition(
        _("Open the contacts first: the application carries the candidate's name and contacts"),
        details={"reason": "contacts_closed", "site": site.value, **({"urn": urn} if urn else {})},
    )


def all_hidden_error(site: JobSite, hidden: Sequence[str]) -> errors.FailedPrecondition:
    """The opening was paid and the candidate had hidden every contact."""
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


# --- Taking a candidate into work -------------------------------------------------

PLEASE_TRY_AGAIN = gettext_lazy("Please try again")


def being_taken_by(who: str) -> str:
    return _("%(who)s is taking this candidate into work right now") % {"who": who}


def already_in_work(who: str, system: Text, status: Text) -> str:
    return _("Already in work by %(who)s in %(system)s, status %(status)s") % {
        "who": who,
        "system": system,
        "status": status,
    }


def unclear_outcome(system: Text) -> str:
    return _(
        "%(system)s did not answer clearly. It may or may not have been created; "
        "trying again is safe, nothing will be duplicated."
    ) % {"system": system}


# --- Job sites --------------------------------------------------------------------


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
        state = "reconnect"
    elif isinstance(exc, errors.PermissionDenied):
        state = "denied"
    elif isinstance(exc, errors.ResourceExhausted):
        state = "limit"
    elif isinstance(exc, errors.DeadlineExceeded):
        state = "timeout"
    else:
        state = "failed"
    return state, search_state_message(site, state)


def search_state_message(site: JobSite, state: str) -> str:
    """The plain words of a site's search `state` ("" for "ok"), in the active
    language: a stored page says them in the language of whoever reads it."""
    if state == "reconnect":
        return reconnect_message(site)
    if state == "denied":
        return _denied_message(site)
    if state == "limit":
        return _("The request limit of %(site)s is reached. Try again later.") % {
            "site": site.label
        }
    if state == "timeout":
        return _("%(site)s did not answer in time. Please try again in a minute.") % {
            "site": site.label
        }
    return unavailable_message(site.label) if state == "failed" else ""


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


# --- Subsystems (amoCRM, Yandex Tracker) ---------------------------------------------


def subsystem_credentials_refused(label: Text) -> str:
    return _("%(subsystem)s refused the organization's credentials; ask an administrator") % {
        "subsystem": label
    }


def subsystem_message(label: Text, exc: errors.ServiceError) -> str:
    """A subsystem's failure, chosen by its error code, naming the subsystem."""
    names = {"subsystem": label}
    if isinstance(exc, errors.Unauthenticated):
        return subsystem_credentials_refused(label)
    if isinstance(exc, errors.PermissionDenied):
        return (
            _(
                "%(subsystem)s denied access to the organization's account (no rights, or too "
                "many requests); ask an administrator"
            )
            % names
        )
    if isinstance(exc, errors.FailedPrecondition):
        return (
            _("The organization's %(subsystem)s account cannot be used now; ask an administrator")
            % names
        )
    if isinstance(exc, errors.NotFound):
        return _("%(subsystem)s did not find what was asked for; it may have been deleted") % names
    if isinstance(exc, errors.InvalidArgument):
        return (
            _(
                "%(subsystem)s refused the request as invalid; ask an administrator to check "
                "the connection settings"
            )
            % names
        )
    if isinstance(exc, errors.ResourceExhausted):
        return _("%(subsystem)s is busy with too many requests; try again in a minute") % names
    # Unavailable, a malformed answer, a timeout: the sentence the job sites use.
    return unavailable_message(label)
