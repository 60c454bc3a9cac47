"""Pre-generated search pages for load benchmarks (sandbox/memo.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.emulators import oauth
from sandbox.faults import set_faults
from sandbox.memo import memo_clear
from sandbox.models import ResumeEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_memo():
    memo_clear()
    yield
    memo_clear()


@pytest.fixture
def search(client, settings):
    token = oauth.issue("superjob", timedelta(hours=1)).access_token

    def get(**params):
        return client.get(
            "/sandbox/superjob/2.0/resumes/",
            {"keyword": "разработчик", "count": 20, **params},
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_X_API_APP_ID=settings.SUPERJOB_CLIENT_SECRET,
        )

    return get


def bought(answer) -> set[str]:
    return {str(o["id"]) for o in answer.json()["objects"] if o["contacts_bought"]}


def buy_all(answer) -> None:
    for o in answer.json()["objects"]:
        ResumeEvent.objects.create(
            system="superjob", kind=ResumeEvent.Kind.CONTACT, resume_id=str(o["id"])
        )


def test_search_answers_are_generated_afresh_by_default(search):
    first = search()
    buy_all(first)
    assert bought(search()) - bought(first)  # the purchase shows at once


def test_with_the_bench_setting_a_request_is_answered_as_first_generated(search, settings):
    settings.SANDBOX_MEMO_SEARCH = True
    first = search()
    buy_all(first)
    again = search()
    assert again.content == first.content  # frozen: generated once
    assert search(page=1).content != first.content  # another request, its own answer


def test_memoized_answers_still_get_the_fault_frame(search, settings):
    settings.SANDBOX_MEMO_SEARCH = True
    assert search().status_code == 200
    set_faults("superjob", error_rate=1.0, error_status=503)
    assert search().status_code == 503
