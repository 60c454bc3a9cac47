"""Case-insensitive LIKE beyond ASCII, on SQLite as on PostgreSQL."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from core.sqlite import unicode_like


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("%иван%", "Петров Иван", True),
        ("%ИВАН%", "иванов", True),
        ("и_ан", "Иван", True),
        ("и_ан", "Ивван", False),
        (r"%50\%%", "скидка 50% сразу", True),
        (r"%50\%%", "скидка 500 сразу", False),
        (r"a\_b", "a_b", True),
        (r"a\_b", "axb", False),
        ("%", "", True),
        ("abc", "ABCD", False),
        ("%ß%", "STRASSE", True),
    ],
)
def test_unicode_like_matches_sql_like_ignoring_case(pattern, value, expected):
    assert unicode_like(pattern, value, "\\") is expected


def test_unicode_like_is_null_for_null():
    assert unicode_like(None, "x") is None and unicode_like("x", None) is None


@pytest.mark.django_db
def test_icontains_ignores_cyrillic_case_on_the_database():
    users = get_user_model().objects
    users.create_user(username="ivan", last_name="Иванов")
    users.create_user(username="john", last_name="Johnson")
    assert list(users.filter(last_name__icontains="иван").values_list("username", flat=True)) == [
        "ivan"
    ]
    assert users.filter(last_name__icontains="ИВАНОВ").count() == 1
    assert users.filter(last_name__icontains="JOHN").count() == 1
    assert users.filter(last_name__icontains="%").count() == 0
