"""Candidate data is encrypted in every stored copy (issue 14, item 3)."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection
from django.utils import timezone

from core.fields import EncryptedTextField, encrypt
from core.services import encrypted_fields_rotate
from recruiting.models import KnownContact, SearchSession

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
CONTACTISH = re.compile(r"contact|phone|e_?mail|name|resume$|^state$|^pages$|^query$")
# Plain on purpose, each with its reason: not candidate data.
NOT_CANDIDATE_DATA = {
    "core.Organization.name": "a client company",
    "core.User.first_name": "staff and recruiter accounts",
    "core.User.last_name": "staff and recruiter accounts",
    "core.User.email": "staff and recruiter accounts",
    "core.User.username": "staff and recruiter accounts",
    "core.Property.name": "a setting's name",
    "freelancers.Freelancer.first_name": "published in the public catalogue",
    "freelancers.Freelancer.last_name": "published in the public catalogue",
    "freelancers.FreelancerCard.phone": "published in the public catalogue",
    "freelancers.FreelancerCard.email": "published in the public catalogue",
}
OURS = {"core", "recruiting", "freelancers", "supportchat"}


def test_no_plain_field_holds_candidate_contacts():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OURS and not model._meta.proxy
        for field in model._meta.concrete_fields
        if CONTACTISH.search(field.name)
        and not field.is_relation
        and field.get_internal_type() in {"TextField", "CharField", "JSONField", "EmailField"}
        and not isinstance(field, EncryptedTextField)
    ]
    assert sorted(set(plain) - set(NOT_CANDIDATE_DATA)) == []


def _raw(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _rows(recruiter):
    session = SearchSession.objects.create(
        recruiter=recruiter,
        query={"text": "Иванов"},
        state={"buffer": [{"last_name": "Иванов", "phones": ["+79991234567"]}]},
        pages=[{"cards": [{"last_name": "Иванов"}]}],
        buffers=[{"cards": [{"last_name": "Иванов"}], "strong": [["иванов иван", "", "", ""]]}],
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    known = KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn="urn:hh:1",
        source="amocrm",
        contacts={"name": "Иванов", "phones": ["+79991234567"], "emails": ["i@example.com"]},
    )
    return session, known


def test_search_sessions_and_known_contacts_are_stored_encrypted(recruiter):
    session, known = _rows(recruiter)
    for column in ("query", "state", "pages", "buffers"):
        raw = _raw(SearchSession, session.pk, column)
        assert raw.startswith("fernet:") and "Иванов" not in raw and "7999" not in raw
    assert _raw(KnownContact, known.pk, "contacts").startswith("fernet:")
    session.refresh_from_db()
    assert session.state["buffer"][0]["phones"] == ["+79991234567"]


def test_saving_a_row_keeps_unchanged_ciphertexts(recruiter):
    session, _known = _rows(recruiter)
    session.refresh_from_db()
    before = _raw(SearchSession, session.pk, "pages")
    session.state = {"buffer": []}
    session.save()
    assert _raw(SearchSession, session.pk, "pages") == before
    assert _raw(SearchSession, session.pk, "state") != before


def test_key_rotation_covers_sessions_and_known_contacts(recruiter, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    session, known = _rows(recruiter)
    before = _raw(SearchSession, session.pk, "state")
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    encrypted_fields_rotate()
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert _raw(SearchSession, session.pk, "state") != before
    session.refresh_from_db()
    known.refresh_from_db()
    assert session.pages == [{"cards": [{"last_name": "Иванов"}]}]
    assert session.buffers[0]["cards"] == [{"last_name": "Иванов"}]
    assert session.version == 1  # a page prepared before finds it moved
    assert known.contacts["emails"] == ["i@example.com"]


def test_the_migration_encrypts_rows_written_in_plain_text(recruiter):
    session, known = _rows(recruiter)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recruiting_knowncontact SET contacts = %s WHERE id = %s",
            ['{"name": "Иванов", "phones": ["+79991234567"]}', known.pk],
        )
        cursor.execute(
            "UPDATE recruiting_searchsession SET state = %s WHERE id = %s",
            ['{"buffer": [{"last_name": "Иванов"}]}', session.pk],
        )
    migration = importlib.import_module(
        "recruiting.migrations.0005_encrypt_search_sessions_known_contacts"
    )
    migration.encrypt_stored_rows(apps, None)
    assert _raw(KnownContact, known.pk, "contacts").startswith("fernet:")
    assert _raw(SearchSession, session.pk, "state").startswith("fernet:")
    known.refresh_from_db()
    assert known.contacts["phones"] == ["+79991234567"]


@pytest.mark.postgres
def test_stored_encrypted_on_postgresql_too(recruiter):
    session, _known = _rows(recruiter)
    assert _raw(SearchSession, session.pk, "state").startswith("fernet:")


def test_each_served_page_is_encrypted_alone_and_kept_when_a_page_is_added(recruiter):
    session, _known = _rows(recruiter)
    session.refresh_from_db()
    first = _raw(SearchSession, session.pk, "pages")
    assert first.startswith("fernet:") and "Иванов" not in first
    SearchSession.objects.filter(pk=session.pk).update(
        pages=session.pages.appended({"cards": [{"last_name": "Петров"}]})
    )
    both = _raw(SearchSession, session.pk, "pages")
    assert both.startswith(first + ",") and "Петров" not in both
    session.refresh_from_db()
    assert len(session.pages) == 2
    assert session.pages[-1] == {"cards": [{"last_name": "Петров"}]}
    assert list(session.pages) == [{"cards": [{"last_name": "Иванов"}]}, session.pages[1]]


def test_key_rotation_covers_each_served_page(recruiter, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    session, _known = _rows(recruiter)
    session.refresh_from_db()
    SearchSession.objects.filter(pk=session.pk).update(
        pages=session.pages.appended({"cards": [{"last_name": "Петров"}]})
    )
    before = _raw(SearchSession, session.pk, "pages")
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    encrypted_fields_rotate()
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert _raw(SearchSession, session.pk, "pages") != before
    session.refresh_from_db()
    assert [p["cards"][0]["last_name"] for p in session.pages] == ["Иванов", "Петров"]


def test_pages_stored_as_one_encrypted_document_are_still_read(recruiter):
    session, _known = _rows(recruiter)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recruiting_searchsession SET pages = %s WHERE id = %s",
            [encrypt('[{"cards": [{"last_name": "Иванов"}]}]'), session.pk],
        )
    session.refresh_from_db()
    assert list(session.pages) == [{"cards": [{"last_name": "Иванов"}]}]
