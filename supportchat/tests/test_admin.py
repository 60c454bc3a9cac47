"""The control panel: shard lists, the property help, the job page and its buttons."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import OrmQ

from core.models import JobRun
from core.services import property_set
from supportchat import selectors, services
from supportchat.models import ClientFeature
from supportchat.tests.conftest import place, switch_off, two_shards

pytestmark = two_shards


def test_client_features_list_one_shard_at_a_time_searchable_by_client_id(
    admin_client, shard_aliases
):
    switch_off(shard_aliases[1], [101, 102])
    switch_off(shard_aliases[2], [201])
    url = "/admin/supportchat/clientfeature/"
    first = admin_client.get(url).content.decode()
    assert ">101<" in first and ">201<" not in first
    second = admin_client.get(url, {"shard": "2", "is_enabled__exact": "0"}).content.decode()
    assert ">201<" in second and ">101<" not in second
    found = admin_client.get(url, {"shard": "1", "q": "102"}).content.decode()
    assert ">102<" in found and ">101<" not in found
    assert admin_client.get(url, {"q": "not-a-number"}).status_code == 200


def test_search_by_client_id_compares_the_number_not_its_text(admin_client, shard_aliases):
    switch_off(shard_aliases[2], [201, 2010])
    place(s2=[201, 2010])
    for url, shard in (
        ("/admin/supportchat/clientfeature/", "2"),
        ("/admin/supportchat/clientshard/", None),
    ):
        alias = shard_aliases[2] if shard else "default"
        params = {"q": " 201 ", **({"shard": shard} if shard else {})}
        with CaptureQueriesContext(connections[alias]) as queries:
            page = admin_client.get(url, params).content.decode()
        assert ">201<" in page and ">2010<" not in page
        searches = [q["sql"] for q in queries if "client_id" in q["sql"] and "201" in q["sql"]]
        assert searches and all('"client_id" = 201' in sql for sql in searches)
        assert not any(word in sql for sql in searches for word in ("UPPER", "::text", "LIKE"))


def test_client_feature_page_opens_on_its_own_shard(admin_client, shard_aliases):
    switch_off(shard_aliases[2], [201])
    row = ClientFeature.objects.using(shard_aliases[2]).get(client_id=201)
    url = f"/admin/supportchat/clientfeature/{row.pk}/change/?_changelist_filters=shard%3D2"
    assert "201" in admin_client.get(url).content.decode()


def test_property_page_explains_the_pause_knob(admin_client):
    prop = property_set(name=selectors.WATERMARK, value="2024-03-01T10:15:42+00:00")
    page = admin_client.get(f"/admin/core/property/{prop.pk}/change/").content.decode()
    assert "Pause knob" in page or "пауз" in page.lower()


def test_job_page_says_paused_until_while_the_property_is_in_the_future(admin_client):
    until = timezone.now() + timedelta(days=2)
    property_set(name=selectors.WATERMARK, value=until.isoformat())
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get("/admin/supportchat/supportchatrun/")
    assert "Paused until" in page.content.decode()


def test_paused_runs_show_as_skipped_and_the_synced_version_apart(
    admin_client, settings, tmp_path, shard_aliases
):
    place(s1=[1, 2])
    path = tmp_path / "exclusion.csv"
    path.write_text("1\n")
    settings.SUPPORT_CHAT_EXCLUSION_SOURCE = str(path)
    synced = services.support_chat_sync()
    synced_at = selectors.last_synced_mod_time()
    until = timezone.now() + timedelta(days=2)
    property_set(name=selectors.WATERMARK, value=until.isoformat())
    assert services.support_chat_sync().outcome == "paused"
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get("/admin/supportchat/supportchatrun/").content.decode()
    version = re.search(r'<td id="synced-version">(.*?)</td>', page, re.S).group(1)
    assert datetime.fromisoformat(version.strip()) == synced_at  # not the pause time
    assert "skipped: paused" in page and synced.run_id
    jobs = admin_client.get("/admin/core/jobrun/").content.decode()
    assert "skipped: paused" in jobs


def test_job_page_lists_runs_with_counters_and_plan(
    admin_client, settings, tmp_path, shard_aliases
):
    place(s1=[1, 2])
    path = tmp_path / "exclusion.csv"
    path.write_text("1\n")
    settings.SUPPORT_CHAT_EXCLUSION_SOURCE = str(path)
    result = services.support_chat_sync()
    admin_client.cookies["django_language"] = "en"
    listing = admin_client.get("/admin/supportchat/supportchatrun/").content.decode()
    assert "to disable" in listing.lower()
    detail = admin_client.get(f"/admin/supportchat/supportchatrun/{result.run_id}/change/")
    assert "to_disable_ids" in detail.content.decode()


def test_counter_columns_are_translated(admin_client, russian_catalogue):
    russian_catalogue({"to disable": "выключить", "disabled before": "было выключено"})
    JobRun.objects.create(job=selectors.JOB, started_at=timezone.now(), status="success")
    listing = admin_client.get("/admin/supportchat/supportchatrun/").content.decode().lower()
    assert "выключить" in listing and "было выключено" in listing
    assert "to disable" not in listing


def test_run_now_and_dry_run_buttons_queue_the_task(admin_client):
    assert admin_client.post("/admin/supportchat/supportchatrun/run/").status_code == 302
    assert admin_client.post("/admin/supportchat/supportchatrun/dry-run/").status_code == 302
    assert OrmQ.objects.count() == 2
    assert admin_client.get("/admin/supportchat/supportchatrun/run/").status_code == 405


def test_the_add_property_form_explains_the_pause_knob(admin_client):
    page = admin_client.get("/admin/core/property/add/").content.decode()
    assert "CHECKED_SUPPORT_CHAT_FEATURE_LAST_SYNCED_MOD_TIME" in page
