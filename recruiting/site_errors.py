"""Job-site failures in plain words, each sentence written once.

The search statuses, the contacts panel and opening, the connection pages
and the token service all name a site's failure with these: the product's
error code picks the sentence, the site's own answer (in English, for the
logs and the admin) is never shown as it is.
"""

from __future__ import annotations

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
