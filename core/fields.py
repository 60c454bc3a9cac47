"""Model fields encrypted at rest.

Values are encrypted with `cryptography`'s MultiFernet (AES-128-CBC + HMAC,
random IV) under `settings.FIELD_ENCRYPTION_KEYS`, a key list independent of
SECRET_KEY: the first key encrypts, every key decrypts. Rotation: put a new
key first, run `manage.py rotate_encryption_keys`, then drop the old key.
Encrypted columns cannot be filtered or ordered on.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold url-safe base64 32-byte Fernet keys"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    """Plain text of a stored value. Raises ImproperlyConfigured when no key fits."""
    if not stored.startswith(PREFIX):
        return stored  # written before encryption was switched on
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value matches none of FIELD_ENCRYPTION_KEYS"
        ) from exc


def rotate(stored: str) -> str:
    """Re-encrypt a stored value under the first key."""
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted; reads give back the plain text."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedJSONField(EncryptedTextField):
    """A JSON document (dict or list) stored encrypted as text."""

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text else text

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value) if value else value
        return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return encrypt(value)

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def formfield(self, **kwargs):
        return forms.JSONField(**{"label": self.verbose_name, **kwargs})
