"""The pager stored between pages (its buffers apart, written back as read
until a fetch changes them) serves the very pages it serves when kept in
memory, sites that repeat a resume on a later page included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core import jsontext
from recruiting.adapters.base import JobSite, Order, ResumeCard, SearchPage
from recruiting.paging import Pager, Stream

BASE = datetime(2026, 5, 1, tzinfo=UTC)


class RepeatingSite:
    """`total` resumes, `per_page` a page, each page opening with the last
    `repeat` resumes of the page before (a site's result list shifting)."""

    def __init__(self, site: JobSite, total: int, per_page: int, repeat: int) -> None:
        self.site, self.total, self.per_page, self.repeat = site, total, per_page, repeat

    def fetch(self, page: int) -> SearchPage:
        start = max(0, page * self.per_page - (self.repeat if page else 0))
        ids = range(start, min(self.total, (page + 1) * self.per_page))
        cards = tuple(
            ResumeCard(self.site, str(i), "x", BASE - timedelta(minutes=i * 7 % 50), rank=i)
            for i in ids
        )
        return SearchPage(cards, self.total, (page + 1) * self.per_page < self.total)


def pages_served(sites, order: Order, size: int, stored: bool) -> list[list[str]]:
    pager = Pager(streams=[Stream(site) for site in sites], order=order, rates={})
    pages = []
    for _ in range(500):
        if not pager.has_more:
            break
        page = pager.next_page(size, lambda site, number: sites[site].fetch(number))
        pages.append([card.urn for card in page])
        if stored:
            pager = Pager.from_dict(jsontext.loads(jsontext.dumps(pager.to_dict())))
    return pages


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(1, 15),
    st.integers(0, 5),
    st.integers(1, 12),
    st.sampled_from(list(Order)),
)
def test_pages_are_the_same_whether_the_state_is_stored_between_them(
    hh_total, sj_total, per_page, repeat, size, order
):
    def sites():
        return {
            JobSite.HH: RepeatingSite(JobSite.HH, hh_total, per_page, repeat),
            JobSite.SUPERJOB: RepeatingSite(JobSite.SUPERJOB, sj_total, per_page + 1, repeat),
        }

    kept = pages_served(sites(), order, size, stored=False)
    assert pages_served(sites(), order, size, stored=True) == kept
    served = [urn for page in kept for urn in page]
    assert len(served) == len(set(served)) == hh_total + sj_total
