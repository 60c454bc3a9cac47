"""What a results card shows: the application of any of its resumes by one
rule, its status in words, and each detail from whichever resume has it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

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
    assert result.items() == [(card, result.applications[SJ], None)]
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
    assert "150\xa0000 RUB" in header and "Казань" in header and "31" in header
    assert "Python-разработчик" in header  # the first resume's title still leads


@pytest.mark.parametrize("field", ["title", "age", "city", "salary"])
def test_card_detail_is_the_first_non_empty_across_resumes(field):
    values = {"title": "Аналитик", "age": 40, "city": "Пермь", "salary": Money(90000, "RUB")}
    hh = resume(JobSite.HH, "abc123")
    sj = resume(JobSite.SUPERJOB, "777", **{field: values[field]})
    assert getattr(MergedCard((hh, sj)), field) == values[field]


def test_foreign_salary_shows_its_rouble_equivalent_at_the_ranking_rates():
    usd = resume(JobSite.HH, "abc123", salary=Money(3640, "USD"))
    result = replace(result_of([MergedCard((usd,))], {}), rates={"USD": 90.66})
    with translation.override("ru"):
        html = rendered(result)
    salary = re.search(r'<span class="card-salary">(.*?)</span>', html).group(1)
    assert salary == "3\xa0640 USD ≈ 330\xa0002 ₽"


def test_rouble_salary_and_unknown_rate_show_no_equivalent():
    rub = resume(JobSite.HH, "1", salary=Money(150000, "RUB"))
    kzt = resume(JobSite.SUPERJOB, "2", salary=Money(500000, "KZT"))
    result = replace(result_of([MergedCard((rub,)), MergedCard((kzt,))], {}), rates={})
    assert [rub_ for _card, _app, rub_ in result.items()] == [None, None]
    assert "≈" not in rendered(result)


def test_every_site_failing_shows_an_error_not_nothing_found():
    failed = [
        SiteStatus(JobSite.HH, "failed", message="hh.ru is down"),
        SiteStatus(JobSite.SUPERJOB, "timeout", message="SuperJob is slow"),
    ]
    result = replace(result_of([], {}), statuses=failed)
    html = rendered(result)
    assert 'id="every-site-failed"' in html and 'id="next-page"' not in html
    with translation.override("en"):
        assert "Nothing found." not in rendered(result)


def test_site_status_line_shows_the_answer_time():
    statuses = [
        SiteStatus(JobSite.HH, "ok", found=3, elapsed_ms=412),
        SiteStatus(JobSite.SUPERJOB, "ok", found=1),
    ]
    with translation.override("en"):
        html = rendered(replace(result_of([], {}), statuses=statuses))
    hh, sj = re.findall(r'<li class="site-status.*?</li>', html, flags=re.S)
    assert "answered in 412 ms" in hh and "answered in" not in sj
