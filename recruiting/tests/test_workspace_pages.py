"""'My candidates' (/recruiting/applications/) and its CSV export, on a real database."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import User
from recruiting.models import Application, KnownContact, Resume, Subsystem, SubsystemConnection

pytestmark = pytest.mark.django_db

PAGE = "/recruiting/applications/"
EXPORT = "/recruiting/applications/export.csv"


def connection(organization, subsystem: str) -> SubsystemConnection:
    return SubsystemConnection.objects.get_or_create(
        organization=organization,
        subsystem=subsystem,
        defaults={"account": "acme", "access_token": "t", "link_field_id": 1},
    )[0]


def taken(recruiter, urn: str, *, subsystem=Subsystem.TRACKER, status="open", name="", **extra):
    """An application of `recruiter`'s organization; `name` opens the resume's contacts."""
    org = recruiter.organization
    if name:
        Resume.objects.get_or_create(
            organization=org, urn=urn, defaults={"contacts": json.dumps({"name": name})}
        )
    app = Application.objects.create(
        organization=org,
        connection=connection(org, subsystem),
        subsystem=subsystem,
        resume_urn=urn,
        idempotency_key=f"{org.pk}:{urn}:{subsystem}:{Application.objects.count()}",
        application_id=extra.pop("application_id", "HIRE-1"),
        status=status,
        recruiter=recruiter,
        **extra,
    )
    return app


@pytest.fixture
def anna(client, recruiter):
    client.force_login(recruiter)
    return client


@pytest.fixture
def boris(organization) -> User:
    return User.objects.create_user(username="boris", first_name="Борис", organization=organization)


def rows(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_lists_the_organizations_applications_newest_first_with_names_and_links(
    anna, recruiter, boris
):
    taken(recruiter, "urn:hh:old1", name="Иванов Иван", external_status_display="Открыт")
    newer = taken(boris, "urn:sj:new2", name="Петрова Анна", application_id="HIRE-2")
    Application.objects.filter(pk=newer.pk).update(created_at=timezone.now() + timedelta(1))
    text = rows(anna.get(PAGE))
    assert text.index("Петрова Анна") < text.index("Иванов Иван")
    assert 'href="/recruiting/resumes/urn:hh:old1/"' in text and ">SuperJob<" in text
    assert 'href="https://tracker.yandex.ru/HIRE-2"' in text
    assert "Открыт" in text and "Борис" in text


def test_amocrm_row_links_the_deal_on_the_accounts_host(anna, recruiter):
    taken(recruiter, "urn:hh:a1", subsystem=Subsystem.AMOCRM, application_id="17657")
    assert 'href="https://acme.amocrm.ru/leads/detail/17657"' in rows(anna.get(PAGE))


def test_never_shows_another_organizations_applications(anna, other_organization):
    stranger = User.objects.create_user(username="x", organization=other_organization)
    taken(stranger, "urn:hh:foreign", name="Чужой Кандидат")
    text = rows(anna.get(PAGE))
    assert "Чужой" not in text and "urn:hh:foreign" not in text
    assert "Чужой" not in anna.get(EXPORT).content.decode()


def test_filters_mine_closed_subsystem_and_name(anna, recruiter, boris):
    taken(recruiter, "urn:hh:m1", name="Мой Открытый")
    taken(recruiter, "urn:hh:m2", name="Мой Закрытый", status="closed")
    taken(boris, "urn:hh:b1", name="Чужой Борисов", subsystem=Subsystem.AMOCRM)
    mine = rows(anna.get(PAGE, {"scope": "mine"}))
    assert "Мой Открытый" in mine and "Мой Закрытый" in mine and "Борисов" not in mine
    closed = rows(anna.get(PAGE, {"state": "closed"}))
    assert "Мой Закрытый" in closed and "Мой Открытый" not in closed
    amo = rows(anna.get(PAGE, {"subsystem": "amocrm"}))
    assert "Борисов" in amo and "Мой" not in amo
    named = rows(anna.get(PAGE, {"text": "закрыт"}))  # case-insensitive, Cyrillic
    assert "Мой Закрытый" in named and "Мой Открытый" not in named


def test_name_comes_from_a_subsystems_known_contacts_or_the_merged_cards_other_resume(
    anna, recruiter
):
    KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn="urn:hh:k1",
        source=Subsystem.AMOCRM,
        contacts={"name": "Из Амо"},
    )
    taken(recruiter, "urn:hh:k1")
    taken(recruiter, "urn:hh:c1", params={"card_urns": ["urn:sj:c2"]})
    Resume.objects.create(
        organization=recruiter.organization,
        urn="urn:sj:c2",
        contacts=json.dumps({"name": "Сайт Два"}),
    )
    text = rows(anna.get(PAGE))
    assert "Из Амо" in text and "Сайт Два" in text
    assert 'href="/recruiting/resumes/urn:sj:c2/"' in text


def test_abandoned_claims_are_not_listed_and_unknown_names_say_so(anna, recruiter):
    taken(recruiter, "urn:hh:gone", status="abandoned", application_id="")
    taken(recruiter, "urn:hh:pending", status="pending", application_id="")
    text = rows(anna.get(PAGE))
    assert "urn:hh:gone" not in text
    assert "Имя пока неизвестно" in text


def test_paginates_with_filters_kept(anna, recruiter):
    for i in range(27):
        taken(recruiter, f"urn:hh:p{i}", status="closed")
    first = rows(anna.get(PAGE, {"state": "closed"}))
    assert first.count('<tr class="application"') == 25
    assert "?state=closed&amp;page=2" in first
    second = rows(anna.get(PAGE, {"state": "closed", "page": "2"}))
    assert second.count('<tr class="application"') == 2 and "page=1" in second
    assert rows(anna.get(PAGE, {"page": "999"})).count('<tr class="application"') == 2


def test_bad_filter_values_fall_back_to_everything(anna, recruiter):
    taken(recruiter, "urn:hh:x1", name="Иван")
    assert "Иван" in rows(anna.get(PAGE, {"scope": "nope", "subsystem": "jira"}))


def test_csv_export_has_a_bom_the_same_filters_and_absolute_links(anna, recruiter, boris):
    taken(recruiter, "urn:hh:e1", name="Экспорт Ёлкин", polled_at=timezone.now())
    taken(boris, "urn:hh:e2", name="Не Мой")
    response = anna.get(EXPORT, {"scope": "mine"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(table) == 2
    row = dict(zip(table[0], table[1], strict=True))
    assert "Экспорт Ёлкин" in table[1]
    assert "http://testserver/recruiting/resumes/urn:hh:e1/" in table[1]
    assert "https://tracker.yandex.ru/HIRE-1" in table[1]
    assert len(row) == 9


def test_header_links_my_candidates(anna):
    assert 'href="/recruiting/applications/"' in rows(anna.get("/recruiting/sites/"))


def test_page_needs_a_login(client):
    assert client.get(PAGE).status_code == 302
    assert client.get(EXPORT).status_code == 302


def test_page_speaks_russian_by_default_and_english_on_request(anna, recruiter):
    taken(recruiter, "urn:hh:l1", name="Иван")
    assert "Мои кандидаты" in rows(anna.get(PAGE)) and "Выгрузить в CSV" in rows(anna.get(PAGE))
    anna.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = rows(anna.get(PAGE))
    assert "Export to CSV" in english and "My candidates" in english
    anna.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    header = anna.get(EXPORT).content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Кандидат,Резюме,Система")
