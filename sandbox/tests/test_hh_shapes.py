"""The hh emulator answers in the shape of hh.ru's documented examples.

The examples are hh.ru's own (recruiting/tests/fixtures/hh/vendor/, sources in
its SOURCES.md); the emulator is written from the reference, so a difference
here is the emulator drifting from the vendor.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from sandbox.emulators import oauth
from sandbox.emulators.hh import (
    CONTACTS_OPEN_FOR,
    MANAGER_ID,
    VIEW_LIMIT,
    hides_all,
    hides_phones,
)
from sandbox.emulators.people import hh_resume_id, people
from sandbox.tests.shapes import VENDOR_FIXTURES, missing_keys, shape_problems

pytestmark = pytest.mark.django_db
HH = VENDOR_FIXTURES / "hh" / "vendor"
FULL_KEYS = ["contact", "site", "contacts_open_until_date", "birth_date", "hidden_fields"]


def vendor(name: str):
    return json.loads((HH / name).read_text())


def full_resume() -> dict:
    """The spec's full resume with the employer's extra fields of the docs."""
    return vendor("openapi_resume_employer.json") | vendor("docs_employer_resume_fields.json")


@pytest.fixture
def call(client):
    token = oauth.issue("hh", timedelta(hours=1)).access_token

    def get(path: str, **params):
        return client.get(
            f"/sandbox/hh/{path.lstrip('/')}",
            params,
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_USER_AGENT="shape-test/1.0",
        )

    return get


def candidate(*, telegram: bool = False, skype: bool = False, legacy: bool = False):
    for p in people("hh"):
        if p.hh_open or hides_all(p.index) or hides_phones(p.index):
            continue
        if telegram and p.index % 3 or skype and p.index % 4 != 1 or legacy != (p.index % 2 == 1):
            continue
        return p
    raise AssertionError("no such candidate in the sandbox data")


def opened(call, p) -> dict:
    rid = hh_resume_id(p.index)
    closed = call(f"resumes/{rid}").json()
    link = urlsplit(closed["actions"]["get_with_contact"]["url"])
    return call(
        link.path.removeprefix("/sandbox/hh"), with_contact=link.query.split("=", 1)[1]
    ).json()


def test_search_answer_is_shaped_like_the_documented_one(call):
    ours = call("resumes", text="python", per_page=20).json()
    theirs = vendor("openapi_resumes_search.json")
    assert shape_problems(ours, theirs) == []
    assert sorted(k for k in theirs if k != "items") == sorted(k for k in ours if k != "items")


def test_closed_resume_sends_empty_contact_and_site_lists_like_hh(call):
    p = candidate()
    ours = call(f"resumes/{hh_resume_id(p.index)}").json()
    assert (ours["contact"], ours["site"], ours["contacts_open_until_date"]) == ([], [], None)
    assert ours["can_view_full_info"] is False
    assert shape_problems(ours, full_resume()) == []


def test_opened_resume_in_the_current_form_is_shaped_like_the_spec_example(call, settings):
    settings.SANDBOX_HH_CONTACT_FORM = "current"
    p = candidate(telegram=True)
    ours = opened(call, p)
    theirs = full_resume()
    assert shape_problems(ours, theirs) == []
    assert missing_keys(ours, theirs, FULL_KEYS) == []
    kinds = [c["type"]["id"] for c in ours["contact"]]
    assert kinds == ["cell", "email", "telegram"] and all(
        c["contact_value"] for c in ours["contact"]
    )


def test_opened_resume_in_the_older_form_is_shaped_like_the_docs_example(call, settings):
    settings.SANDBOX_HH_CONTACT_FORM = "legacy"
    p = candidate(skype=True, legacy=True)
    ours = opened(call, p)
    theirs = vendor("docs_employer_resume.json")
    # Fields the older docs example lacks but the current spec documents.
    ours_core = {k: v for k, v in ours.items() if k in theirs or k in ("contact", "site")}
    assert shape_problems(ours_core, theirs) == []
    phone, email = ours["contact"]
    assert set(phone["value"]) == {"country", "city", "number", "formatted"}
    assert isinstance(email["value"], str) and "contact_value" not in email
    assert ours["site"] == [
        {"type": {"id": "skype", "name": "Skype"}, "url": f"user{p.index}.skype"}
    ]


def test_mixed_form_answers_both_forms(call, settings):
    settings.SANDBOX_HH_CONTACT_FORM = "mixed"
    forms = {
        "contact_value" in opened(call, candidate(legacy=legacy))["contact"][0]
        for legacy in (False, True)
    }
    assert forms == {True, False}


def test_oauth_error_carries_description_and_oauth_error(client):
    ours = client.get("/sandbox/hh/resumes", HTTP_AUTHORIZATION="Bearer nope", HTTP_USER_AGENT="t")
    assert ours.status_code == 403
    assert shape_problems(ours.json(), vendor("openapi_error_oauth.json")) == []
    assert set(vendor("openapi_error_oauth.json")) == set(ours.json())


def test_paging_too_deep_names_page_and_per_page_apart(call):
    body = call("resumes", page=20, per_page=100).json()
    assert [e["value"] for e in body["errors"]] == ["page", "per_page"]


def test_token_invalidation_is_an_empty_204(client):
    token = oauth.issue("hh", timedelta(hours=1)).access_token
    answer = client.delete("/sandbox/hh/token", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 204 and answer.content == b""


def test_currency_dictionary_lists_what_hh_lists(client):
    ours = client.get("/sandbox/hh/dictionaries", HTTP_USER_AGENT="t").json()["currency"]
    theirs = vendor("openapi_dictionaries_currency.json")["currency"]
    assert [c["code"] for c in ours] == [c["code"] for c in theirs]
    assert shape_problems(ours, theirs) == []


def test_manager_limits_are_shaped_like_the_spec_example(call):
    me = call("me").json()
    ours = call(f"employers/{me['employer']['id']}/managers/{me['manager']['id']}/limits/resume")
    assert shape_problems(ours.json(), vendor("openapi_manager_limits.json")) == []


@pytest.fixture
def as_employer(client):
    """GET an hh path with a token of employer 1455 or 2077."""
    tokens = {
        employer: oauth.issue("hh", timedelta(hours=1), account=employer).access_token
        for employer in ("1455", "2077")
    }

    def get(employer: str, path: str, **params):
        return client.get(
            f"/sandbox/hh/{path.lstrip('/')}",
            params,
            HTTP_AUTHORIZATION=f"Bearer {tokens[employer]}",
            HTTP_USER_AGENT="shape-test/1.0",
        )

    return get


def test_resume_views_are_counted_per_employer(as_employer):
    """hh.ru's daily view limit is the manager's own: another employer's reads spend none."""
    rid = hh_resume_id(candidate().index)
    for _ in range(3):
        assert as_employer("1455", f"resumes/{rid}").status_code == 200

    def left(employer: str) -> int:
        limits = as_employer(employer, f"employers/{employer}/managers/{MANAGER_ID}/limits/resume")
        return limits.json()["left"]["resume_view"]

    assert (left("1455"), left("2077")) == (VIEW_LIMIT - 3, VIEW_LIMIT)
    as_employer("2077", f"resumes/{rid}")
    assert (left("1455"), left("2077")) == (VIEW_LIMIT - 3, VIEW_LIMIT - 1)


@pytest.mark.parametrize("time_zone", ["Europe/Moscow", "UTC"])
def test_the_view_limit_day_starts_at_moscow_midnight(as_employer, settings, time_zone):
    """The limit is hh.ru's daily one: its day turns at 21:00 UTC, whatever our TIME_ZONE."""
    settings.TIME_ZONE = time_zone
    rid = hh_resume_id(candidate().index)

    def left() -> int:
        limits = as_employer("1455", f"employers/1455/managers/{MANAGER_ID}/limits/resume")
        return limits.json()["left"]["resume_view"]

    with time_machine.travel(datetime(2026, 6, 1, 20, 50, tzinfo=UTC), tick=False):
        as_employer("1455", f"resumes/{rid}")
        as_employer("1455", f"resumes/{rid}")
        assert left() == VIEW_LIMIT - 2
    with time_machine.travel(datetime(2026, 6, 1, 21, 10, tzinfo=UTC), tick=False):
        assert left() == VIEW_LIMIT
        as_employer("1455", f"resumes/{rid}")
        assert left() == VIEW_LIMIT - 1
    with time_machine.travel(datetime(2026, 6, 2, 20, 59, tzinfo=UTC), tick=False):
        assert left() == VIEW_LIMIT - 1


def test_contacts_open_until_a_date_on_the_moscow_calendar(call):
    """Opened at 22:30 UTC, which is already the next day in Moscow."""
    moment = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        until = opened(call, candidate())["contacts_open_until_date"]
    assert until == (moment + CONTACTS_OPEN_FOR + timedelta(hours=3)).date().isoformat()


def test_contacts_one_employer_opened_stay_closed_for_another(as_employer):
    """hh.ru charges contacts per employer: another organization's opening is not ours."""
    get = as_employer

    p = candidate()
    rid = hh_resume_id(p.index)
    first = opened(lambda path, **params: get("1455", path, **params), p)
    assert first["can_view_full_info"] is True
    other = get("2077", f"resumes/{rid}").json()
    assert other["can_view_full_info"] is False
    assert "get_with_contact" in other["actions"]
    assert get("1455", f"resumes/{rid}").json()["can_view_full_info"] is True
    assert get("2077", "me").json()["employer"]["id"] == "2077"
