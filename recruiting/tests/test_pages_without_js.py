"""Without JavaScript the card panels are whole pages with plain forms, and the
flow completes: open contacts from a merged card, take into Tracker."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.test import Client

from recruiting.services.contacts import contacts_open
from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import charged, hh_urn, sj_urn
from sandbox.subsystem_models import TrackerIssue

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}


class _Forms(HTMLParser):
    """Every <form> of a page: method, action, class, fields and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._open = True
            self.forms.append(
                {
                    "method": a.get("method", "get").lower(),
                    "action": a.get("action", ""),
                    "class": a.get("class", ""),
                    "fields": [],
                    "buttons": [],
                }
            )
        elif self._open and tag in ("input", "select") and a.get("name"):
            self.forms[-1]["fields"].append((a["name"], a.get("value", "")))
        elif self._open and tag == "button":
            self.forms[-1]["buttons"].append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def forms(response) -> list[dict]:
    parser = _Forms()
    parser.feed(response.content.decode())
    return parser.forms


def data(form: dict, **override: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        out.setdefault(name, []).append(value)
    return out | {k: [v] for k, v in override.items()}


def submit(client: Client, form: dict, *, formaction: str = "", **override: str):
    """What a browser without JavaScript sends when the form's button is pressed."""
    send = client.post if form["method"] == "post" else client.get
    return send(formaction or form["action"], data(form, **override))


def whole_page(response) -> str:
    body = response.content.decode()
    assert "<html" in body.lower() and "back-link" in body
    return body


def with_button(response, css: str) -> list[dict]:
    return [f for f in forms(response) if any(css in b.get("class", "") for b in f["buttons"])]


@pytest.fixture
def browser(emulators, recruiter) -> Client:
    """A recruiter's browser without JavaScript: no HX-Request, CSRF enforced."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(recruiter)
    connect(client, "hh")
    connect(client, "sj")
    return client


def test_merged_card_contacts_and_take_into_tracker_work_without_javascript(browser, tracker):
    search = browser.get("/recruiting/search/", {"text": "разработчик"})
    result = search.context["result"]
    merged = next(c for c in result.cards if len(c.resumes) == 2)
    [card] = [
        f for f in with_button(search, "open-contacts") if data(f)["urn"] == list(merged.urns)
    ]
    assert card["method"] == "get" and data(card)["cursor"] == [result.cursor]

    choose = submit(browser, card)
    assert choose.status_code == 200
    back = f"/recruiting/search/?{urlencode({'cursor': result.cursor})}"
    assert f'href="{back}"' in whole_page(choose)
    [from_sj] = [
        f for f in with_button(choose, "open-from") if f["buttons"][0]["data-site"] == "sj"
    ]
    assert from_sj["method"] == "post" and "csrfmiddlewaretoken" in data(from_sj)
    assert sorted(data(from_sj)["card_urns"][0].split(",")) == sorted(merged.urns)

    opened = submit(browser, from_sj)
    assert opened.status_code == 200 and charged("superjob") == 1
    assert 'class="contact-name"' in whole_page(opened)
    [take_link] = with_button(opened, "take-into-work")
    assert take_link["method"] == "get" and set(data(take_link)["urn"]) == set(merged.urns)

    take_page = submit(browser, take_link)
    [to_tracker] = [f for f in forms(take_page) if "take-form" in f["class"]]
    assert to_tracker["method"] == "post" and "csrfmiddlewaretoken" in data(to_tracker)
    assert f'href="{back}"' in whole_page(take_page)

    taken = submit(browser, to_tracker, target="HIRE")
    assert taken.status_code == 200
    body = whole_page(taken)
    assert "Взят в работу." in body and 'class="application-status"' in body and "anna" in body
    assert "hx-swap-oob" not in body and f'href="{back}"' in body
    assert TrackerIssue.objects.get().queue == "HIRE"
    back = browser.get("/recruiting/search/", {"cursor": result.cursor}).content.decode()
    assert back.count('class="application-status"') == 1


def test_search_card_buttons_are_a_form_to_each_panel_page(browser):
    search = browser.get("/recruiting/search/", {"text": "разработчик"})
    [card] = with_button(search, "open-contacts")[:1]
    assert card["action"] == "/recruiting/contacts/"
    take = next(b for b in card["buttons"] if "take-into-work" in b["class"])
    assert take["type"] == "submit" and take["formaction"] == "/recruiting/take/"
    page = submit(browser, card, formaction=take["formaction"])
    assert page.status_code == 200 and "take-box" in whole_page(page)


def test_hidden_contacts_are_confirmed_with_a_form_without_javascript(browser):
    urn, other = hh_urn(hidden=True), sj_urn()
    choose = browser.get("/recruiting/contacts/", {"urn": [urn, other], "card": "4"})
    [from_hh] = [
        f for f in with_button(choose, "open-from") if f["buttons"][0]["data-site"] == "hh"
    ]
    ask = submit(browser, from_hh)
    assert ask.status_code == 409 and charged("hh") == 0
    assert "message-warning" in whole_page(ask)
    [confirm] = with_button(ask, "confirm-open")
    fields = data(confirm)
    assert (fields["urn"], fields["confirm"], fields["card"]) == ([urn], ["1"], ["4"])
    assert fields["card_urns"] == [f"{urn},{other}"] and fields["csrfmiddlewaretoken"]
    opened = submit(browser, confirm)
    assert opened.status_code == 200 and 'class="contact-name"' in whole_page(opened)
    assert charged("hh", urn) == 1
    [take_link] = with_button(opened, "take-into-work")
    assert data(take_link)["urn"] == [urn, other]


def test_contacts_opened_from_the_resume_page_link_back_to_it(browser):
    urn = hh_urn()
    resume = browser.get(f"/recruiting/resumes/{urn}/")
    [open_contacts] = with_button(resume, "open-contacts")
    assert data(open_contacts) == {"urn": [urn], "card": ["resume"]}
    choose = submit(browser, open_contacts)
    assert f'href="/recruiting/resumes/{urn}/"' in whole_page(choose)
    [from_hh] = with_button(choose, "open-from")
    opened = submit(browser, from_hh)
    assert f'href="/recruiting/resumes/{urn}/"' in whole_page(opened)
    assert 'class="contact-name"' in browser.get(f"/recruiting/resumes/{urn}/").content.decode()


def test_take_from_the_resume_page_without_javascript_shows_the_result(browser, recruiter, tracker):
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    resume = browser.get(f"/recruiting/resumes/{urn}/")
    [to_tracker] = [f for f in forms(resume) if "take-form" in f["class"]]
    taken = submit(browser, to_tracker, target="DEV")
    assert taken.status_code == 200
    assert f'href="/recruiting/resumes/{urn}/"' in whole_page(taken)
    assert TrackerIssue.objects.get().queue == "DEV"
    # Reloading the result page sends the form again: still one issue.
    again = submit(browser, to_tracker, target="DEV")
    assert again.status_code == 200 and "anna" in whole_page(again)
    assert TrackerIssue.objects.count() == 1


@pytest.mark.parametrize("path", ["/recruiting/contacts/", "/recruiting/take/"])
def test_htmx_still_gets_the_panel_fragment(browser, path):
    response = browser.get(path, {"urn": hh_urn(), "card": "1"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body.lower() and "back-link" not in body


def test_failed_split_shows_the_error_on_the_search_page(browser):
    page = browser.get("/recruiting/search/")
    token = data(next(f for f in forms(page) if f["action"] == "/accounts/logout/"))
    response = browser.post(
        "/recruiting/search/split/",
        {"urn": ["urn:hh:1"], "csrfmiddlewaretoken": token["csrfmiddlewaretoken"][0]},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="no-sites"' not in body and 'data-code="INVALID_ARGUMENT"' in body
    assert 'id="search-form"' in body
