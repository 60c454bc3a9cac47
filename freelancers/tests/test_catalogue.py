"""The public catalogue and detail page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from freelancers.models import Certificate, Freelancer, FreelancerCard
from freelancers.tests.conftest import make_freelancer

pytestmark = pytest.mark.django_db

URL = "/freelancers/"


def listed(
    uid: int,
    today,
    *,
    kinds=("direct",),
    days=100,
    region="Москва",
    about="Настройка Директа",
    **fields,
) -> Freelancer:
    """A freelancer as the sync and moderation leave them: certificates, an
    accepted card, searchable."""
    freelancer = make_freelancer(uid, region=region, **fields)
    for n, kind in enumerate(kinds):
        Certificate.objects.create(
            freelancer=freelancer,
            external_id=f"{uid}-{n}",
            kind=kind,
            confirmed_on=today - timedelta(days=200),
            due_on=today + timedelta(days=days),
        )
    card = FreelancerCard.objects.create(
        freelancer=freelancer,
        version=1,
        status=FreelancerCard.Status.ACCEPTED,
        about=about,
        email="f@example.com",
    )
    freelancer.accepted_card = card
    freelancer.is_searchable = days >= 0
    freelancer.visible_until = today + timedelta(days=days)
    freelancer.save()
    return freelancer


def names(response) -> set[int]:
    return {f.uid for f in response.context["freelancers"]}


def test_catalogue_needs_no_login_and_shows_badges(client, today):
    listed(1, today, kinds=("direct", "metrika"), first_name="Мария", last_name="Иванова")
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Мария Иванова" in body
    assert 'data-kind="direct"' in body and 'data-kind="metrika"' in body


def test_freelancer_without_current_certificate_is_not_listed_and_detail_is_404(client, today):
    hidden = listed(2, today, days=-1)
    not_synced_yet = listed(3, today, days=-3)
    not_synced_yet.is_searchable = True  # the sync has not run since it expired
    not_synced_yet.save()
    assert names(client.get(URL)) == set()
    assert client.get(reverse("freelancers:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("freelancers:detail", args=[not_synced_yet.pk])).status_code == 404


def test_certificate_valid_until_today_is_shown_today_and_gone_tomorrow(client, settings, today):
    """ "Valid until D" includes D: shown on D, hidden from D + 1 (even before the sync runs,
    and even while the page cached on D would still be fresh)."""
    settings.FREELANCER_CATALOGUE_CACHE_SECONDS = 7 * 24 * 3600
    last_day = listed(5, today, days=0)
    assert names(client.get(URL)) == {5}
    assert client.get(reverse("freelancers:detail", args=[last_day.pk])).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert names(client.get(URL)) == set()
        assert client.get(reverse("freelancers:detail", args=[last_day.pk])).status_code == 404


def test_freelancer_without_accepted_card_is_not_listed(client, today):
    freelancer = listed(4, today)
    Freelancer.objects.filter(pk=freelancer.pk).update(accepted_card=None)
    assert names(client.get(URL)) == set()
    assert client.get(reverse("freelancers:detail", args=[freelancer.pk])).status_code == 404


def test_filter_by_certificate_kind(client, today):
    listed(10, today, kinds=("direct",))
    listed(11, today, kinds=("direct_pro",))
    listed(12, today, kinds=("direct", "direct_pro"))
    assert names(client.get(URL, {"kind": "direct_pro"})) == {11, 12}
    assert names(client.get(URL, {"kind": "direct"})) == {10, 12}


def test_filter_by_region_and_text(client, today):
    listed(20, today, region="Казань", about="Медийная реклама")
    listed(21, today, region="Москва", about="Поисковые кампании", last_name="Смирнов")
    assert names(client.get(URL, {"region": "Казань"})) == {20}
    assert names(client.get(URL, {"q": "Смирнов"})) == {21}
    assert names(client.get(URL, {"q": "реклама"})) == {20}
    assert names(client.get(URL, {"q": "Смирнов", "region": "Казань"})) == set()


def test_text_search_ignores_case_in_cyrillic_on_every_database(client, today):
    listed(22, today, about="Медийная реклама", last_name="Смирнов")
    assert names(client.get(URL, {"q": "смирнов"})) == {22}
    assert names(client.get(URL, {"q": "МЕДИЙНАЯ"})) == {22}
    assert names(client.get(URL, {"q": "медийн_я"})) == set()  # "_" is not a wildcard


def test_unknown_filter_values_are_ignored_not_errors(client, today):
    listed(30, today)
    response = client.get(URL, {"kind": "<script>", "region": "Атлантида", "page": "x"})
    assert response.status_code == 200
    assert names(response) == {30}


def test_pagination_keeps_filters(client, settings, today):
    settings.FREELANCER_CATALOGUE_PAGE_SIZE = 2
    for uid in range(40, 45):
        listed(uid, today)
    response = client.get(URL, {"kind": "direct", "page": 2})
    assert len(response.context["freelancers"]) == 2
    assert "kind=direct&amp;page=3" in response.content.decode()
    assert len(client.get(URL, {"page": 99}).context["freelancers"]) == 1  # the last page


def test_detail_page_shows_contacts_and_certificates(client, today):
    freelancer = listed(50, today, first_name="Олег")
    response = client.get(reverse("freelancers:detail", args=[freelancer.pk]))
    assert response.status_code == 200
    assert "mailto:f@example.com" in response.content.decode()
    assert "Олег" in response.content.decode()


@pytest.mark.parametrize("size", [5, 40])
def test_catalogue_query_count_does_not_grow_with_the_page(
    client, settings, today, django_assert_num_queries, size
):
    settings.FREELANCER_CATALOGUE_PAGE_SIZE = size
    for uid in range(100, 100 + size):
        listed(uid, today, kinds=("direct", "direct_pro", "metrika"))
    # regions, count, page (with cards), current certificates
    with django_assert_num_queries(4):
        response = client.get(URL, {"kind": "direct"})
    assert len(response.context["freelancers"]) == size


def test_catalogue_shows_only_the_latest_accepted_version(client, today, admin_user):
    from freelancers import services

    freelancer = listed(9, today, about="старое описание")
    v2 = services.freelancer_card_create(
        freelancer=freelancer, about="принятое описание", phone="+79990000002", submit=True
    )
    newer = {
        "черновик-текст": dict(submit=False, phone="+79990000003"),
        "модерация-текст": dict(submit=True, phone="+79990000004"),
        "отклонено-текст": dict(submit=True, phone="+79990000005"),
    }
    for about, extra in newer.items():
        services.freelancer_card_create(freelancer=freelancer, about=about, **extra)
    declined = FreelancerCard.objects.get(freelancer=freelancer, about="отклонено-текст")
    services.freelancer_card_decline(card=declined, moderator=admin_user, reason="нет")
    # Accepted while newer versions (draft, on moderation, declined) exist.
    services.freelancer_card_accept(card=v2, moderator=admin_user)

    pages = [
        client.get(URL).content.decode(),
        client.get(reverse("freelancers:detail", args=[freelancer.pk])).content.decode(),
    ]
    for body in pages:
        assert "принятое описание" in body
        for about, extra in newer.items():
            assert about not in body and extra["phone"] not in body
        assert "старое описание" not in body
    for about in newer:
        assert names(client.get(URL, {"q": about})) == set()
    detail = pages[1]
    assert "+79990000002" in detail or "+7 999 000-00-02" in detail


def test_catalogue_reads_only_the_columns_a_card_shows(client, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    listed(200, today, kinds=("direct",))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["freelancers"]) == 1
    page_sql = next(q["sql"] for q in queries if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"])
    for column in ("visibility_reason", '"phone"', '"email"', '"messenger"', "decline_reason"):
        assert column not in page_sql
    assert "about" in page_sql


def test_a_page_is_cut_from_the_freelancers_alone_and_only_its_rows_read_with_cards(
    client, settings, today
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.FREELANCER_CATALOGUE_PAGE_SIZE = 2
    for uid, last_name in zip(range(300, 305), "ДГВБА", strict=True):
        listed(uid, today, region="Казань", last_name=last_name)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"region": "Казань", "page": 2})
    # The page keeps the name order: А Б | В Г | Д.
    assert [f.last_name for f in response.context["freelancers"]] == ["В", "Г"]
    page_sql = next(q["sql"] for q in queries if "LIMIT" in q["sql"])
    cut = page_sql[page_sql.index("IN (SELECT") : page_sql.index("LIMIT")]
    # Sorting and skipping rows never drags the cards' text along.
    assert "freelancercard" not in cut and "about" not in cut
    assert "about" in page_sql


def test_detail_shows_a_phone_in_international_format_with_a_tel_link(client, today):
    # An accepted version keeps the phone as typed before phones were stored in E.164.
    freelancer = listed(11, today)
    freelancer.accepted_card = FreelancerCard.objects.create(
        freelancer=freelancer, version=2, status="accepted", about="x", phone="8 (916) 123-45-67"
    )
    freelancer.save(update_fields=["accepted_card"])
    body = client.get(reverse("freelancers:detail", args=[freelancer.pk])).content.decode()
    assert '<a href="tel:+79161234567">+7 916 123-45-67</a>' in body
