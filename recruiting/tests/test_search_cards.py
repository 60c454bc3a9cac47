"""What a results card shows: the application of any of its resumes by one
rule, its status in words, and each detail from whichever resume has it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from recruiting.adapters.base import JobSite, Money, Order, ResumeCard, SearchQuery
from recruiting.merge import MergedCard
from recruiting.selectors.applications import ApplicationInfo, card_application
from recruiting.services.search import SearchResult, SiteStatus

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
HH, SJ = "urn:hh:abc123", "urn:sj:777"


def resume(site: JobSite, resume_id: str, **fields) -> ResumeCard:
    return ResumeCard(site=site, resume_id=resume_id, updated_at=NOW, **{"title": "", **fields})


def application(
    urn: str, status: str, *, minutes_ago: int = 0, who: str = "Анна"
) -> ApplicationInfo:
    return ApplicationInfo(
        resume_urn=urn,
        subsystem="amocrm",
        subsystem_label="amoCRM",
        application_id=f"{urn}-{status}",
        status=status,
        status_label={"open": "Новая", "pending": "создаётся", "closed": "Закрыта"}[status],
        recruiter=who,
        is_deleted_externally=False,
        created_at=NOW - timedelta(minutes=minutes_ago),
    )


def result_of(cards: list[MergedCard], applications: dict[str, ApplicationInfo]) -> SearchResult:
    return SearchResult(
        query=SearchQuery(text="python", order=Order.RELEVANCE),
        cards=cards,
        statuses=[
            SiteStatus(JobSite.HH, "ok", found=1),
            SiteStatus(JobSite.SUPERJOB, "ok", found=1),
        ],
        page=0,
        next_cursor=None,
        prev_cursor=None,
        cursor="c",
        applications=applications,
    )


def rendered(result: SearchResult) -> str:
    return render_to_string(
        "recruiting/_results.html", {"result": result}, request=RequestFactory().get("/")
    )


def status_text(html: str) -> str:
    mark = re.search(r'<mark class="application-status"[^>]*>(.*?)</mark>', html, re.S)
    assert mark, html
    return mark.group(1)


# --- which application a card shows ------------------------------------------------


def test_open_application_of_a_sibling_resume_wins_over_a_closed_first_one():
    closed, opened = application(HH, "closed"), application(SJ, "open", minutes_ago=60)
    assert card_application({HH: closed, SJ: opened}, [HH, SJ]) == opened


def test_most_recent_closed_application_is_shown_when_none_is_active():
    old, recent = application(HH, "closed", minutes_ago=90), application(SJ, "closed")
    assert card_application({HH: old, SJ: recent}, [HH, SJ]) == recent
    assert card_application({}, [HH, SJ]) is None


def test_results_card_shows_the_open_application_of_its_second_resume():
    card = MergedCard((resume(JobSite.HH, "abc123"), resume(JobSite.SUPERJOB, "777")))
    result = result_of(
        [card], {HH: application(HH, "closed", who="Борис"), SJ: application(SJ, "open")}
    )
    assert result.items() == [(card, result.applications[SJ])]
    text = status_text(rendered(result))
    assert "Новая" in text and "Анна" in text and "Борис" not in text
    assert text.startswith(("в работе:", "in work:"))


def test_closed_application_is_not_labelled_in_work():
    card = MergedCard((resume(JobSite.HH, "abc123"),))
    text = status_text(rendered(result_of([card], {HH: application(HH, "closed")})))
    assert "Закрыта" in text
    assert not text.startswith(("в работе:", "in work:"))


# --- the card's details from whichever resume has them -----------------------------


def test_merged_card_shows_details_only_the_second_site_has():
    hh = resume(JobSite.HH, "abc123", title="Python-разработчик")
    sj = resume(
        JobSite.SUPERJOB,
        "777",
        title="Программист",
        age=31,
        city="Казань",
        salary=Money(150000, "RUB"),
    )
    html = rendered(result_of([MergedCard((hh, sj))], {}))
    header = html.split('<ul class="card-sites">')[0]
    assert "150000 RUB" in header and "Казань" in header and "31" in header
    assert "Python-разработчик" in header  # the first resume's title still leads


@pytest.mark.parametrize("field", ["title", "age", "city", "salary"])
def test_card_detail_is_the_first_non_empty_across_resumes(field):
    values = {"title": "Аналитик", "age": 40, "city": "Пермь", "salary": Money(90000, "RUB")}
    hh = resume(JobSite.HH, "abc123")
    sj = resume(JobSite.SUPERJOB, "777", **{field: values[field]})
    assert getattr(MergedCard((hh, sj)), field) == values[field]
