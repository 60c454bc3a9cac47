"""Freelancer accounts: an invitation by e-mail to set a password for the cabinet.

The account is made with an unusable password and linked to the freelancer;
the e-mail carries a link into allauth's own password-reset flow (its token
generator and its "set a new password" page), so nothing about passwords is
reimplemented here. Until the freelancer follows the link nobody can sign in
with the account.
"""

from __future__ import annotations

import logging
import smtplib

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core import errors
from core.models import User
from freelancers import selectors
from freelancers.models import Freelancer
from freelancers.services.notices import _send

logger = logging.getLogger(__name__)

__all__ = ["freelancer_invite"]


def freelancer_invite(*, freelancer: Freelancer) -> User:
    """Create the freelancer's account and e-mail them a link to set its password.

    The address is the e-mail of the freelancer's card (`selectors.freelancer_email`);
    it is also the account's login. Raises FailedPrecondition when the
    freelancer already has an account or gave no e-mail, AlreadyExists when
    the address belongs to another account, InvalidArgument when it cannot be
    a login (too long); nothing is created or sent then.
    Raises Unavailable when the mail server refuses or cannot be reached; the
    account is rolled back then, so an account exists only when its
    invitation went out.
    """
    with transaction.atomic():
        locked = Freelancer.objects.select_for_update().get(pk=freelancer.pk)
        if locked.user_id is not None:
            raise errors.FailedPrecondition(
                _("%(name)s already has an account") % {"name": locked.full_name}
            )
        email = selectors.freelancer_email(locked)
        if not email:
            raise errors.FailedPrecondition(
                _("%(name)s has no e-mail on their card") % {"name": locked.full_name}
            )
        if _address_taken(email):
            raise errors.AlreadyExists(
                _("%(email)s already belongs to another account") % {"email": email}
            )
        user = User(username=email, email=email)
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password"])
        except ValidationError:
            raise errors.InvalidArgument(
                _("%(email)s cannot be a login") % {"email": email}
            ) from None
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address invited at the same moment
            raise errors.AlreadyExists(
                _("%(email)s already belongs to another account") % {"email": email}
            ) from None
        locked.user = user
        locked.save(update_fields=["user", "updated_at"])
        try:
            _send_invitation(user)
        except (smtplib.SMTPException, OSError) as exc:
            # Raised inside the transaction: the account is rolled back too.
            logger.warning("invitation of freelancer %s not sent: %s", locked.uid, exc)
            raise errors.Unavailable(
                _("The invitation to %(email)s could not be sent; no account was created")
                % {"email": email}
            ) from exc
    logger.info("freelancer %s invited as user %s", locked.uid, user.pk)
    return user


def _address_taken(email: str) -> bool:
    # The address is the login (allauth signs in by username or e-mail), so it
    # must not name anyone else by either.
    return (
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def _set_password_url(user: User) -> str:
    """allauth's "set a new password" link (account_reset_password_from_key)."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def _send_invitation(user: User) -> None:
    values = {
        "url": _set_password_url(user),
        "email": user.email,
        "cabinet": settings.SITE_URL.rstrip("/") + reverse("freelancers:me"),
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
    }
    _send(
        user.email,
        lambda: (
            _("Your cabinet in the freelancers catalogue"),
            _(
                "An account has been created for you in the freelancers catalogue. "
                "Set your password by this link (valid for %(days)s days):\n\n%(url)s\n\n"
                "Then sign in with your e-mail %(email)s and open your cabinet: %(cabinet)s\n"
                "There you write your card, send it to moderation and see why you are "
                "(or are not) in the catalogue.\n\n"
                "If the link has expired, ask for a new one with “Forgot password?” on the "
                "sign-in page."
            )
            % values,
        ),
    )
