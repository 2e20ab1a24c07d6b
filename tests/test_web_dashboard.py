"""The dashboard: counts, the events-per-week chart and what is new since the last visit, all under the access rule."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from sqlalchemy import update

from liaison.clock import now
from liaison.store.schema import UserRow
from webkit import SECRET_TITLE, WebWorld, world_fixture

world = world_fixture()

FIGURE = re.compile(r"<strong>(\d+)</strong> (documents|entities|events)</a>")
NEW = re.compile(r"<strong>(\d+)</strong> new (document|event|entit)")


def counts(html: str) -> dict[str, int]:
    return {kind: int(n) for n, kind in FIGURE.findall(html)}


def returning(world: WebWorld, user: str, last: dt.datetime) -> str:
    """The dashboard of ``user`` signing in with their previous visit at ``last``."""
    with world.store.writing() as conn:
        conn.execute(update(UserRow.__table__).where(UserRow.__table__.c.name == user).values(this_visit_at=last))
    return world.client(user).get("/").text


def test_counts_differ_by_the_strict_document_between_analyst_and_alpha(world: WebWorld):
    analyst = counts(world.client("analyst").get("/").text)
    alpha = counts(world.client("alpha-member").get("/").text)
    rows = csv.DictReader(io.StringIO(world.client("analyst").get("/events.csv").text))
    secret_events = sum(r["document_id"] == world.document_id(SECRET_TITLE) for r in rows)
    assert secret_events >= 1
    assert alpha["documents"] == analyst["documents"] - 1
    assert alpha["events"] == analyst["events"] - secret_events
    assert alpha["entities"] < analyst["entities"]
    assert counts(world.client("bravo-member").get("/").text) == {"documents": 0, "entities": 0, "events": 0}


def test_the_chart_draws_events_per_week_by_type_with_a_legend_and_a_table(world: WebWorld):
    html = world.client("analyst").get("/").text
    chart = html.split('<section class="chart"')[1].split("</section>")[0]
    assert '<svg viewBox="0 0 640 240"' in chart and 'role="img"' in chart
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#[0-9A-F]{6}">'
                      r"<title>Week of (\d{4}-\d{2}-\d{2}): (\d+) ([a-z ]+)</title>", chart)
    assert bars and all(dt.date.fromisoformat(week).weekday() == 0 for week, _, _ in bars)
    assert '<ul class="legend"' in chart and "raid or arrest" in chart
    assert "<summary>The chart as a table</summary>" in chart
    table = chart.split("<table>")[1]
    totals = [int(n) for n in re.findall(r"<td>(\d+)</td></tr>", table)]
    assert sum(totals) == sum(int(n) for _, n, _ in bars) and len(totals) == 12
    assert 'href="/events?type=' in chart  # each bar opens its events


def test_the_chart_leaves_out_what_alpha_may_not_see(world: WebWorld):
    def raids(user: str) -> int:
        html = world.client(user).get("/").text
        return sum(int(n) for n in re.findall(r"<title>Week of [\d-]+: (\d+) raid or arrest</title>", html))

    assert raids("alpha-member") == raids("analyst") - 1  # the strict document's arrests in Zarqa
    assert "No dated events yet." in world.client("bravo-member").get("/").text


def test_since_the_last_visit_counts_new_documents_events_and_entities(world: WebWorld):
    html = returning(world, "analyst", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    new = {kind: int(n) for n, kind in NEW.findall(html)}
    total = counts(html)
    assert new == {"document": total["documents"], "event": total["events"], "entit": total["entities"]}
    assert len(re.findall(r'<li><a href="/documents/', html.split('id="new-documents"')[1])) == min(10, new["document"])
    link = re.search(r'<a href="(/events\?added_since=[^"]+)"><strong>', html).group(1).replace("&amp;", "&")
    listed = world.client("analyst").get(link.replace("/events?", "/events.csv?"))
    assert listed.status_code == 200 and len(listed.text.strip().splitlines()) - 1 == new["event"]


def test_since_the_last_visit_alpha_counts_only_what_it_may_see(world: WebWorld):
    html = returning(world, "alpha-member", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    new = {kind: int(n) for n, kind in NEW.findall(html)}
    assert new["document"] == counts(html)["documents"] and new["event"] == counts(html)["events"]
    assert SECRET_TITLE not in html and "Zarqa" not in html
    bravo = returning(world, "bravo-member", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert {kind: int(n) for n, kind in NEW.findall(bravo)} == {"document": 0, "event": 0, "entit": 0}


def test_nothing_is_new_after_the_last_ingest(world: WebWorld):
    html = returning(world, "admin", now() + dt.timedelta(minutes=1))
    assert {kind: int(n) for n, kind in NEW.findall(html)} == {"document": 0, "event": 0, "entit": 0}


def test_counts_since_the_last_visit_stop_at_a_cap(world: WebWorld, monkeypatch):
    from liaison.store.reading import dashboard

    monkeypatch.setattr(dashboard, "NEW_CAP", 2)
    html = returning(world, "analyst", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    docs, events, entities = re.findall(r"<strong>([\d,+]+)</strong> new", html)
    assert docs == "2+" and events.endswith("+") and entities.endswith("+")  # of the 3 latest versions only
    assert int(events[:-1]) < counts(html)["events"]
