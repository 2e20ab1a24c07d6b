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


def test_a_taxii_delete_of_a_report_is_a_change_the_counts_see(small: WebWorld, tmp_path):
    """A partner with a write grant deletes a report over TAXII: its document is hidden from the
    partner, and the counts (remembered per store generation) are made again rather than kept."""
    from sqlalchemy import select

    from liaison.store.schema import DocumentObjectRow

    extra = tmp_path / "green.json"
    extra.write_text('{"title": "Open report", "tlp": "green", "text": "AMMAN, Oct 9, 2025 - Jordanian police '
                     'arrested four suspects in Irbid, the ministry said."}', encoding="utf-8")
    later = tmp_path / "later.json"  # stored after it: the deleted rows are not the collection's latest
    later.write_text('{"title": "Later report", "tlp": "green", "text": "MOSUL, Oct 10, 2025 - Iraqi forces '
                     'detained two suspects in Mosul, officials said."}', encoding="utf-8")
    small.ingest([str(extra)])
    small.ingest([str(later)])
    users = Users(small.store)
    member = users.actor(users.get("alpha-member"))
    assert dashboard.figures(small.store, member).counts["documents"] == 2  # the green ones, not the strict one
    small.sharing.grant(small.reports["id"], "alpha", True, True)
    token = small.sharing.issue_token("alpha")
    held = dashboard.figures(small.store, member)  # counted again: the grant changed
    with small.store.engine.connect() as conn:
        reports = conn.execute(select(DocumentObjectRow.object_id).where(
            DocumentObjectRow.document_id == small.document_id("Open report"),
            DocumentObjectRow.object_id.startswith("report--"))).scalars().all()
    taxii = small.client()
    for report in reports:
        res = taxii.delete(f"/taxii2/api/collections/{small.reports['id']}/objects/{report}/",
                           headers={"Accept": "application/taxii+json;version=2.1", "Authorization": f"Bearer {token}"})
        assert res.status_code == 200, res.text
    after = dashboard.figures(small.store, member)
    assert after.counts["documents"] == 1 and held.counts["documents"] == 2


def test_a_re_marking_is_a_change_the_counts_see_at_once(small: WebWorld, tmp_path):
    """`liaison mark` (store.mark_document) hides a document from a partner before the collections
    catch up: the remembered counts are made again at once, not at the next ingest."""
    from liaison.stix.tlp import Marking

    extra = tmp_path / "green.json"
    extra.write_text('{"title": "Open report", "tlp": "green", "text": "AMMAN, Oct 9, 2025 - Jordanian police '
                     'arrested four suspects in Irbid, the ministry said."}', encoding="utf-8")
    small.ingest([str(extra)])
    users = Users(small.store)
    member = users.actor(users.get("alpha-member"))
    assert dashboard.figures(small.store, member).counts["documents"] == 1
    small.store.mark_document(small.document_id("Open report"), Marking("red"))  # no sync of the collections
    assert dashboard.figures(small.store, member).counts["documents"] == 0
