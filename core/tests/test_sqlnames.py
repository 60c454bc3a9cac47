"""Rows of hand-written SQL read back as the ORM reads them (`sqlnames.rows`):
every value converted as the database backend and the field convert it
(dates, booleans, encrypted text), unread fields deferred, and what the
query selects after the fields given back as it is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core import sqlnames
from core.models import Organization, User
from recruiting.models import SearchSession

pytestmark = pytest.mark.django_db


def select(model, fields: list[str], extra: str = "") -> str:
    columns = ", ".join(sqlnames.column(model, name) for name in fields)
    pk = sqlnames.column(model, "id")
    return f"SELECT {columns}{extra} FROM {sqlnames.table(model)} WHERE {pk} = %s"  # noqa: S608


def test_every_field_reads_as_the_orm_reads_it(recruiter):
    User.objects.filter(pk=recruiter.pk).update(last_login=timezone.now(), is_staff=True)
    fields = [f.attname for f in User._meta.concrete_fields]
    [(user, rest)] = sqlnames.rows(User, fields, select(User, fields, ", 7"), [recruiter.pk])
    expected = User.objects.get(pk=recruiter.pk)
    for name in fields:
        assert getattr(user, name) == getattr(expected, name), name
        assert type(getattr(user, name)) is type(getattr(expected, name)), name
    assert user.is_staff is True and user.organization_id == recruiter.organization_id
    assert rest == (7,)
    assert user._state.adding is False and user._state.db == connection.alias


def test_encrypted_documents_are_decrypted_and_fields_left_out_are_deferred(recruiter):
    session = SearchSession.objects.create(
        recruiter=recruiter,
        query={"text": "разработчик"},
        state={"streams": []},
        pages=[{"cards": []}],
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    fields = [f.attname for f in SearchSession._meta.concrete_fields if f.name != "pages"]
    [(read, rest)] = sqlnames.rows(
        SearchSession, fields, select(SearchSession, fields), [session.pk]
    )
    assert read.query == {"text": "разработчик"} and read.state == {"streams": []}
    assert read.expires_at == session.expires_at and rest == ()
    assert read.get_deferred_fields() == {"pages"}
    assert list(read.pages) == [{"cards": []}]  # read when asked for, as the ORM does


def test_no_row_is_an_empty_list(organization):
    fields = [f.attname for f in Organization._meta.concrete_fields]
    assert sqlnames.rows(Organization, fields, select(Organization, fields), [0]) == []


# --- insert: a new row as save() writes it --------------------------------------


def test_insert_writes_the_row_save_writes(recruiter, django_assert_num_queries):
    expires = timezone.now() + timedelta(minutes=5)
    values = {
        "recruiter": recruiter,
        "query": {"text": "разработчик"},
        "state": {"streams": [], "turn": 1},
        "pages": [{"cards": []}],
        "buffers": [{"cards": [1]}],
        "expires_at": expires,
    }
    saved = SearchSession.objects.create(**values)
    inserted = SearchSession(**values)
    before = timezone.now()
    with django_assert_num_queries(1):
        sqlnames.insert(inserted)
    assert inserted.pk is not None and inserted.pk != saved.pk
    assert inserted._state.adding is False and inserted._state.db == connection.alias
    assert before <= inserted.created_at <= timezone.now()  # auto_now_add, as save() sets it
    one, other = (SearchSession.objects.get(pk=pk) for pk in (saved.pk, inserted.pk))
    for field in SearchSession._meta.concrete_fields:
        if field.name in {"id", "created_at"}:
            continue
        mine, orms = getattr(other, field.attname), getattr(one, field.attname)
        if field.name in {"pages", "buffers"}:
            mine, orms = list(mine), list(orms)
        assert mine == orms, field.name
    assert other.created_at == inserted.created_at and other.version == 0  # the field default
    with pytest.raises(AssertionError):
        sqlnames.insert(inserted)  # a row already in the database


def test_insert_refuses_an_expression_the_orm_would_compile(recruiter):
    from django.db.models.functions import Now

    session = SearchSession(
        recruiter=recruiter, query={}, state={}, pages=[], buffers=[], expires_at=Now()
    )
    with pytest.raises(AssertionError, match="expires_at"):
        sqlnames.insert(session)
    assert not SearchSession.objects.exists()
