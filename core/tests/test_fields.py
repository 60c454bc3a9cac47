"""Encryption at rest: round trips, key rotation, wrong keys."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from core import fields

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_round_trip_hides_the_plain_text(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    stored = fields.encrypt("access-token-123456")
    assert stored.startswith("fernet:") and "access-token" not in stored
    assert fields.decrypt(stored) == "access-token-123456"


def test_rotation_re_encrypts_under_the_first_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    stored = fields.encrypt("secret")
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert fields.decrypt(stored) == "secret"
    rotated = fields.rotate(stored)
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert fields.decrypt(rotated) == "secret"
    with pytest.raises(ImproperlyConfigured):
        fields.decrypt(stored)


LONG = "Иванов Иван, +79991234567; " * 100  # well over COMPRESS_FROM


def test_a_long_value_is_compressed_before_it_is_encrypted(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    stored = fields.encrypt(LONG)
    assert stored.startswith("fernet:" + fields.ZIPPED) and "7999" not in stored
    assert len(stored) < len(LONG.encode()) / 4
    assert fields.decrypt(stored) == LONG
    short = fields.encrypt("access-token-123456")
    assert not short.startswith("fernet:" + fields.ZIPPED)


def test_a_long_value_written_uncompressed_before_is_still_read(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    before = "fernet:" + Fernet(NEW).encrypt(LONG.encode()).decode()
    assert fields.decrypt(before) == LONG
    assert fields.EncryptedJSONField().from_db_value(
        "fernet:" + Fernet(NEW).encrypt(b'{"a": 1}').decode(), None, None
    ) == {"a": 1}


def test_rotation_keeps_compressed_values_and_items_readable(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    field = fields.EncryptedJSONListField()
    items = field.get_prep_value([{"text": LONG}, {"text": "short"}])
    whole = fields.encrypt(LONG)
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    rotated_items, rotated_whole = fields.rotate(items), fields.rotate(whole)
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert list(field.from_db_value(rotated_items, None, None)) == [
        {"text": LONG},
        {"text": "short"},
    ]
    assert fields.decrypt(rotated_whole) == LONG
    with pytest.raises(ImproperlyConfigured):
        fields.decrypt(whole)


def test_with_compression_off_rotation_rewrites_values_an_older_release_reads(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    items = fields.EncryptedJSONListField().get_prep_value([{"text": LONG}])
    whole = fields.encrypt(LONG)
    settings.FIELD_COMPRESS = False
    assert not fields.encrypt(LONG).startswith("fernet:" + fields.ZIPPED)
    # What a release before compression did with them: Fernet tokens as they are.
    old = Fernet(NEW)
    rotated = fields.rotate(whole)
    assert old.decrypt(rotated.removeprefix("fernet:").encode()).decode() == LONG
    (token,) = fields.rotate(items).removeprefix(fields.ITEMS_PREFIX).split(",")
    assert old.decrypt(token.encode()).decode() == '{"text":"' + LONG + '"}'


def test_a_compressed_value_changed_in_the_database_is_a_clear_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    plain = "fernet:" + Fernet(NEW).encrypt(b"not compressed").decode()
    marked = plain.replace("fernet:", "fernet:" + fields.ZIPPED, 1)
    with pytest.raises(ImproperlyConfigured):
        fields.decrypt(marked)


def test_field_encrypts_on_the_way_in_and_decrypts_on_the_way_out(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    field = fields.EncryptedTextField()
    stored = field.get_prep_value("refresh-token")
    assert stored != "refresh-token"
    assert field.from_db_value(stored, None, None) == "refresh-token"
    assert field.get_prep_value("") == "" and field.from_db_value(None, None, None) is None


def test_malformed_keys_are_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured):
        fields.encrypt("x")


def test_json_field_stores_the_document_encrypted(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    field = fields.EncryptedJSONField()
    document = {"first_name": "Иван", "contact": [{"value": "+79991234567"}]}
    stored = field.get_prep_value(document)
    assert stored.startswith("fernet:") and "79991234567" not in stored
    assert field.from_db_value(stored, None, None) == document
    assert field.from_db_value('{"plain": 1}', None, None) == {"plain": 1}  # written before


def test_an_unchanged_document_is_written_back_without_a_new_encryption(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    field = fields.EncryptedJSONField()
    stored = field.get_prep_value({"cards": [{"name": "Иван"}]})
    loaded = field.from_db_value(stored, None, None)
    assert field.get_prep_value(loaded) == stored  # same ciphertext: no encryption
    loaded["cards"][0]["name"] = "Пётр"  # changed in place: encrypted anew
    changed = field.get_prep_value(loaded)
    assert changed != stored and field.from_db_value(changed, None, None) == loaded
    pages = field.from_db_value(field.get_prep_value([{"n": 1}]), None, None)
    assert field.get_prep_value([*pages, {"n": 2}]) != field.get_prep_value(pages)


def test_an_unchanged_text_is_written_back_without_a_new_encryption(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    field = fields.EncryptedTextField()
    stored = field.get_prep_value("token")
    loaded = field.from_db_value(stored, None, None)
    assert loaded == "token" and field.get_prep_value(loaded) == stored
    assert field.get_prep_value(loaded + "2") != stored


def test_a_plain_legacy_value_is_encrypted_on_its_next_write(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    field = fields.EncryptedJSONField()
    loaded = field.from_db_value('{"phones": ["+79991234567"]}', None, None)
    stored = field.get_prep_value(loaded)
    assert stored.startswith("fernet:") and "7999" not in stored
    text = fields.EncryptedTextField()
    assert text.get_prep_value(text.from_db_value("plain", None, None)).startswith("fernet:")


def test_a_list_updated_with_the_items_it_read_keeps_their_ciphertexts(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    field = fields.EncryptedJSONListField()
    stored = field.get_prep_value([{"cards": ["Иван"]}, {"cards": ["Пётр"]}])
    kept, changed = stored.removeprefix(fields.ITEMS_PREFIX).split(",")
    loaded = field.from_db_value(stored, None, None)
    first, _second = list(loaded)
    # The very object read keeps its token; an equal new one is encrypted anew.
    written = field.get_prep_value(loaded.updated([first, {"cards": ["Пётр"]}]))
    tokens = written.removeprefix(fields.ITEMS_PREFIX).split(",")
    assert tokens[0] == kept and tokens[1] != changed
    grown = field.get_prep_value(loaded.updated([first, {"cards": []}, {"cards": ["Анна"]}]))
    assert list(field.from_db_value(grown, None, None)) == [
        {"cards": ["Иван"]},
        {"cards": []},
        {"cards": ["Анна"]},
    ]
