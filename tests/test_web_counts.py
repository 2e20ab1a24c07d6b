"""The dashboard's counts on a large store are made off the request path and never shown stale
without saying so: a count is remembered with the store generation it was made at, per actor."""

from __future__ import annotations

import time

import pytest

from liaison.store.access import ANONYMOUS
from liaison.store.reading import dashboard
from liaison.store.users import Users
from webkit import WebWorld


@pytest.fixture
def small(database_url, tmp_path) -> WebWorld:
    return WebWorld(database_url, tmp_path, examples=False)


def _settled(store, actor) -> dashboard.Figures:  # noqa: ANN001
    for _ in range(200):
        got = dashboard.figures(store, actor)
        if got.fresh:
            return got
        time.sleep(0.05)
    raise AssertionError("the count never finished")


def test_a_large_store_is_counted_in_a_thread_and_the_page_says_so(small: WebWorld, monkeypatch):
    monkeypatch.setattr(dashboard, "SYNC_DOCUMENTS", 0)  # every store is "large"
    analyst = small.client("analyst")
    first = dashboard.figures(small.store, ANONYMOUS)
    assert first.counts is None and not first.fresh  # nothing counted yet for this actor: the page does not wait
    settled = _settled(small.store, ANONYMOUS)
    assert settled.counts == dashboard.counts(small.store, ANONYMOUS)
    page = analyst.get("/")  # the analyst's first view: counting, and the fragment asks again
    assert page.status_code == 200 and 'hx-get="/dashboard/figures"' in page.text
    users = Users(small.store)
    assert _settled(small.store, users.actor(users.get("analyst"))).counts["documents"] == 1
    assert "<strong>1</strong> documents" in analyst.get("/dashboard/figures").text


def test_a_changed_store_shows_the_last_counts_marked_as_such_until_recounted(small: WebWorld, monkeypatch, tmp_path):
    monkeypatch.setattr(dashboard, "SYNC_DOCUMENTS", 0)
    users = Users(small.store)
    actor = users.actor(users.get("analyst"))
    before = _settled(small.store, actor)
    assert before.counts["documents"] == 1
    extra = tmp_path / "extra.txt"
    extra.write_text("AMMAN, Oct 9, 2025 - Jordanian police arrested four suspects in Irbid, the ministry said.",
                     encoding="utf-8")
    small.ingest([str(extra)])
    stale = dashboard.figures(small.store, actor)
    assert not stale.fresh and stale.counts == before.counts  # the old figures, marked as not current
    fragment = small.client("analyst").get("/dashboard/figures")
    assert fragment.status_code == 200 and ("counting again" in fragment.text or "<strong>2</strong>" in fragment.text)
    assert _settled(small.store, actor).counts["documents"] == 2


def test_counts_are_remembered_per_actor(small: WebWorld):
    users = Users(small.store)
    analyst, member = (users.actor(users.get(n)) for n in ("analyst", "alpha-member"))
    assert dashboard.figures(small.store, analyst).counts["documents"] == 1
    assert dashboard.figures(small.store, member).counts["documents"] == 0  # the AMBER+STRICT document


def test_on_a_large_store_the_chart_comes_with_the_counts_out_of_band(small: WebWorld, monkeypatch):
    monkeypatch.setattr(dashboard, "SYNC_DOCUMENTS", 0)
    analyst = small.client("analyst")
    page = analyst.get("/").text
    assert "Counting the events per week…" in page  # the page does not wait for the chart's figures
    users = Users(small.store)
    settled = _settled(small.store, users.actor(users.get("analyst")))
    assert settled.weekly is not None and settled.weekly["counts"]
    fragment = analyst.get("/dashboard/figures").text
    assert '<section class="chart" id="chart"' in fragment and 'hx-swap-oob="true"' in fragment
    assert "<title>Week of " in fragment
    assert 'hx-swap-oob' not in analyst.get("/").text  # the whole page draws it in place
