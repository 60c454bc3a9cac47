"""Model fields encrypted at rest.

Values are encrypted with `cryptography`'s MultiFernet (AES-128-CBC + HMAC,
random IV) under `settings.FIELD_ENCRYPTION_KEYS`, a key list independent of
SECRET_KEY: the first key encrypts, every key decrypts. Rotation: put a new
key first, run `manage.py rotate_encryption_keys`, then drop the old key.
Encrypted columns cannot be filtered or ordered on.

A value read from the database remembers its ciphertext: writing it back
unchanged (a `save()` of the row, an `update()` carrying the same page list)
stores that ciphertext again instead of encrypting anew, so a write costs one
encryption per changed field and none for the rest.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

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


class Ciphertext(str):
    """A value already encrypted: written as it is (key rotation uses it)."""


class _LoadedStr(str):
    """Plain text read from an encrypted column, carrying its ciphertext.

    str is immutable: any change gives a plain str, so holding this type at
    write time proves the text is unchanged.
    """

    stored: str


class _LoadedDict(dict):
    """A JSON object read from an encrypted column (see `EncryptedJSONField`)."""

    plain: str
    stored: str


class _LoadedList(list):
    """A JSON array read from an encrypted column (see `EncryptedJSONField`)."""

    plain: str
    stored: str


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _loaded_json(stored: str):
    """The document of a stored value; an encrypted one remembers its text
    and ciphertext so an unchanged write-back reuses the ciphertext."""
    text = decrypt(stored)
    value = json.loads(text) if text else text
    if not stored.startswith(PREFIX) or not isinstance(value, dict | list):
        return value  # a plain (legacy) row is always encrypted on its next write
    value = (_LoadedDict if isinstance(value, dict) else _LoadedList)(value)
    value.plain, value.stored = text, stored
    return value


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted; reads give back the plain text."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        text = decrypt(value)
        if not value.startswith(PREFIX):
            return text
        loaded = _LoadedStr(text)
        loaded.stored = value
        return loaded

    def get_prep_value(self, value):
        if isinstance(value, Ciphertext):
            return str(value)
        if isinstance(value, _LoadedStr):
            return value.stored
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedJSONField(EncryptedTextField):
    """A JSON document (dict or list) stored encrypted as text."""

    # For django-stubs: the attribute holds the document, not the stored text.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value, expression, connection):
        return None if value is None else _loaded_json(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value) if value else value
        return value

    def get_prep_value(self, value):
        if isinstance(value, Ciphertext):
            return str(value)
        if value is None or value == "":
            return value
        if isinstance(value, str):
            return encrypt(value)
        text = _dumps(value)
        # A loaded document is mutable: it is unchanged when it serialises to
        # the text it was read from, and then keeps its ciphertext.
        if isinstance(value, _LoadedDict | _LoadedList) and text == value.plain:
            return value.stored
        return encrypt(text)

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def formfield(self, **kwargs):
        return forms.JSONField(**{"label": self.verbose_name, **kwargs})
