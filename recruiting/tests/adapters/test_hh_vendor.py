"""hh.ru's own documented response examples through the adapter.

The files under fixtures/hh/vendor/ are copies of hh.ru's examples (sources in
its SOURCES.md), not payloads written for this adapter.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import date
from pathlib import Path

import pytest
import responses

from core import errors
from recruiting.adapters.base import Contacts, Money, Order, SearchQuery, card_from_dict
from recruiting.adapters.hh import HhAdapter

API = "https://api.hh.ru"
VENDOR = Path(__file__).parent.parent / "fixtures" / "hh" / "vendor"
QUERY = SearchQuery(text="python", order=Order.RELEVANCE)


def vendor(name: str):
    return json.loads((VENDOR / name).read_text())


def make() -> HhAdapter:
    return HhAdapter(
        base_url=API, oauth_url="https://hh.ru", client_id="c", client_secret="s", max_retries=0
    )


def no_empty_strings(card) -> None:
    """A documented field that is absent is None, never ""."""
    for f in dataclasses.fields(card):
        value = getattr(card, f.name)
        if f.name != "raw":
            assert value != "", f.name
    if card.contacts:
        for values in (card.contacts.phones, card.contacts.emails, card.contacts.other):
            assert all(v.strip() for v in values)


def test_every_vendor_file_has_its_source_named():
    sources = (VENDOR / "SOURCES.md").read_text()
    for path in VENDOR.glob("*.json"):
        assert f"`{path.name}`" in sources


# --- resumes -------------------------------------------------------------------------


def test_documented_resume_with_value_contacts_gives_the_real_phone_and_email():
    card = make().card_from_raw(vendor("docs_employer_resume.json"))
    assert card.contacts == Contacts(
        phones=("+71234567890",),
        emails=("applicant@example.com",),
        other=("Skype: echo123", "ICQ: 123456"),
    )
    assert card.contacts_open and card.name == "Фамилия Имя Отчество"
    assert card.birth_date == date(1980, 5, 8) and card.hidden_fields == ("phones",)
    assert card.salary == Money(100500, "RUB")
    assert (card.last_employer, card.last_position) == ("Название работодателя", "Должность")
    no_empty_strings(card)


def test_documented_resume_with_contact_value_gives_phone_email_messengers_and_sites():
    card = make().card_from_raw(vendor("openapi_resume_employer.json"))
    assert card.contacts == Contacts(
        phones=("+74955527367",),
        emails=("my-email@example.com",),
        other=(
            "telegram: @nickname",
            "setka: set.ki/ZXxs123",
            "https://linked.in/1231232131",
            "Skype: 123321123",
        ),
    )
    assert card.contacts_open and card.name == "Иванов Иван"
    assert card.salary == Money(10000, "USD") and card.age == 29
    no_empty_strings(card)


def test_a_resume_without_a_title_has_title_none_and_keeps_it_when_saved():
    doc = vendor("openapi_resume_employer.json")
    del doc["title"]
    card = make().card_from_raw(doc)
    assert card.title is None
    assert card_from_dict(card.to_dict()).title is None


def test_a_resume_without_its_site_link_has_url_none_not_empty():
    doc = vendor("openapi_resume_employer.json")
    assert make().card_from_raw(doc).url == doc["alternate_url"]
    del doc["alternate_url"]
    card = make().card_from_raw(doc)
    assert card.url is None
    assert card_from_dict(card.to_dict()).url is None


def test_a_phone_object_without_formatted_is_built_from_its_parts():
    doc = vendor("docs_employer_resume.json")
    phone = doc["contact"][0]
    del phone["value"]["formatted"]
    card = make().card_from_raw(doc)
    assert card.contacts.phones == ("+71234567890",)


def test_a_contact_item_of_unknown_shape_is_logged_and_left_out(caplog):
    doc = vendor("openapi_resume_employer.json")
    doc["contact"] = [
        {"type": {"id": "cell"}, "preferred": True, "value": None},
        {"type": {"id": "email"}, "contact_value": "", "value": {"odd": 1}},
        "not an item",
        doc["contact"][1],
    ]
    doc["site"] = [{"type": {"id": "skype"}}]
    with caplog.at_level(logging.WARNING, logger="recruiting.adapters.hh_contacts"):
        card = make().card_from_raw(doc)
    assert card.contacts == Contacts(emails=("my-email@example.com",))
    assert len(caplog.records) == 4
    assert "my-email" not in caplog.text  # keys are logged, never values


def test_documented_closed_resume_is_closed_and_opens_through_its_link():
    closed = vendor("docs_employer_resume.json") | vendor("docs_employer_resume_fields.json")
    closed |= {"first_name": None, "last_name": None, "middle_name": None, "contact": []}
    closed["site"] = []
    rid = closed["id"]
    opened = vendor("docs_employer_resume.json") | {"can_view_full_info": True}
    responses_ = responses.RequestsMock()
    with responses_:
        responses_.get(
            f"{API}/resumes/{rid}",
            json=closed,
            match=[responses.matchers.query_param_matcher({})],
        )
        paid = responses_.get(
            f"{API}/resumes/{rid}",
            json=opened,
            match=[responses.matchers.query_param_matcher({"with_contact": "2703892fa808bc3"})],
        )
        card = make().open_contacts(access_token="tok", resume_id=rid)
    assert paid.call_count == 1
    assert card.contacts_open and card.contacts.phones == ("+71234567890",)


def test_contacts_open_follows_can_view_full_info_not_names_or_contact_items():
    doc = vendor("openapi_resume_employer.json")
    listed_but_closed = doc | {"can_view_full_info": False}
    assert not make().card_from_raw(listed_but_closed).contacts_open
    nothing_shown = doc | {"can_view_full_info": True, "contact": [], "site": []}
    nothing_shown |= {"first_name": None, "last_name": None, "middle_name": None}
    card = make().card_from_raw(nothing_shown)
    assert card.contacts_open and card.contacts is None


def test_names_without_can_view_full_info_are_not_open_contacts():
    doc = vendor("docs_employer_resume.json") | {"can_view_full_info": False}
    assert not make().card_from_raw(doc).contacts_open


@pytest.mark.parametrize(
    ("name", "found", "opened", "graduated"),
    [
        ("docs_resumes_search.json", 2099341, True, 2012),
        ("openapi_resumes_search.json", 1, False, 2020),
    ],
)
@responses.activate
def test_documented_search_answers_parse(name, found, opened, graduated):
    responses.get(f"{API}/resumes", json=vendor(name))
    page = make().search(access_token="tok", query=QUERY, page=0)
    (card,) = page.cards
    assert page.found == found and card.contacts_open is opened
    assert card.title and card.city == "Москва" and card.salary is not None
    assert card.last_position and card.education and card.graduated == graduated
    no_empty_strings(card)


# --- token, quota, dictionaries ------------------------------------------------------


@responses.activate
def test_documented_token_answer_parses():
    responses.post(f"{API}/token", json=vendor("openapi_token.json"))
    pair = make().exchange_code(code="x", redirect_uri="https://app/cb")
    assert pair.access_token.startswith("exampleAccessToken")
    assert pair.refresh_token.startswith("exampleRefreshToken")


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("docs_token_error_not_expired.json", errors.FailedPrecondition),
        ("openapi_token_error_account_not_found.json", errors.Unauthenticated),
        ("openapi_token_error_invalid_client.json", errors.PermissionDenied),
        ("openapi_token_error_unsupported_grant_type.json", errors.InvalidArgument),
    ],
)
@responses.activate
def test_documented_token_errors_map(name, error):
    responses.post(f"{API}/token", json=vendor(name), status=400)
    with pytest.raises(error):
        make().refresh(refresh_token="r")


@responses.activate
def test_documented_token_invalidation_is_an_empty_204():
    responses.delete(f"{API}/token", status=204, body=b"")
    make().revoke(access_token="tok")


@responses.activate
def test_documented_me_limits_and_currency_dictionary_parse():
    responses.get(f"{API}/me", json=vendor("docs_me.json"))
    responses.get(
        f"{API}/employers/1455/managers/87654321/limits/resume",
        json=vendor("openapi_manager_limits.json"),
    )
    responses.get(f"{API}/dictionaries", json=vendor("openapi_dictionaries_currency.json"))
    adapter = make()
    assert adapter.quota(access_token="tok").views_left == 50
    rates = adapter.currency_rates()
    assert len(rates) == 10 and rates["RUB"] == 1.0
    assert rates["EUR"] == pytest.approx(1 / 0.015982)


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "error"),
    [
        ("openapi_error_oauth.json", 403, errors.Unauthenticated),
        ("openapi_error_view_limit.json", 429, errors.ResourceExhausted),
        ("docs_error_not_found.json", 404, errors.NotFound),
        ("docs_error_bad_argument.json", 400, errors.InvalidArgument),
        ("openapi_error_not_found.json", 404, errors.NotFound),
        ("openapi_error_bad_argument.json", 400, errors.InvalidArgument),
    ],
)
@responses.activate
def test_documented_error_bodies_map(name, status, error):
    responses.get(f"{API}/resumes/X", json=vendor(name), status=status)
    with pytest.raises(error):
        make().resume(access_token="tok", resume_id="X")


def test_phones_in_any_written_form_come_out_as_one_e164(caplog):
    doc = vendor("openapi_resume_employer.json")
    phone = doc["contact"][0]
    doc["contact"] = [
        phone | {"contact_value": "8 (495) 552-73-67"},
        phone | {"contact_value": "+7 495 5527367"},
        {"type": {"id": "home"}, "value": {"country": "7", "city": "916", "number": "1234567"}},
    ]
    with caplog.at_level(logging.WARNING, logger="recruiting.adapters.parsing"):
        card = make().card_from_raw(doc)
    assert card.contacts.phones == ("+74955527367", "+79161234567")
    assert not caplog.records


def test_a_phone_that_is_no_valid_number_is_kept_as_written_and_logged_without_it(caplog):
    # The documented example's number (+7 123 ...) exists in no numbering plan.
    with caplog.at_level(logging.WARNING, logger="recruiting.adapters.parsing"):
        card = make().card_from_raw(vendor("docs_employer_resume.json"))
    assert card.contacts.phones == ("+71234567890",)
    assert "hh: 1 phone(s) kept as written" in caplog.text
    assert "1234567890" not in caplog.text  # logs hold no candidate data


@responses.activate
def test_documented_daily_search_limit_is_resource_exhausted():
    responses.get(f"{API}/resumes", json=vendor("openapi_error_search_limit.json"), status=429)
    with pytest.raises(errors.ResourceExhausted) as caught:
        make().search(access_token="tok", query=QUERY, page=0)
    assert caught.value.details["errors"] == ["resumes/daily_resume_search_limit_exceeded"]
