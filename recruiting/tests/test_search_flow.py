"""Search end to end: our services and pages through the real adapters over
HTTP against the emulators (refresh, revoked tokens, faults, depth limits)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from core import errors
from core.tests.concurrency import wait_for
from recruiting import ranking
from recruiting.adapters.base import JobSite, Order, SearchQuery
from recruiting.models import KnownContact, Resume, SearchSession, Token
from recruiting.services import search as search_service
from recruiting.services.contacts import contacts_known, contacts_open
from sandbox.faults import set_faults
from sandbox.models import OAuthToken

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = SearchQuery(text="разработчик", order=Order.RELEVANCE)


def statuses(result) -> dict[str, str]:
    return {s.site.value: s.state for s in result.statuses}


def test_first_page_merges_results_from_both_sites(both_sites, recruiter):
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(result) == {"hh": "ok", "sj": "ok"}
    sites = {r.site for card in result.cards for r in card.resumes}
    assert sites == {JobSite.HH, JobSite.SUPERJOB}
    assert any(len(card.resumes) == 2 for card in result.cards)
    assert result.next_cursor and result.prev_cursor is None


def test_paging_forward_and_back_repeats_pages_and_never_repeats_cards(both_sites, recruiter):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    seen = [u for c in first.cards for u in c.urns]
    page = first
    for _ in range(4):
        page = search_service.search_page(recruiter=recruiter, cursor=page.next_cursor)
        urns = [u for c in page.cards for u in c.urns]
        assert not set(urns) & set(seen)
        seen += urns
    back = search_service.search_page(recruiter=recruiter, cursor=page.prev_cursor)
    again = search_service.search_page(recruiter=recruiter, cursor=back.next_cursor)
    assert [c.key for c in again.cards] == [c.key for c in page.cards]


def test_next_page_from_buffer_makes_no_site_call(both_sites, recruiter):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    set_faults("hh", error_rate=1.0, error_status=503)
    set_faults("superjob", error_rate=1.0, error_status=503)
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    assert statuses(second) == {"hh": "ok", "sj": "ok"}  # buffers served it
    assert second.cards


def test_expired_hh_token_is_refreshed_once_and_search_goes_on(both_sites, recruiter):
    past = timezone.now() - timedelta(minutes=1)
    OAuthToken.objects.filter(system="hh").update(expires_at=past)
    Token.objects.filter(job_site="hh").update(valid_until=past)
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(result)["hh"] == "ok"
    assert OAuthToken.objects.filter(system="hh").count() == 2
    token = Token.objects.get(job_site="hh")
    assert token.access_token == OAuthToken.objects.filter(system="hh").latest("pk").access_token
    assert token.valid_until > timezone.now()


def test_token_expired_at_the_site_before_our_clock_is_refreshed(both_sites, recruiter):
    OAuthToken.objects.filter(system="hh").update(expires_at=timezone.now() - timedelta(seconds=1))
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(result)["hh"] == "ok"
    assert OAuthToken.objects.filter(system="hh").count() == 2


def test_revoked_token_marks_reconnect_and_other_site_still_answers(
    both_sites, recruiter, recruiter_client
):
    OAuthToken.objects.filter(system="hh").update(revoked=True)
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(result) == {"hh": "reconnect", "sj": "ok"}
    assert Token.objects.get(job_site="hh").status == Token.Status.RECONNECT
    assert result.cards
    page = recruiter_client.get("/recruiting/sites/").content.decode()
    assert "reconnect" in page.lower() or "переподключ" in page.lower()


def test_rejected_refresh_marks_reconnect(both_sites, recruiter):
    past = timezone.now() - timedelta(minutes=1)
    OAuthToken.objects.filter(system="hh").update(expires_at=past, refreshed=True)
    Token.objects.filter(job_site="hh").update(valid_until=past)
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(result)["hh"] == "reconnect"
    assert Token.objects.get(job_site="hh").status == Token.Status.RECONNECT


def test_site_down_shows_retry_hint_and_others_results(both_sites, recruiter):
    set_faults("superjob", error_rate=1.0, error_status=503)
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    status = {s.site.value: s for s in result.statuses}
    assert status["sj"].state == "failed" and status["hh"].state == "ok"
    assert (
        "try again" in status["sj"].message.lower() or "попробуйте" in status["sj"].message.lower()
    )
    assert result.cards


def test_site_answering_garbage_fails_alone(both_sites, recruiter):
    set_faults("hh", malformed_rate=1.0)
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(result) == {"hh": "failed", "sj": "ok"}


def test_permission_error_uses_the_access_message(both_sites, recruiter):
    set_faults("hh", error_rate=1.0, error_status=403)
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    status = {s.site.value: s for s in result.statuses}["hh"]
    assert status.state == "denied"
    assert status.message in (
        "Ошибка доступа. Убедитесь, что у вас разрешён доступ к работному сайту hh.ru на вкладке с доступами",
        "Access error. Make sure access to the job site hh.ru is allowed on the access tab",
    )


def test_slow_site_never_holds_the_page_past_the_deadline(both_sites, recruiter, settings):
    settings.JOBSITE_SEARCH_DEADLINE = 1.0
    set_faults("hh", latency_ms=2500)
    started = time.monotonic()
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert time.monotonic() - started < 1.0 + 0.5
    assert statuses(result) == {"hh": "timeout", "sj": "ok"}
    set_faults("hh", latency_ms=0)
    time.sleep(2)  # let the abandoned call finish before the live server stops


def test_depth_limits_end_each_stream_quietly(both_sites, recruiter, settings):
    settings.JOBSITE_SEARCH_PAGE_SIZE = 100
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    counts = {"hh": 0, "sj": 0}
    pages = 0
    while True:
        for card in result.cards:
            for urn in card.urns:
                counts[urn.split(":")[1]] += 1
        pages += 1
        if not result.next_cursor:
            break
        result = search_service.search_page(recruiter=recruiter, cursor=result.next_cursor)
    assert counts == {"hh": 2000, "sj": 500}
    status = {s.site.value: s for s in result.statuses}
    assert status["hh"].state == status["sj"].state == "ok"
    assert status["hh"].depth_limited and status["sj"].depth_limited


def test_results_with_open_contacts_are_stored_for_the_organization(both_sites, recruiter):
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    opened = {
        r.urn
        for c in result.cards
        for r in c.resumes
        if r.contacts and (r.contacts.phones or r.contacts.emails)
    }
    stored = set(
        Resume.objects.for_organization(recruiter.organization).values_list("urn", flat=True)
    )
    assert opened and opened <= stored
    assert not any(u.startswith("urn:hh:") for u in stored)  # hh search items carry no contacts
    sj = Resume.objects.filter(urn__startswith="urn:sj:").first()
    assert sj is not None and sj.contact_data["phones"]


def test_cursor_of_another_recruiter_is_invalid(
    both_sites, recruiter, django_user_model, organization
):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    other = django_user_model.objects.create_user(
        "boris", password="x-12345-y", organization=organization
    )
    with pytest.raises(errors.InvalidArgument):
        search_service.search_page(recruiter=other, cursor=first.next_cursor)


def test_split_keeps_two_resumes_apart_for_that_recruiter(both_sites, recruiter):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    merged = next(c for c in first.cards if len(c.resumes) == 2)
    search_service.merge_split_create(recruiter=recruiter, urns=list(merged.urns))
    again = search_service.search_page(recruiter=recruiter, cursor=first.cursor)
    keys = {c.key for c in again.cards}
    assert merged.key not in keys
    assert set(merged.urns) <= {u for c in again.cards for u in c.urns}


def test_no_connected_site_fails_precondition(emulators, recruiter):
    with pytest.raises(errors.FailedPrecondition):
        search_service.search_start(recruiter=recruiter, query=QUERY)


def hh_cards(result, *, opened: bool) -> list:
    return [
        r
        for c in result.cards
        for r in c.resumes
        if r.site == JobSite.HH and r.contacts_open == opened
    ]


def test_search_never_overwrites_opened_contacts_with_the_short_item(both_sites, recruiter):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    urn = next(r.urn for r in hh_cards(first, opened=False) if not r.hidden_fields)
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert opened.phones
    again = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert urn in {r.urn for r in hh_cards(again, opened=True)}  # the item now has the name
    row = Resume.objects.get(urn=urn)
    assert row.contact_data["phones"] == list(opened.phones)
    assert row.resume["contact"] and row.resume["skill_set"]  # still the full resume


def test_search_item_without_contact_data_is_not_known_and_opening_fetches_it(
    both_sites, recruiter
):
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    named = [r.urn for r in hh_cards(result, opened=True) if not r.hidden_fields]
    assert named
    assert contacts_known(organization_id=recruiter.organization_id, urns=named) == {}
    opened = contacts_open(recruiter=recruiter, urn=named[0])
    assert opened.phones and opened.emails  # read from the site: free, already paid


def test_stored_name_without_contacts_is_completed_from_the_site(both_sites, recruiter):
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    urn = next(r.urn for r in hh_cards(result, opened=True) if not r.hidden_fields)
    Resume.objects.update_or_create(  # as an older search stored it
        organization=recruiter.organization,
        urn=urn,
        defaults={"contacts": json.dumps({"name": "Имя"})},
    )
    assert contacts_known(organization_id=recruiter.organization_id, urns=[urn]) == {}
    opened = contacts_open(recruiter=recruiter, urn=urn)
    assert opened.phones and opened.emails
    assert Resume.objects.get(urn=urn).contact_data["phones"] == list(opened.phones)


def test_site_disconnected_mid_search_ends_its_stream(both_sites, recruiter, settings):
    settings.JOBSITE_SEARCH_PAGE_SIZE = 100
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    Token.objects.filter(job_site="hh").delete()
    pages = 0
    while result.next_cursor and pages < 20:
        result = search_service.search_page(recruiter=recruiter, cursor=result.next_cursor)
        pages += 1
        assert result.cards or not result.next_cursor  # never an empty page with a "Next"
    assert result.next_cursor is None
    assert statuses(result)["hh"] == "reconnect"


def test_cards_whose_contacts_the_organization_has_rank_as_open_and_free(both_sites, recruiter):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    closed = [c for c in first.cards if not c.contacts_open]
    from_crm, opened_before = closed[-1], closed[-2]
    KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn=from_crm.urns[0],
        source="amocrm",
        contacts={"name": "Петров Пётр", "phones": ["+79990001122"]},
    )
    Resume.objects.create(
        organization=recruiter.organization,
        urn=opened_before.urns[0],
        contacts=json.dumps({"name": "Иванов Иван", "emails": ["ivanov@example.com"]}),
    )
    again = search_service.search_page(recruiter=recruiter, cursor=first.cursor)
    flags = [c.contacts_open for c in again.cards]
    assert flags == sorted(flags, reverse=True)  # open (and free) cards first
    shown = {c.key: c for c in again.cards}
    assert shown[from_crm.key].contacts_open and shown[opened_before.key].contacts_open
    assert ranking.contact_cost(shown[from_crm.key], {JobSite.HH: 2, JobSite.SUPERJOB: 1}) == 0


def test_token_renewal_never_holds_the_page_past_the_deadline(both_sites, recruiter, settings):
    settings.JOBSITE_SEARCH_DEADLINE = 1.0
    past = timezone.now() - timedelta(minutes=1)
    # hh's token is due, and another process holds the refresh lease for 30 s.
    Token.objects.filter(job_site="hh").update(
        valid_until=past, refreshing_until=timezone.now() + timedelta(seconds=30)
    )
    started = time.monotonic()
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert time.monotonic() - started < 1.0 + 0.5
    assert statuses(first) == {"hh": "timeout", "sj": "ok"}
    started = time.monotonic()
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    assert time.monotonic() - started < 1.0 + 0.5
    assert statuses(second)["sj"] == "ok"


def test_slow_token_endpoint_never_holds_the_page_past_the_deadline(
    both_sites, recruiter, settings
):
    settings.JOBSITE_SEARCH_DEADLINE = 1.0
    past = timezone.now() - timedelta(minutes=1)
    OAuthToken.objects.filter(system="hh").update(expires_at=past)
    Token.objects.filter(job_site="hh").update(valid_until=past)
    set_faults("hh", latency_ms=2500)
    started = time.monotonic()
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert time.monotonic() - started < 1.0 + 0.5
    assert statuses(result) == {"hh": "timeout", "sj": "ok"}
    set_faults("hh", latency_ms=0)
    time.sleep(3)  # let the abandoned call finish before the live server stops


def test_refresh_answered_after_the_deadline_is_kept_and_the_next_search_uses_it(
    both_sites, recruiter, settings
):
    settings.JOBSITE_SEARCH_DEADLINE = 1.0
    past = timezone.now() - timedelta(minutes=1)
    OAuthToken.objects.filter(system="hh").update(expires_at=past)
    Token.objects.filter(job_site="hh").update(valid_until=past)
    set_faults("hh-token", latency_ms=2000)  # hh's token endpoint alone is slow
    started = time.monotonic()
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert time.monotonic() - started < 1.0 + 0.5  # the page stopped waiting
    assert statuses(first) == {"hh": "timeout", "sj": "ok"}
    # hh answered after the deadline and spent the old refresh token: the
    # refresh still completes in its thread and stores the new pair.
    assert wait_for(lambda: Token.objects.get(job_site="hh").valid_until > timezone.now())
    set_faults("hh-token", latency_ms=0)
    second = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(second) == {"hh": "ok", "sj": "ok"}
    token = Token.objects.get(job_site="hh")
    assert token.status == Token.Status.ACTIVE
    assert OAuthToken.objects.filter(system="hh").count() == 2  # refreshed exactly once
    assert token.access_token == OAuthToken.objects.filter(system="hh").latest("pk").access_token


def test_slow_site_on_a_later_page_does_not_time_out_the_other(both_sites, recruiter, settings):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    session = SearchSession.objects.get(recruiter=recruiter)
    # Both buffers ran out: page 2 must ask both sites.
    session.buffers = [{"cards": [], "strong": []} for _ in session.state["streams"]]
    session.save(update_fields=["buffers"])
    settings.JOBSITE_SEARCH_DEADLINE = 1.0
    set_faults("hh", latency_ms=2500)
    started = time.monotonic()
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    assert time.monotonic() - started < 1.0 + 0.5
    assert statuses(second) == {"hh": "timeout", "sj": "ok"}
    assert {u.split(":")[1] for c in second.cards for u in c.urns} == {"sj"}
    set_faults("hh", latency_ms=0)
    time.sleep(2)  # let the abandoned call finish before the live server stops


def test_every_site_failing_is_an_error_with_no_next_page(both_sites, recruiter):
    set_faults("hh", error_rate=1.0, error_status=503)
    set_faults("superjob", error_rate=1.0, error_status=503)
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(result) == {"hh": "failed", "sj": "failed"}
    assert result.every_site_failed and not result.cards
    assert result.next_cursor is None


def test_each_site_status_carries_its_answer_time_and_a_buffer_page_none(both_sites, recruiter):
    set_faults("hh", latency_ms=300)
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    times = {s.site.value: s.elapsed_ms for s in first.statuses}
    assert times["hh"] >= 300 and 0 <= times["sj"] < times["hh"]
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    if all(s.elapsed_ms is None for s in second.statuses):  # served from the buffers
        return
    assert all(s.elapsed_ms is None or s.elapsed_ms >= 0 for s in second.statuses)


@pytest.mark.parametrize("order", [Order.UPDATED, Order.SALARY])
def test_date_and_salary_orders_hold_strictly_across_pages(both_sites, recruiter, order):
    from recruiting.ranking import salary_rub

    first = search_service.search_start(
        recruiter=recruiter, query=SearchQuery(text="разработчик", order=order)
    )
    pages = [first]
    for _ in range(2):
        pages.append(search_service.search_page(recruiter=recruiter, cursor=pages[-1].next_cursor))
    rates = first.rates
    keys = []
    for page in pages:
        for card in page.cards:
            # A merged card stands where its first resume came in the stream,
            # the newest / best paid of its resumes (its twins came later).
            if order is Order.UPDATED:
                keys.append(-max(r.updated_at for r in card.resumes).timestamp())
            else:
                rubs = [x for r in card.resumes if (x := salary_rub(r, rates)) is not None]
                keys.append((not rubs, -max(rubs, default=0.0)))
    assert keys == sorted(keys)


def test_merge_dates_birth_dates_by_the_injected_today(both_sites, recruiter):
    """A site's birth date against the other's stated age: the caller's today
    decides (here, 60 years on, no pair matches any more)."""
    today = timezone.localdate()
    later = today + timedelta(days=60 * 365)

    def merged(result) -> int:
        return sum(len(card.resumes) == 2 for card in result.cards)

    first = search_service.search_start(recruiter=recruiter, query=QUERY, today=today)
    assert merged(first) > 0
    assert merged(search_service.search_start(recruiter=recruiter, query=QUERY, today=later)) == 0
    again = search_service.search_page(recruiter=recruiter, cursor=first.cursor, today=later)
    assert merged(again) == 0
