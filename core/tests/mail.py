"""A mail transport for tests that refuses some addresses, as an SMTP server does."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend

REFUSING_BACKEND = "core.tests.mail.RefusingBackend"


class RefusingBackend(EmailBackend):
    """Django's test outbox, but a message to an address starting with
    "refused" raises what smtplib raises for a recipient the server refuses."""

    def send_messages(self, messages):
        for message in messages:
            refused = [a for a in message.recipients() if a.startswith("refused")]
            if refused:
                raise smtplib.SMTPRecipientsRefused({a: (550, b"No such user") for a in refused})
        return super().send_messages(messages)
