"""amoCRM adapter at the transport level, with payloads shaped like the API's."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from core import errors
from core.tests.clock import ManualClock
from recruiting.adapters.amocrm import AmoCrmClient, RateLimiter
from recruiting.adapters.subsystem_base import Candidate, CreateParams

BASE = "https://acme.amocrm.ru"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "amocrm"
CANDIDATE = Candidate(
    urn="urn:hh:abc123",
    full_name="Иванов Иван",
    resume_url="https://hh.ru/resume/abc123",
    title="Python dev",
    phones=("+79991234567",),
    emails=("ivan@example.com",),
)


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def make(**kwargs) -> tuple[AmoCrmClient, list[float]]:
    slept: list[float] = []
    kwargs.setdefault("rate_limit", 1000.0)
    return AmoCrmClient(base_url=BASE, token="tok", sleep=slept.append, **kwargs), slept


@responses.activate
def test_pipelines_are_parsed_and_system_stages_marked_closed():
    responses.get(f"{BASE}/api/v4/leads/pipelines", json=fixture("pipelines.json"))
    client, _ = make()
    [pipeline] = client.pipelines()
    assert pipeline.id == 6950551 and pipeline.is_main
    assert [s.id for s in pipeline.stages if s.is_closed] == [142, 143]
    assert responses.calls[0].request.headers["Authorization"] == "Bearer tok"


@responses.activate
def test_create_sends_one_lead_array_with_contact_marker_tag_and_resume_link():
    responses.post(f"{BASE}/api/v4/leads/complex", json=fixture("complex_created.json"))
    client, _ = make(link_field_id=1278898021)
    created = client.create(
        candidate=CANDIDATE, params=CreateParams(pipeline_id=1, status_id=2), marker="recruiting-x"
    )
    assert created.id == "9774766" and created.contact_ids == (12117258,)
    [lead] = json.loads(responses.calls[0].request.body)
    assert lead["name"] == "Кандидат: Иванов Иван — Python dev"
    assert (lead["pipeline_id"], lead["status_id"]) == (1, 2)
    assert {"name": "recruiting-x"} in lead["_embedded"]["tags"]
    assert lead["custom_fields_values"][0]["values"][0]["value"] == CANDIDATE.resume_url
    [contact] = lead["_embedded"]["contacts"]
    assert (contact["first_name"], contact["last_name"]) == ("Иван", "Иванов")
    codes = {f["field_code"]: f["values"][0]["value"] for f in contact["custom_fields_values"]}
    assert codes == {"PHONE": "+79991234567", "EMAIL": "ivan@example.com"}


@responses.activate
def test_create_sends_phones_in_e164_one_per_number_and_keeps_an_invalid_one():
    responses.post(f"{BASE}/api/v4/leads/complex", json=fixture("complex_created.json"))
    client, _ = make()
    written = ("8 (916) 123-45-67", "+7 916 1234567", "+7 (123) 456-78-90")
    candidate = dataclasses.replace(CANDIDATE, phones=written)
    client.create(candidate=candidate, params=CreateParams(), marker="m")
    [lead] = json.loads(responses.calls[0].request.body)
    [contact] = lead["_embedded"]["contacts"]
    [phones] = [f for f in contact["custom_fields_values"] if f["field_code"] == "PHONE"]
    assert [v["value"] for v in phones["values"]] == ["+79161234567", "+7 (123) 456-78-90"]


@responses.activate
def test_create_is_never_retried_because_it_is_not_idempotent():
    responses.post(f"{BASE}/api/v4/leads/complex", status=503)
    client, _ = make()
    with pytest.raises(errors.Unavailable):
        client.create(candidate=CANDIDATE, params=CreateParams(), marker="m")
    assert len(responses.calls) == 1


@responses.activate
def test_validation_error_carries_the_vendor_detail():
    responses.post(
        f"{BASE}/api/v4/leads/complex", status=400, json=fixture("validation_error.json")
    )
    client, _ = make()
    with pytest.raises(errors.InvalidArgument) as exc:
        client.create(candidate=CANDIDATE, params=CreateParams(), marker="m")
    assert "custom_fields_values.0.field_id" in exc.value.message


@responses.activate
def test_statuses_read_a_batch_by_repeated_filter_ids_and_map_142_to_closed():
    responses.get(f"{BASE}/api/v4/leads", json=fixture("leads.json"))
    client, _ = make()
    found = client.statuses(ids=["17657", "17658", "99"])
    query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert query["filter[id][]"] == ["17657", "17658", "99"] and query["limit"] == ["250"]
    assert found["17657"].is_closed and found["17657"].status == "6950551:142"
    assert not found["17658"].is_closed and found["17658"].status == "6950551:58141807"
    assert found["17657"].contact_ids == (583338,)
    assert "99" not in found


@responses.activate
def test_empty_204_answer_means_nothing_found():
    responses.get(f"{BASE}/api/v4/leads", status=204, body="")
    client, _ = make()
    assert client.statuses(ids=["1"]) == {}
    assert client.find(marker="recruiting-zzz") is None


def test_more_than_250_ids_per_batch_is_refused_before_any_call():
    client, _ = make()
    with pytest.raises(errors.InvalidArgument):
        client.statuses(ids=[str(i) for i in range(251)])


@responses.activate
def test_find_trusts_only_a_lead_whose_tags_carry_the_marker():
    responses.get(f"{BASE}/api/v4/leads", json=fixture("leads.json"))
    client, _ = make()
    assert client.find(marker="recruiting-bbb").id == "17658"
    assert client.find(marker="recruiting-b") is None  # a fuzzy match is not ours


@responses.activate
def test_429_is_retried_after_retry_after_then_succeeds():
    responses.get(
        f"{BASE}/api/v4/leads", status=429, body="Too Many Requests", headers={"Retry-After": "1"}
    )
    responses.get(f"{BASE}/api/v4/leads", json=fixture("leads.json"))
    client, slept = make()
    assert len(client.statuses(ids=["17657"])) == 1
    assert slept == [1.0]


@responses.activate
def test_429_storm_ends_in_resource_exhausted():
    responses.get(f"{BASE}/api/v4/leads", status=429, body="Too Many Requests")
    client, slept = make(max_retries=2)
    with pytest.raises(errors.ResourceExhausted):
        client.statuses(ids=["1"])
    assert len(responses.calls) == 3


@responses.activate
def test_401_is_unauthenticated():
    responses.get(
        f"{BASE}/api/v4/leads/pipelines", status=401, json={"title": "Unauthorized", "status": 401}
    )
    client, _ = make()
    with pytest.raises(errors.Unauthenticated):
        client.pipelines()


@responses.activate
def test_malformed_leads_body_is_invalid_response():
    responses.get(f"{BASE}/api/v4/leads", json={"_embedded": {"leads": [{"id": "x"}]}})
    client, _ = make()
    with pytest.raises(errors.InvalidResponse):
        client.statuses(ids=["1"])


@responses.activate
def test_contacts_give_phones_and_emails():
    responses.get(f"{BASE}/api/v4/contacts", json=fixture("contacts.json"))
    client, _ = make()
    [card] = client.contacts(ids=[583338])
    assert (card.name, card.phones, card.emails) == (
        "Иван Иванов",
        ("+79991234567",),
        ("ivan@example.com",),
    )


@responses.activate
def test_a_contact_without_a_name_has_name_none_not_empty():
    body = fixture("contacts.json")
    for contact in body["_embedded"]["contacts"]:
        contact |= {"name": "", "first_name": None, "last_name": ""}
    responses.get(f"{BASE}/api/v4/contacts", json=body)
    client, _ = make()
    [card] = client.contacts(ids=[583338])
    assert card.name is None and card.phones == ("+79991234567",)


@responses.activate
def test_refresh_posts_refresh_grant_and_returns_the_new_pair():
    responses.post(f"{BASE}/oauth2/access_token", json=fixture("token.json"))
    client, _ = make()
    grant = client.refresh(
        client_id="c", client_secret="s", refresh_token="old", redirect_uri="https://x/cb"
    )
    assert grant.refresh_token == "def50200new" and grant.expires_in == 86400
    assert json.loads(responses.calls[0].request.body)["grant_type"] == "refresh_token"


def test_rate_limiter_spaces_requests_to_the_rate():
    limiter = RateLimiter(rate=50.0, key="spacing", cache=LocMemCache("spacing", {}))
    started = time.monotonic()
    for _ in range(11):
        limiter.acquire()
    # Slots of 1.1 / 49 s; the first may start at once, late in its slot.
    assert time.monotonic() - started >= 9 * 1.1 / 49


def busiest(stamps: list[float], window: float) -> int:
    """The most requests that started within any `window` seconds."""
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t < start + window) for i, start in enumerate(stamps))


def hammer(limiters: list[RateLimiter], requests_each: int) -> list[float]:
    """Threads over several limiters (as if several processes) take slots."""
    stamps: list[float] = []

    def worker(limiter: RateLimiter) -> None:
        for _ in range(requests_each):
            limiter.acquire()
            stamps.append(time.time())

    threads = [threading.Thread(target=worker, args=(lim,)) for lim in limiters for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stamps


def test_limiters_sharing_a_cache_share_the_rate():
    """Two limiters of one account that share a cache (two processes on one
    Redis) never exceed the rate together in any one second."""
    shared = LocMemCache("shared", {})
    limiters = [RateLimiter(rate=10.0, key="acme", cache=shared) for _ in range(2)]
    stamps = hammer(limiters, requests_each=3)
    assert len(stamps) == 18 and busiest(stamps, window=1.1) <= 10


def test_limiters_share_the_rate_through_redis():
    try:
        redis = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": f"t{time.time_ns()}"})
        redis.get("ping")
    except Exception:  # noqa: BLE001 - no Redis on this machine
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    limiters = [RateLimiter(rate=10.0, key="acme", cache=redis) for _ in range(2)]
    stamps = hammer(limiters, requests_each=3)
    assert len(stamps) == 18 and busiest(stamps, window=1.1) <= 10


class SlowCache(LocMemCache):
    """A cache whose first claims come back `delays` seconds later (a busy
    Redis, or the thread kept waiting for a core); `claimed` lists the slots
    taken."""

    def __init__(self, clock: ManualClock, delays: list[float]) -> None:
        super().__init__("slow", {})
        self.clock, self.delays, self.claimed = clock, delays, []

    def add(self, key, *args, **kwargs):
        added = super().add(key, *args, **kwargs)
        if added:
            self.claimed.append(int(key.rsplit(":", 1)[1]))
        if self.delays:
            self.clock.advance(self.delays.pop(0))
        return added


def test_a_slot_over_by_the_time_its_claim_came_back_is_not_used():
    """Sent at once, it would go out together with the next slot's request:
    under load, 13 requests went out within 1.1 s at a rate of 10."""
    clock = ManualClock(wall=datetime.fromtimestamp(1_000_000.0, UTC), mono=0.0)
    cache = SlowCache(clock, [0.5])
    limiter = RateLimiter(rate=10.0, key="slow", cache=cache, clock=clock)
    limiter.acquire()
    sent_in = int(clock.now().timestamp() / limiter.interval)
    assert cache.claimed[-1] == sent_in  # sent within the slot it holds
    assert len(cache.claimed) == 2  # the slot that was over stays taken: nobody sends in it


def test_limiter_with_a_full_queue_is_resource_exhausted():
    cache = LocMemCache("full", {})
    limiter = RateLimiter(rate=7.0, key="full", cache=cache)
    limiter.LOOKAHEAD = 3
    first = int(time.time() / limiter.interval)
    for slot in range(first, first + 5):
        cache.add(f"{limiter.prefix}:{slot}", 1, timeout=30)
    with pytest.raises(errors.ResourceExhausted):
        limiter.acquire()


def test_limiter_fails_fast_with_retry_after_when_no_slot_comes_before_the_deadline():
    cache = LocMemCache("deadline", {})
    now = 1_000_000.0
    clock = ManualClock(wall=datetime.fromtimestamp(now, UTC), mono=0.0)
    slept = clock.slept
    limiter = RateLimiter(rate=7.0, key="deadline", cache=cache, clock=clock)
    first = int(now / limiter.interval)
    for slot in range(first, first + 20):  # the next free slot is 20 slots (~3.7 s) away
        cache.add(f"{limiter.prefix}:{slot}", 1, timeout=30)
    with pytest.raises(errors.Unavailable) as raised:
        limiter.acquire(deadline=1.0)
    assert raised.value.details["retry_after"] >= 1  # no sooner than the deadline
    assert slept == []  # never slept toward the deadline
    assert cache.get(f"{limiter.prefix}:{first + 20}") is None  # no slot wasted
    limiter.acquire(deadline=10.0)  # a caller that can wait gets that slot
    assert cache.get(f"{limiter.prefix}:{first + 20}") == 1 and len(slept) == 1


@responses.activate
def test_interactive_client_gives_up_on_the_rate_limit_after_its_wait():
    client = AmoCrmClient(base_url="https://busy.amocrm.test", token="t", rate_wait=0.5)
    limiter = client.session.get_adapter("https://busy.amocrm.test").limiter
    first = int(time.time() / limiter.interval)
    for slot in range(first, first + 40):
        limiter.cache.add(f"{limiter.prefix}:{slot}", 1, timeout=30)
    started = time.monotonic()
    with pytest.raises(errors.Unavailable):
        client.pipelines()
    assert time.monotonic() - started < 0.5
    assert len(responses.calls) == 0
