"""Model fields encrypted at rest.

Values are encrypted with `cryptography`'s MultiFernet (AES-128-CBC + HMAC,
random IV) under `settings.FIELD_ENCRYPTION_KEYS`, a key list independent of
SECRET_KEY: the first key encrypts, every key decrypts. Rotation: put a new
key first, run `manage.py rotate_encryption_keys`, then drop the old key.
Encrypted columns cannot be filtered or ordered on.

A value read from the database remembers its ciphertext: writing it back
unchanged (a `save()` of the row, an `update()` carrying the same page list)
stores that ciphertext again instead of encrypting anew, so a write costs one
encryption per changed field and none for the rest. "Unchanged" is judged on
the JSON text (`core.jsontext`; a document keeps the key order it was read
with, so an unchanged one gives the text it was read from): a document an
older release wrote with other spacing is encrypted anew on its first write,
once.

`EncryptedJSONListField` encrypts each item of a list on its own: appending
an item encrypts that item alone, and an item is decrypted only when read.

A value of COMPRESS_FROM bytes or more is compressed (Zstandard, level 1:
several times faster than zlib, and smaller) before it is encrypted, its
token marked with ZIPPED. Search state and served pages are
10-40 KB of JSON that shrink four to five times, and encrypting, encoding
and storing those bytes was a large share of a search page's work. Values
written before (not marked) are read as they are. What compressing before
encrypting can reveal is the stored length, to someone who both chooses part
of a value and watches the row's size, which takes access to the database.
Older releases cannot read compressed values: `settings.FIELD_COMPRESS`
turns compressing off, and `rotate` then rewrites compressed values plain
(README, Deploying and scaling out).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, overload

import zstandard
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from core import jsontext

PREFIX = "fernet:"
# A list encrypted item by item: the items' Fernet tokens (url-safe base64,
# never a comma) joined by commas. Starts with PREFIX: still "encrypted".
ITEMS_PREFIX = PREFIX + "items:"
# A token whose plain text was compressed; Fernet tokens never hold a colon.
ZIPPED = "z:"
COMPRESS_FROM = 1024  # bytes of plain text


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
    return PREFIX + _seal(value.encode())


def decrypt(stored: str) -> str:
    """Plain text of a stored value. Raises ImproperlyConfigured when no key fits."""
    if not stored.startswith(PREFIX):
        return stored  # written before encryption was switched on
    return _text(_unseal(stored[len(PREFIX) :]))


def rotate(stored: str) -> str:
    """Re-encrypt a stored value under the first key."""
    if stored.startswith(ITEMS_PREFIX):
        return ITEMS_PREFIX + ",".join(_rotated(t) for t in _item_tokens(stored))
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + _rotated(stored[len(PREFIX) :])


def _seal(data: bytes) -> str:
    """The token of the UTF-8 text `data`: compressed first when long (see
    the module's docstring). Bytes in, and out of `_unseal`: JSON goes
    between bytes and documents directly, never through str."""
    if len(data) < COMPRESS_FROM or not settings.FIELD_COMPRESS:
        return fernet().encrypt(data).decode()
    return ZIPPED + fernet().encrypt(_zstd().compress(data)).decode()


def _unseal(token: str) -> bytes:
    zipped = token.startswith(ZIPPED)
    try:
        data = fernet().decrypt(token[len(ZIPPED) :] if zipped else token)
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value matches none of FIELD_ENCRYPTION_KEYS"
        ) from exc
    if not zipped:
        return data
    try:
        return _zstd().decompress(data)
    except zstandard.ZstdError as exc:
        raise _unreadable() from exc


def _text(data: bytes) -> str:
    try:
        return data.decode()
    except UnicodeDecodeError as exc:
        raise _unreadable() from exc


def _unreadable() -> ImproperlyConfigured:
    # The mark is outside what Fernet authenticates: a changed row.
    return ImproperlyConfigured("An encrypted value is not readable text")


_ZSTD = threading.local()


class _Zstd:
    """A compressor and a decompressor, kept per thread (neither may be
    shared between threads; building them costs a fifth of a call)."""

    def __init__(self) -> None:
        self.compressor = zstandard.ZstdCompressor(level=1)
        self.decompressor = zstandard.ZstdDecompressor()

    def compress(self, data: bytes) -> bytes:
        return self.compressor.compress(data)

    def decompress(self, data: bytes) -> bytes:
        return self.decompressor.decompress(data)


def _zstd() -> _Zstd:
    kept = getattr(_ZSTD, "kept", None)
    if kept is None:
        kept = _ZSTD.kept = _Zstd()
    return kept


def _rotated(token: str) -> str:
    if token.startswith(ZIPPED):
        if not settings.FIELD_COMPRESS:  # written plain again, for an older release
            return _seal(_unseal(token))
        return ZIPPED + fernet().rotate(token[len(ZIPPED) :].encode()).decode()
    return fernet().rotate(token.encode()).decode()


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

    plain: bytes  # its JSON as read
    stored: str


class _LoadedList(list):
    """A JSON array read from an encrypted column (see `EncryptedJSONField`)."""

    plain: bytes
    stored: str


def _dumps(value) -> bytes:
    # Keys in their own order: sorting them cost a third of writing the
    # search state, and a document read back keeps its order (see above).
    return jsontext.dumps_bytes(value)


def _document(data: bytes):
    """The JSON document in the decrypted `data` ("" for none)."""
    if not data:
        return ""
    try:
        return jsontext.loads(data)
    except UnicodeDecodeError as exc:  # json.loads's, for what orjson refused
        raise _unreadable() from exc


def _loaded_json(stored: str):
    """The document of a stored value; an encrypted one remembers its JSON
    and ciphertext so an unchanged write-back reuses the ciphertext."""
    if not stored.startswith(PREFIX):
        # A plain (legacy) row is always encrypted on its next write.
        return jsontext.loads(stored) if stored else stored
    data = _unseal(stored[len(PREFIX) :])
    value = _document(data)
    if not isinstance(value, dict | list):
        return value
    value = (_LoadedDict if isinstance(value, dict) else _LoadedList)(value)
    value.plain, value.stored = data, stored
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
            return jsontext.loads(value) if value else value
        return value

    def get_prep_value(self, value):
        if isinstance(value, Ciphertext):
            return str(value)
        if value is None or value == "":
            return value
        if isinstance(value, str):
            return encrypt(value)
        data = _dumps(value)
        # A loaded document is mutable: it is unchanged when it serialises to
        # the JSON it was read from, and then keeps its ciphertext.
        if isinstance(value, _LoadedDict | _LoadedList) and data == value.plain:
            return value.stored
        return PREFIX + _seal(data)

    def value_to_string(self, obj):
        return jsontext.dumps(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return forms.JSONField(**{"label": self.verbose_name, **kwargs})


def _item_tokens(stored: str) -> list[str]:
    body = stored[len(ITEMS_PREFIX) :]
    return body.split(",") if body else []


class EncryptedItems(Sequence):
    """The list read from an `EncryptedJSONListField`: each item is decrypted
    and decoded on first use. Items read are not to be changed in place (an
    unchanged item is written back as its stored ciphertext); `appended`
    gives the list with a new item, encrypted alone when written."""

    _MISSING: Any = object()

    def __init__(self, tokens: list[str | None], items: list[Any]) -> None:
        self._tokens, self._items = tokens, items

    @classmethod
    def of(cls, items: Iterable[Any]) -> EncryptedItems:
        values = list(items)
        return cls([None] * len(values), values)

    def __len__(self) -> int:
        return len(self._tokens)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        item = self._items[index]
        if item is self._MISSING:
            token = self._tokens[index]
            assert token is not None  # an item without a token was given, not read
            item = self._items[index] = _document(_unseal(token))
        return item

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EncryptedItems({len(self)} items)"

    def appended(self, item: Any) -> EncryptedItems:
        return EncryptedItems([*self._tokens, None], [*self._items, item])

    def updated(self, items: Sequence[Any]) -> EncryptedItems:
        """The list `items`, where each item that is the very object read from
        this list at its index keeps its ciphertext; the others are encrypted
        when written."""
        tokens = [
            self._tokens[i] if i < len(self) and self._items[i] is item else None
            for i, item in enumerate(items)
        ]
        return EncryptedItems(tokens, list(items))

    def stored(self) -> str:
        tokens = [
            token if token is not None else _item_token(self._items[i])
            for i, token in enumerate(self._tokens)
        ]
        return ITEMS_PREFIX + ",".join(tokens)


def _item_token(item: Any) -> str:
    return _seal(_dumps(item))


class EncryptedJSONListField(EncryptedTextField):
    """A JSON array stored encrypted item by item (see `EncryptedItems`):
    a row that grows by one item re-encrypts nothing it held, and a read
    decrypts only the items used. Rows of the whole-document format
    (`EncryptedJSONField`) are read too and rewritten item by item."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if value.startswith(ITEMS_PREFIX):
            tokens = _item_tokens(value)
            return EncryptedItems(tokens, [EncryptedItems._MISSING] * len(tokens))
        text = decrypt(value)
        return EncryptedItems.of(jsontext.loads(text) if text else [])

    def to_python(self, value):
        if isinstance(value, str):
            return EncryptedItems.of(jsontext.loads(value) if value else [])
        return value

    def get_prep_value(self, value):
        if isinstance(value, Ciphertext):
            return str(value)
        if value is None:
            return value
        if not isinstance(value, EncryptedItems):
            value = EncryptedItems.of(value)
        return value.stored()

    def value_to_string(self, obj):
        return jsontext.dumps(list(self.value_from_object(obj) or []))

    def formfield(self, **kwargs):
        return forms.JSONField(**{"label": self.verbose_name, **kwargs})
