"""Phone numbers to E.164: the ways people write them, and what is not a number."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.phones import phone_display, phone_e164, phones_normalised

E164 = re.compile(r"\+[1-9]\d{1,14}")

RUSSIAN = [
    "8 (916) 123-45-67",
    "+7 916 1234567",
    "9161234567",
    "89161234567",
    "+7 (916) 123-45-67",
    "+7-916-123-45-67",
    "+7.916.123.45.67",
    "(916) 123 45 67",
    " +79161234567\n",
    "８９１６１２３４５６７",  # full-width digits, as some keyboards type them
]


@pytest.mark.parametrize("text", RUSSIAN)
def test_russian_ways_of_writing_a_mobile_give_one_e164(text):
    assert phone_e164(text) == "+79161234567"


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("+7 (495) 552-73-67", "+74955527367"),  # a Moscow landline
        ("8 812 456-78-90", "+78124567890"),  # St Petersburg
        ("+7 777 123 4567", "+77771234567"),  # Kazakhstan shares +7
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 650 253 0000", "+16502530000"),
        ("+49 30 901820", "+4930901820"),
        ("810 44 20 7946 0958", "+442079460958"),  # the Russian international prefix
    ],
)
def test_landlines_and_foreign_numbers_give_their_e164(text, e164):
    assert phone_e164(text) == e164


def test_a_number_without_country_code_reads_in_the_given_region():
    assert phone_e164("020 7946 0958", region="GB") == "+442079460958"
    assert phone_e164("020 7946 0958") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "+",
        "call me",
        "позвоните мне",
        "123",
        "1" * 16,
        "+7 (123) 456-78-90",  # no Russian code starts with 1
        "+70000000000",
        "+7 916 123 45 67 8",  # a digit too many
        "+7 916 123-45-6",  # a digit too few
        "+7 916 123-45-67 / +7 916 765-43-21",  # two numbers are not one
        "x" * 300,
    ],
)
def test_what_is_not_a_valid_number_gives_none(text):
    assert phone_e164(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "+7 916 123-45-67 доб. 12",
        "+7 916 123-45-67 ext. 12",
        "+7 916 123 45 67 x5",
        "+7 916 123-45-67 #5",
        "+7 916 123-45-67;ext=5",
    ],
)
def test_a_number_with_an_extension_is_not_e164(text):
    # E.164 has no room for an extension: normalising would drop it.
    assert phone_e164(text) is None


@pytest.mark.parametrize(
    "text", ["Иван +7 916 123-45-67", "+7 916 123-45-67 (WhatsApp)", "8-800-FLOWERS"]
)
def test_letters_around_a_number_are_not_dropped_silently(text):
    assert phone_e164(text) is None


def test_display_is_international_format_and_leaves_non_numbers_as_written():
    assert phone_display("89161234567") == "+7 916 123-45-67"
    assert phone_display("+442079460958") == "+44 20 7946 0958"
    assert phone_display("+7 (123) 456-78-90") == "+7 (123) 456-78-90"


def test_normalised_phones_are_e164_one_per_number_and_keep_what_is_not_a_number():
    values = ["8 (916) 123-45-67", "+79161234567", " ", "+7 (123) 456-78-90", "+7 916 1234567"]
    assert phones_normalised(values) == ("+79161234567", "+7 (123) 456-78-90")


russian_mobiles = st.integers(min_value=900_000_0000, max_value=999_999_9999).map(str)


def _written(digits: str, style: int) -> str:
    a, b, c, d = digits[:3], digits[3:6], digits[6:8], digits[8:]
    return [
        f"8 ({a}) {b}-{c}-{d}",
        f"+7 {a} {b}{c}{d}",
        digits,
        f"8{digits}",
        f"+7({a}){b}-{c}{d}",
    ][style]


@given(russian_mobiles, st.integers(min_value=0, max_value=4))
def test_every_way_of_writing_one_mobile_gives_the_same_answer(digits, style):
    assert phone_e164(_written(digits, style)) == phone_e164(_written(digits, 0))


@given(st.text(max_size=40))
def test_any_text_gives_none_or_an_idempotent_e164(text):
    e164 = phone_e164(text)
    assert e164 is None or (E164.fullmatch(e164) and phone_e164(e164) == e164)
    assert e164 != ""


@given(st.lists(st.text(max_size=20), max_size=6))
def test_normalising_twice_changes_nothing(values):
    once = phones_normalised(values)
    assert phones_normalised(once) == once and "" not in once
