"""recruiting/messages.py: one sentence per error code and context, in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from core import errors
from recruiting import cursor as cursors
from recruiting import messages
from recruiting.models import Subsystem
from recruiting.services.subsystems import subsystem_error


@translation.override("en")
def test_a_subsystem_refusing_credentials_reads_the_same_from_every_path():
    refused = subsystem_error(Subsystem.TRACKER, errors.Unauthenticated("401 from the vendor"))
    assert refused.message == messages.subsystem_credentials_refused(Subsystem.TRACKER.label)
    assert refused.message.startswith("Yandex Tracker refused the organization's credentials")
    assert refused.details["detail"] == "401 from the vendor"


@pytest.mark.parametrize(
    "exc",
    [
        errors.PermissionDenied(),
        errors.FailedPrecondition(),
        errors.NotFound(),
        errors.InvalidArgument(),
        errors.ResourceExhausted(),
        errors.Unavailable(),
        errors.DeadlineExceeded(),
    ],
)
def test_each_subsystem_failure_names_the_subsystem_and_never_the_vendor_text(exc):
    exc.message = "vendor says no"
    message = messages.subsystem_message("amoCRM", exc)
    assert "amoCRM" in message and "vendor says no" not in message


def test_table_sentences_are_translated_when_the_error_is_raised():
    with translation.override("ru"):
        with pytest.raises(errors.InvalidArgument) as caught:
            cursors.unpack("forged", recruiter_id=1, max_age=60)
        credentials = messages.subsystem_credentials_refused("amoCRM")
    assert caught.value.message == "Ссылка на страницу недействительна."
    assert credentials.startswith("amoCRM отклонил учётные данные организации")
    with translation.override("en"):
        assert errors.InvalidArgument(messages.PAGE_LINK_INVALID).message == (
            "The page link is not valid."
        )
