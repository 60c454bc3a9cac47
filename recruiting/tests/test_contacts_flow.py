"""Opening contacts and the resume page, over HTTP against the job-site emulators."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.db import connection

from core import errors
from core.models import User
from recruiting.adapters.base import JobSite, SearchQuery
from recruiting.models import Application, KnownContact, Resume
from recruiting.services.applications import application_create
from recruiting.services.contacts import (
    CONTACT_FIELDS,
    contacts_choices,
    contacts_known,
    contacts_open,
)
from recruiting.services.search import search_start
from recruiting.tests.applications_support import candidate
from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import charged, hh_urn, sj_urn
from sandbox.emulators.hh import CONTACT_PACKAGE, EMPLOYER_ID
from sandbox.faults import set_faults
from sandbox.models import ResumeEvent

pytestmark = pytest.mark.django_db(transaction=True)

ACCESS_HH = (
    "Ошибка доступа. Убедитесь, что у вас разрешён доступ к работному сайту hh.ru "
    "на вкладке с доступами"
)


@pytest.fixture
def colleague(organization) -> User:
    return User.objects.create_user(username="boris", organization=organization)


def test_opening_hh_contacts_stores_them_with_the_full_resume(sites, recruiter):
    urn = hh_urn()
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert opened.name and opened.phones and opened.emails and opened.opened_by == "anna"
    row = Resume.objects.get(urn=urn)
    assert row.organization_id == recruiter.organization_id and row.opened_by == recruiter
    assert row.resume["contact"] and row.resume["id"] == urn.rsplit(":", 1)[1]
    assert row.contact_data["phones"] == list(opened.phones)
    assert charged("hh", urn) == 1
    # At rest neither the contacts nor the resume document that carries them
    # is readable.
    with connection.cursor() as cursor:
        cursor.execute("SELECT contacts, resume FROM recruiting_resume WHERE id = %s", [row.pk])
        stored = " ".join(cursor.fetchone())
    digits = "".join(ch for ch in opened.phones[0] if ch in "0123456789")
    assert digits not in stored and opened.emails[0] not in stored


def views(urn: str) -> int:
    return ResumeEvent.objects.filter(
        system="hh", kind=ResumeEvent.Kind.VIEW, resume_id=urn.rsplit(":", 1)[1]
    ).count()


def test_opening_hh_contacts_after_the_panel_read_spends_one_view(sites, recruiter):
    urn = hh_urn()
    contacts_choices(recruiter=recruiter, urns=[urn])  # the choices panel reads it once
    before = views(urn)
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert opened.phones
    # Only the one-time link is called: the panel's read (a view already
    # spent) carried it, so the opening does not read the resume again.
    assert views(urn) - before == 1


def test_opening_hh_contacts_a_search_showed_spends_one_view_without_the_card(sites, recruiter):
    result = search_start(recruiter=recruiter, query=SearchQuery(text="Python"))
    card = next(
        r
        for merged in result.cards
        for r in merged.resumes
        if r.site == JobSite.HH and not r.contacts_open and not r.hidden_fields
    )
    before = views(card.urn)
    # As the JSON API opens: by URN alone; the recruiter's search session has the link.
    opened = contacts_open(recruiter=recruiter, urn=card.urn)
    assert opened.name and views(card.urn) - before == 1 and charged("hh", card.urn) == 1


def test_hidden_contacts_confirmed_after_the_warning_spend_one_more_view(sites, recruiter):
    urn = hh_urn(hidden=True)
    with pytest.raises(errors.FailedPrecondition):
        contacts_open(recruiter=recruiter, urn=urn)  # read once: the candidate hid phones
    before = views(urn)
    contacts_open(recruiter=recruiter, urn=urn, confirm_hidden=True)
    assert views(urn) - before == 1 and charged("hh", urn) == 1


def test_opening_superjob_contacts_spends_one_unit(sites, recruiter):
    urn = sj_urn()
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert opened.name and opened.phones
    assert charged("superjob", urn) == 1
    assert Resume.objects.get(urn=urn).resume["contacts_bought"] is True


def test_superjob_answer_without_bought_contacts_is_refused_and_can_be_retried(
    sites, recruiter, settings
):
    urn = sj_urn()
    settings.SANDBOX_FAULTS = {"superjob": {"withhold_contacts": True}}
    with pytest.raises(errors.ResourceExhausted) as exc:
        contacts_open(recruiter=recruiter, urn=urn)
    assert "SuperJob" in exc.value.message
    row = Resume.objects.get(urn=urn)
    assert (row.contacts, row.opening_until) == ("", None)  # nothing stored, lease released
    assert contacts_known(organization_id=recruiter.organization_id, urns=[urn]) == {}
    settings.SANDBOX_FAULTS = {}
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert opened.name and opened.phones and charged("superjob", urn) == 1


def test_stored_contacts_are_shown_to_a_colleague_without_a_site_call(sites, recruiter, colleague):
    urn = hh_urn()
    first = contacts_open(recruiter=recruiter, urn=urn)
    set_faults("hh", error_rate=1.0, error_status=503)
    views = ResumeEvent.objects.count()
    again = contacts_open(recruiter=colleague, urn=urn)  # colleague has no hh token at all
    assert (again.name, again.phones) == (first.name, first.phones)
    assert ResumeEvent.objects.count() == views


def test_contacts_known_in_amocrm_are_free_and_need_no_site(sites, recruiter):
    urn = hh_urn()
    KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn=urn,
        source="amocrm",
        contacts={"name": "Петров Пётр", "phones": ["+79990001122"], "emails": []},
    )
    set_faults("hh", error_rate=1.0, error_status=503)
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert (opened.name, opened.phones, opened.source) == (
        "Петров Пётр",
        ("+79990001122",),
        "amocrm",
    )
    assert [c.state for c in contacts_choices(recruiter=recruiter, urns=[urn])] == ["known"]
    assert charged("hh") == 0


def test_hidden_contacts_warn_before_paying_and_open_after_confirmation(sites, recruiter):
    urn = hh_urn(hidden=True)
    [choice] = contacts_choices(recruiter=recruiter, urns=[urn])
    assert (choice.state, choice.hidden) == ("hidden", ("phones",))
    with pytest.raises(errors.FailedPrecondition) as exc:
        contacts_open(recruiter=recruiter, urn=urn)
    assert exc.value.details == {"reason": "hidden_fields", "hidden": ["phones"]}
    assert charged("hh") == 0
    opened = contacts_open(recruiter=recruiter, urn=urn, confirm_hidden=True)
    assert opened.name and opened.phones == () and opened.emails
    assert charged("hh", urn) == 1


def test_hidden_contacts_page_asks_for_confirmation(sites):
    urn = hh_urn(hidden=True)
    page = sites.post("/recruiting/contacts/open/", {"urn": urn, "card": "1"})
    assert page.status_code == 409
    assert 'class="small confirm-open"' in page.content.decode()
    assert charged("hh") == 0
    page = sites.post("/recruiting/contacts/open/", {"urn": urn, "card": "1", "confirm": "1"})
    assert page.status_code == 200 and 'class="contact-name"' in page.content.decode()
    assert charged("hh", urn) == 1


def test_merged_card_offers_each_site_with_its_cost_and_remaining_views(sites, recruiter):
    urns = [hh_urn(), sj_urn()]
    choices = {c.site.value: c for c in contacts_choices(recruiter=recruiter, urns=urns)}
    assert choices["hh"].state == "paid" and choices["hh"].views_left is not None
    assert choices["sj"].state == "paid" and choices["sj"].views_left is None
    page = sites.get("/recruiting/contacts/", {"urn": urns, "card": "3"}).content.decode()
    assert page.count('class="small open-from"') == 2
    assert "views left today" in page or "просмотров осталось" in page
    assert charged("hh") == charged("superjob") == 0


def test_resume_opened_by_the_company_on_hh_is_free(sites, recruiter):
    urn = hh_urn()
    ResumeEvent.objects.create(
        system="hh", kind="contact", resume_id=urn.rsplit(":", 1)[1], account=EMPLOYER_ID
    )
    [choice] = contacts_choices(recruiter=recruiter, urns=[urn])
    assert choice.state == "free"
    before = views(urn)
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert opened.phones
    # Nothing was spent: one read answered with the contacts, and the paid
    # one-time link (a second request) was never called.
    assert views(urn) - before == 1


def test_no_paid_views_left_is_resource_exhausted_naming_the_site(sites, recruiter):
    ResumeEvent.objects.bulk_create(
        [
            ResumeEvent(system="hh", kind="contact", resume_id=f"x{i}", account=EMPLOYER_ID)
            for i in range(CONTACT_PACKAGE)
        ]
    )
    with pytest.raises(errors.ResourceExhausted) as exc:
        contacts_open(recruiter=recruiter, urn=hh_urn())
    assert "hh.ru" in exc.value.message
    assert not Resume.objects.exclude(contacts="").exists()
    assert Resume.objects.get().opening_until is None  # the claim is released


def test_superjob_package_exhausted_is_resource_exhausted(sites, recruiter):
    ResumeEvent.objects.bulk_create(
        [ResumeEvent(system="superjob", kind="contact", resume_id=f"{i}") for i in range(200)]
    )
    with pytest.raises(errors.ResourceExhausted) as exc:
        contacts_open(recruiter=recruiter, urn=sj_urn())
    assert "SuperJob" in exc.value.message


def test_no_access_is_permission_denied_with_the_seed_message(sites, recruiter):
    set_faults("hh", error_rate=1.0, error_status=403)
    with pytest.raises(errors.PermissionDenied) as exc:
        contacts_open(recruiter=recruiter, urn=hh_urn())
    assert exc.value.message in (ACCESS_HH, ACCESS_HH.replace("Ошибка", "Access error"))


def test_resume_gone_is_not_found_and_site_down_is_unavailable(sites, recruiter):
    with pytest.raises(errors.NotFound) as exc:
        contacts_open(recruiter=recruiter, urn="urn:hh:DOESNOTEXIST")
    assert "hh.ru" in exc.value.message
    set_faults("superjob", error_rate=1.0, error_status=503)
    with pytest.raises(errors.Unavailable):
        contacts_open(recruiter=recruiter, urn=sj_urn())


def test_site_not_connected_is_a_failed_precondition(emulators, recruiter):
    with pytest.raises(errors.FailedPrecondition) as exc:
        contacts_open(recruiter=recruiter, urn=hh_urn())
    assert exc.value.details["reason"] == "not_connected"


def test_organizations_never_see_each_others_contacts(sites, recruiter, other_organization, client):
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    stranger = User.objects.create_user(username="gleb", organization=other_organization)
    assert contacts_known(organization_id=other_organization.pk, urns=[urn]) == {}
    client.force_login(stranger)
    connect(client, "hh")
    page = client.get(f"/recruiting/resumes/{urn}/").content.decode()
    assert 'class="contact-name"' not in page and 'class="cached"' not in page


# --- resume page --------------------------------------------------------------------


def test_resume_page_shows_the_full_hh_resume_from_the_site(sites):
    page = sites.get(f"/recruiting/resumes/{hh_urn()}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="open-contacts"' in body
    # Only the full resume has these: the search card carries neither.
    assert "Опыт работы" in body and 'class="skills"' in body and "Образование" in body
    assert charged("hh") == 0
    # The page says that reading it spent an hh.ru resume view.
    assert 'class="view-spent"' in body and "просмотров резюме" in body


def test_resume_page_shows_stored_resume_and_contacts_without_a_site_call(sites, recruiter):
    urn = hh_urn()
    opened = contacts_open(recruiter=recruiter, urn=urn)
    set_faults("hh", error_rate=1.0, error_status=503)
    page = sites.get(f"/recruiting/resumes/{urn}/").content.decode()
    assert opened.name in page and opened.phones[0] in page
    assert 'class="view-spent"' not in page


def test_phones_stored_in_other_forms_are_read_as_e164_and_shown_as_tel_links(sites, recruiter):
    urn = hh_urn()
    contacts_open(recruiter=recruiter, urn=urn)
    row = Resume.objects.get(urn=urn)
    written = ["8 (999) 000-11-22", "+7 999 000 11 22", "+7 (123) 456-78-90"]
    row.contacts = json.dumps(row.contact_data | {"phones": written}, ensure_ascii=False)
    row.save(update_fields=["contacts"])
    known = contacts_known(organization_id=recruiter.organization_id, urns=[urn])[urn]
    assert known.phones == ("+79990001122", "+7 (123) 456-78-90")
    set_faults("hh", error_rate=1.0, error_status=503)
    page = sites.get(f"/recruiting/resumes/{urn}/").content.decode()
    assert '<a href="tel:+79990001122">+7 999 000-11-22</a>, +7 (123) 456-78-90' in page


def test_phones_known_in_amocrm_in_another_form_are_read_as_e164(recruiter):
    KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn="urn:hh:abc123",
        source="amocrm",
        contacts={"name": "Петров Пётр", "phones": ["8 999 000-11-22", "+79990001122"]},
    )
    known = contacts_known(organization_id=recruiter.organization_id, urns=["urn:hh:abc123"])
    assert known["urn:hh:abc123"].phones == ("+79990001122",)


def test_superjob_resume_page_never_reads_an_unpaid_resume(sites):
    page = sites.get(f"/recruiting/resumes/{sj_urn()}/")
    assert page.status_code == 200 and charged("superjob") == 0


@pytest.mark.parametrize(
    ("urn", "status"),
    [("hh:123", 400), ("urn:xx:1", 400), ("urn:hh:<b>", 400), ("urn:hh:NOPE", 404)],
)
def test_bad_or_unknown_urn_is_a_clear_error_page(sites, urn, status):
    page = sites.get(f"/recruiting/resumes/{urn}/")
    assert page.status_code == status


def test_resume_page_when_hh_is_down_says_so_with_a_retry_hint(sites):
    set_faults("hh", error_rate=1.0, error_status=503)
    page = sites.get(f"/recruiting/resumes/{hh_urn()}/")
    assert page.status_code == 503
    text = page.content.decode()
    assert "hh.ru" in text and ("try again" in text.lower() or "попробуйте" in text.lower())


# --- a merged card through the hidden-contacts confirmation ------------------------


def hx_vals(page) -> dict:
    return json.loads(html.unescape(re.search(r"hx-vals='([^']*)'", page.content.decode())[1]))


def test_confirming_hidden_contacts_keeps_the_cards_other_resume_for_the_take(
    sites, recruiter, colleague, tracker
):
    urn, sj = hh_urn(hidden=True), sj_urn()
    asked = sites.post(
        "/recruiting/contacts/open/", {"urn": urn, "card": "5", "card_urns": f"{urn},{sj}"}
    )
    assert asked.status_code == 409
    assert hx_vals(asked)["card_urns"] == f"{urn},{sj}"
    opened = sites.post("/recruiting/contacts/open/", hx_vals(asked))
    form_url = html.unescape(re.search(r'hx-get="([^"]+)"', opened.content.decode())[1])
    form = sites.get(form_url).content.decode()
    assert f'name="card_urn" value="{sj}"' in form
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields["card_urn"] = re.findall(r'name="card_urn" value="([^"]*)"', form)
    # Meanwhile a colleague takes the card's SuperJob resume: the same person.
    application_create(recruiter=colleague, candidate=candidate(sj), subsystem="tracker")
    taken = sites.post("/recruiting/take/create/", {**fields, "target": "HIRE"})
    assert taken.status_code == 409 and "boris" in taken.content.decode()  # the same person
    assert Application.objects.count() == 1


# --- a candidate who hid every contact -------------------------------------------------


def test_contacts_all_hidden_are_paid_once_stored_and_explained(sites, recruiter):
    urn = hh_urn(hides_everything=True)
    [choice] = contacts_choices(recruiter=recruiter, urns=[urn])
    assert choice.state == "hidden" and set(choice.hidden) == CONTACT_FIELDS
    with pytest.raises(errors.FailedPrecondition) as exc:
        contacts_open(recruiter=recruiter, urn=urn, confirm_hidden=True)
    assert exc.value.details["reason"] == "contacts_hidden" and "hh.ru" in exc.value.message
    assert charged("hh", urn) == 1
    row = Resume.objects.get(urn=urn)
    assert row.opening_until is None and set(row.contact_data["hidden"]) == CONTACT_FIELDS
    assert row.resume["id"] == urn.rsplit(":", 1)[1]  # the full resume is kept too
    set_faults("hh", error_rate=1.0, error_status=503)  # nothing may reach the site again
    seen = ResumeEvent.objects.count()
    with pytest.raises(errors.FailedPrecondition) as again:
        contacts_open(recruiter=recruiter, urn=urn, confirm_hidden=True)
    assert again.value.message == exc.value.message
    [choice] = contacts_choices(recruiter=recruiter, urns=[urn])
    assert (choice.state, choice.message) == ("unavailable", exc.value.message)
    assert ResumeEvent.objects.count() == seen and charged("hh", urn) == 1


def test_contacts_all_hidden_paid_but_not_stored_are_not_paid_again(sites, recruiter):
    urn = hh_urn(hides_everything=True)
    with pytest.raises(errors.FailedPrecondition):
        contacts_open(recruiter=recruiter, urn=urn, confirm_hidden=True)
    Resume.objects.filter(urn=urn).delete()  # as if the answer had been lost on the way
    with pytest.raises(errors.FailedPrecondition) as exc:
        contacts_open(recruiter=recruiter, urn=urn, confirm_hidden=True)
    assert exc.value.details["reason"] == "contacts_hidden"
    assert charged("hh", urn) == 1 and Resume.objects.get(urn=urn).contact_data["hidden"]


def test_contacts_all_hidden_page_says_so_instead_of_no_views_left(sites):
    urn = hh_urn(hides_everything=True)
    page = sites.post(
        "/recruiting/contacts/open/",
        {"urn": urn, "card": "1", "confirm": "1"},
        HTTP_HX_REQUEST="true",
    )
    text = page.content.decode()
    assert page.status_code == 400 and 'data-code="FAILED_PRECONDITION"' in text
    assert "hh.ru" in text and "не осталось платных" not in text
    assert charged("hh", urn) == 1


def _hh_card_on_the_first_page(client, *, hidden: bool) -> tuple[str, str]:
    """(urn, cursor) of a first-page hh.ru card nobody opened, its phones hidden or not."""
    from recruiting.adapters.base import Order, SearchQuery
    from recruiting.services import search as search_service
    from sandbox.emulators.hh import hides_all, hides_phones
    from sandbox.emulators.people import hh_resume_id, people

    wanted = {
        f"urn:hh:{hh_resume_id(p.index)}"
        for p in people("hh")
        if not p.hh_open and hides_phones(p.index) == hidden and not hides_all(p.index)
    }
    user = User.objects.get(username="anna")
    result = search_service.search_start(
        recruiter=user, query=SearchQuery(text="разработчик", order=Order.RELEVANCE)
    )
    urn = next(u for card in result.cards for u in card.urns if u in wanted)
    return urn, result.cursor


def test_the_contacts_panel_spends_no_hh_view_and_an_opening_one(sites, recruiter):
    urn, cursor = _hh_card_on_the_first_page(sites, hidden=False)
    htmx = {"HTTP_HX_REQUEST": "true"}
    for _ in range(3):  # opening the panel again and again costs nothing
        panel = sites.get("/recruiting/contacts/", {"urn": urn, "cursor": cursor}, **htmx)
        assert panel.status_code == 200 and 'data-state="paid"' in panel.content.decode()
    assert views(urn) == 0
    opened = sites.post(
        "/recruiting/contacts/open/", {"urn": urn, "card": "1", "cursor": cursor}, **htmx
    )
    assert opened.status_code == 200 and 'class="contact-phones"' in opened.content.decode()
    assert views(urn) == 1 and charged("hh", urn) == 1


def test_hidden_contacts_are_confirmed_from_the_search_card_without_a_view(sites, recruiter):
    urn, cursor = _hh_card_on_the_first_page(sites, hidden=True)
    htmx = {"HTTP_HX_REQUEST": "true"}
    panel = sites.get("/recruiting/contacts/", {"urn": urn, "cursor": cursor}, **htmx)
    assert 'data-state="hidden"' in panel.content.decode()
    ask = sites.post("/recruiting/contacts/open/", {"urn": urn, "cursor": cursor}, **htmx)
    assert ask.status_code == 409 and views(urn) == 0 and charged("hh", urn) == 0
    sites.post("/recruiting/contacts/open/", {"urn": urn, "cursor": cursor, "confirm": "1"}, **htmx)
    assert views(urn) == 1 and charged("hh", urn) == 1


def test_a_foreign_cursor_is_ignored(sites, recruiter, colleague):
    urn, cursor = _hh_card_on_the_first_page(sites, hidden=False)
    sites.force_login(colleague)  # connected to no site: the panel must say so
    panel = sites.get(
        "/recruiting/contacts/", {"urn": urn, "cursor": cursor}, HTTP_HX_REQUEST="true"
    )
    body = panel.content.decode()
    assert panel.status_code == 200
    assert 'data-state="unavailable"' in body and 'data-state="paid"' not in body


def test_a_subsystem_copy_with_only_a_name_leaves_the_contacts_to_open(sites, recruiter):
    """A CRM contact holding only the name (a messenger-only candidate, or the
    phone deleted there) is not the contacts: the recruiter may still open them."""
    urn = hh_urn()
    KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn=urn,
        source="amocrm",
        contacts={"name": "Петров Пётр", "phones": [], "emails": []},
    )
    assert [c.state for c in contacts_choices(recruiter=recruiter, urns=[urn])] != ["known"]
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert opened.phones and opened.source == "site" and charged("hh") == 1
