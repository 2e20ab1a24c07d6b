"""The events table, its timeline and its CSV: filters, sorting, pages, bad parameters, and the access rule."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import select, update

from liaison.store.access import own_analyst
from liaison.store.schema import EventRow
from liaison.web.events import neutral
from webkit import SECRET_TITLE, WebWorld, world_fixture

world = world_fixture()

ROW = re.compile(r"<tr>\s*<td>(.*?)</tr>", re.S)


def rows_of(html: str) -> list[str]:
    return ROW.findall(html)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def all_csv(world: WebWorld, user: str, query: str = "") -> list[dict[str, str]]:
    res = world.client(user).get("/events.csv" + query)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    return csv_rows(res.text)


def test_the_table_shows_events_with_links_to_their_documents_and_entities(world: WebWorld):
    res = world.client("analyst").get("/events?limit=200")
    assert res.status_code == 200
    rows = rows_of(res.text)
    assert len(rows) == len(all_csv(world, "analyst")) > 10
    assert all('href="/documents/' in r for r in rows)
    assert 'href="/entities/org%3Aislamic%20state"' in res.text
    for name in ("type", "entity", "place", "since", "until", "source", "confidence", "sort"):
        assert re.search(rf'<label for="f-{name}">', res.text), name  # every control has a label


def test_filters_narrow_the_rows(world: WebWorld):
    every = all_csv(world, "analyst")
    raids = all_csv(world, "analyst", "?type=raid_or_arrest")
    assert raids and {r["type"] for r in raids} == {"raid_or_arrest"} and len(raids) < len(every)
    islamic = all_csv(world, "analyst", "?entity=islamic+state")
    assert islamic and all("Islamic State" in r["actors"] + r["targets"] for r in islamic)
    amman = all_csv(world, "analyst", "?place=amman")
    assert amman and {r["location"] for r in amman} == {"Amman"}
    october = all_csv(world, "analyst", "?since=2025-10-01&until=2025-10-31")
    assert october and all("2025-10-01" <= r["date_start"] <= "2025-10-31" for r in october)  # begun in the range
    assert len(october) == sum("2025-10-01" <= r["date_start"] <= "2025-10-31" for r in every)
    sure = all_csv(world, "analyst", "?confidence=75")
    assert sure and all(int(r["confidence"]) >= 75 for r in sure) and len(sure) < len(every)
    outlet = next(r["outlet"] for r in every if r["outlet"])
    by_source = all_csv(world, "analyst", "?source=" + outlet.upper().replace(" ", "+"))
    assert by_source and all(outlet == r["outlet"] or outlet.lower() in r["source"].lower() for r in by_source)


def test_an_entity_link_keeps_the_events_it_takes_part_in(world: WebWorld):
    named = all_csv(world, "analyst", "?entity=islamic+state")
    linked = all_csv(world, "analyst", "?entity_key=org%3Aislamic+state")
    assert linked and len(linked) <= len(named) and all("Islamic State" in r["actors"] + r["targets"] for r in linked)
    page = world.client("analyst").get("/events?entity_key=org%3Aislamic+state").text
    assert 'name="entity_key" value="org:islamic state"' in page  # the filter form keeps it
    assert all_csv(world, "analyst", "?entity_key=org%3Anobody") == []


def test_a_name_filter_with_sql_wildcards_matches_them_literally(world: WebWorld):
    assert all_csv(world, "analyst", "?entity=%25") == []
    assert all_csv(world, "analyst", "?place=_") == []


def test_sorting_by_each_column_both_ways(world: WebWorld):
    down = [int(r["confidence"]) for r in all_csv(world, "analyst", "?sort=-confidence")]
    assert down == sorted(down, reverse=True) and len(set(down)) > 1
    up = [int(r["confidence"]) for r in all_csv(world, "analyst", "?sort=confidence")]
    assert up == sorted(up)
    types = [r["type"] for r in all_csv(world, "analyst", "?sort=type")]
    assert types == sorted(types)
    dates = [r["date_start"] for r in all_csv(world, "analyst", "?sort=-date") if r["date_start"]]
    assert dates == sorted(dates, reverse=True)
    oldest = [r["date_start"] for r in all_csv(world, "analyst")]
    dated = [d for d in oldest if d]
    assert dated == sorted(dated) and oldest[: len(dated)] == dated  # undated events come last


NEXT = re.compile(r'rel="next" href="([^"]+)"')
PREVIOUS = re.compile(r'rel="prev" href="([^"]+)"')
LINKS = re.compile(r'<td><a href="(/documents/[^"]+)">')


def follow(client, url: str, link: re.Pattern, found: re.Pattern = LINKS) -> tuple[list[list[str]], str]:  # noqa: ANN001
    """The rows of each page from ``url`` on, following ``link`` (Next or Previous), and the last URL."""
    pages = []
    while True:
        res = client.get(url)
        assert res.status_code == 200, (url, res.text[:300])
        pages.append(found.findall(res.text))
        hit = link.search(res.text)
        if not hit:
            return pages, url
        url = html.unescape(hit.group(1))


@pytest.mark.parametrize("sort", ["date", "-date", "type", "-type", "confidence", "-confidence"])
def test_next_links_cover_every_row_once_and_previous_links_walk_back(world: WebWorld, sort: str):
    client = world.client("analyst")
    expected = [r["link"] for r in all_csv(world, "analyst", f"?sort={sort}")]
    pages, last = follow(client, f"/events?limit=4&sort={sort}", NEXT)
    assert [link for p in pages for link in p] == expected and len(pages) > 3
    assert "after=" in last and (sort == "date" or f"sort={sort}" in last)  # the pager keeps the order
    back, first = follow(client, last, PREVIOUS)
    assert back == pages[::-1] and "before=" in first


def test_a_previous_link_from_a_short_way_in_leads_to_the_first_page(world: WebWorld):
    client = world.client("analyst")
    first = client.get("/events?limit=4").text
    second = client.get(html.unescape(NEXT.search(first).group(1))).text
    third = client.get(html.unescape(NEXT.search(second).group(1))).text
    back = client.get(html.unescape(PREVIOUS.search(third).group(1))).text
    assert LINKS.findall(back) == LINKS.findall(second)
    again = client.get(html.unescape(PREVIOUS.search(back).group(1))).text
    assert LINKS.findall(again) == LINKS.findall(first) and not PREVIOUS.search(again)


def test_the_timeline_next_links_cover_every_dated_event(world: WebWorld):
    client = world.client("analyst")
    dated = [r["link"] for r in all_csv(world, "analyst") if r["date_start"]]
    item = re.compile(r'<li>\s*<time datetime="[^"]+">.*?— <a href="(/documents/[^"]+)">', re.S)
    pages, _ = follow(client, "/timeline?limit=3&group=day", NEXT, item)
    assert [link for p in pages for link in p] == dated and len(pages) > 3


def test_an_offset_is_bounded_and_past_it_the_page_says_to_narrow_or_follow_next(world: WebWorld):
    from liaison.web.events import MAX_OFFSET

    client = world.client("analyst")
    assert client.get(f"/events?offset={MAX_OFFSET}").status_code == 200
    for path in ("/events", "/timeline", "/events.csv", "/map/places/loc%3Asyria"):
        res = client.get(f"{path}?offset={MAX_OFFSET + 1}")
        assert res.status_code == 400 and "narrow the filter" in res.text and "Next links" in res.text, path


def test_the_leading_filters_give_the_rows_a_walk_gives(world: WebWorld, monkeypatch):
    from liaison.store.reading import events as reading

    filters = [{"entity": "islamic state"}, {"place": "amman"}, {"entity_key": "org:islamic state"},
               {"place_key": "loc:syria"}, {"entity": "zarqawi", "type": "attack"}, {"place": "a"}]
    seen: dict = {}
    for lead, listed in ((0, 0), (0, 10**9), (10**9, 10**9)):  # walk, walk with a document list, lead
        monkeypatch.setattr(reading, "LEAD_ROLES", lead)
        monkeypatch.setattr(reading, "LISTED_ROLES", listed)
        for user in ("analyst", "alpha-member"):
            for f in filters:
                for sort in ("date", "-date", "type", "-confidence"):
                    client = world.client(user)
                    query = "&".join(f"{k}={v}" for k, v in f.items())
                    pages, last = follow(client, f"/events?limit=3&sort={sort}&{query}", NEXT)
                    back, _ = follow(client, last, PREVIOUS)
                    seen.setdefault((user, str(f), sort), []).append((pages, back))
    for key, found in seen.items():
        assert all(f == found[0] for f in found), key
        assert found[0][1] == found[0][0][::-1], key
    assert any(len(found[0][0]) > 1 for found in seen.values())


@pytest.mark.parametrize("limit", [4, 5])
@pytest.mark.parametrize("sort", ["date", "-date"])
def test_pages_in_date_order_run_on_from_the_dated_events_into_the_undated(world: WebWorld, sort: str, limit: int):
    client = world.client("analyst")
    expected = [r["link"] for r in all_csv(world, "analyst", f"?sort={sort}")]
    assert any(not r["date_start"] for r in all_csv(world, "analyst"))  # there are undated ones to reach
    seen: list[str] = []
    for offset in range(0, len(expected) + limit, limit):
        html = client.get(f"/events?sort={sort}&limit={limit}&offset={offset}").text
        seen += re.findall(r'<td><a href="(/documents/[^"]+)">', html)
    assert seen == expected


def test_htmx_gets_only_the_table(world: WebWorld):
    res = world.client("analyst").get("/events?type=meeting", headers={"HX-Request": "true", "HX-Target": "events-table"})
    assert res.status_code == 200 and res.text.lstrip().startswith('<div id="events-table"') and "<html" not in res.text


BAD = ["since=2025-13-45", "until=yesterday", "since=2025-11-01&until=2025-10-01", "offset=-1",
       "offset=99999999999999999999", "limit=0", "limit=100000", "sort=zzz", "sort=document_id",
       "sort=date;drop table events", "confidence=101", "confidence=high", "type=bombing", "entity=" + "x" * 300,
       "place=a%00b", "added_since=last+week", "after=zzz", "after=2025-13-01~abc~1", "before=2025-01-01~a~b",
       "after=2025-01-01~abc~1&before=2025-01-01~abc~2", "offset=5&after=2025-01-01~abc~1", "sort=type&after=x~1",
       "after=" + "1~" * 150]


@pytest.mark.parametrize("query", BAD)
def test_a_bad_parameter_gets_a_400_page_not_a_500(world: WebWorld, query: str):
    client = world.client("analyst")
    for path in ("/events", "/timeline", "/events.csv"):
        res = client.get(f"{path}?{query}")
        assert res.status_code == 400, (path, query, res.status_code)
        assert "Bad filter" in res.text and "Traceback" not in res.text
        assert res.headers["content-type"].startswith("text/html")


def test_the_timeline_groups_dated_events_by_week_or_day(world: WebWorld):
    client = world.client("analyst")
    weekly = client.get("/timeline")
    assert weekly.status_code == 200 and "Week of 2025-10-13" in weekly.text
    dated = [r for r in all_csv(world, "analyst") if r["date_start"]]
    items = re.findall(r'<li>\s*<time datetime="[^"]+">.*?</li>', weekly.text, re.S)
    assert len(items) == len(dated) and all('href="/documents/' in i for i in items)
    daily = client.get("/timeline?group=day&type=raid_or_arrest")
    starts = re.findall(r'<h2><time datetime="([^"]+)">', daily.text)
    assert starts == sorted(set(starts)) and starts
    assert '<option value="day" selected>' in daily.text  # the filter form keeps the grouping


def test_the_csv_holds_the_filtered_rows_with_a_header(world: WebWorld):
    res = world.client("analyst").get("/events.csv?type=airstrike")
    assert res.headers["content-disposition"] == 'attachment; filename="events.csv"'
    lines = res.text.splitlines()
    assert lines[0].startswith("date,date_start,date_end,type,")
    rows = csv_rows(res.text)
    assert rows and {r["type"] for r in rows} == {"airstrike"} and all(r["link"].startswith("/documents/") for r in rows)


def test_a_csv_with_no_matching_rows_is_its_header_alone(world: WebWorld):
    res = world.client("analyst").get("/events.csv?type=airstrike&since=1901-01-01&until=1901-12-31")
    assert res.status_code == 200
    assert res.text.splitlines() == [res.text.splitlines()[0]] and res.text.startswith("date,date_start,")


def test_the_csvs_first_chunk_carries_the_header_with_the_first_rows(world: WebWorld):
    with world.client("analyst").stream("GET", "/events.csv?type=airstrike") as res:
        first = next(res.iter_text())
    lines = first.splitlines()
    assert lines[0].startswith("date,date_start,date_end,type,") and len(lines) > 1


def test_csv_cells_that_would_be_formulas_are_quoted(world: WebWorld):
    assert [neutral(v) for v in ("=1+2", "+1", "-1", "@SUM(A1)", "\t=x", "plain", None, 80)] == [
        "'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\t=x", "plain", "", "80"]
    ev = EventRow.__table__
    with world.store.engine.connect() as conn:
        doc, version, idx, data = conn.execute(select(ev.c.document_id, ev.c.version, ev.c.idx, ev.c.data)
                                               .where(ev.c.type == "airstrike").limit(1)).one()
    hostile = {**data, "attribution": {**(data.get("attribution") or {"span": data["trigger"], "cue": "say"}),
                                       "source": '=HYPERLINK("http://evil.example","x")'}}
    where = (ev.c.document_id == doc) & (ev.c.version == version) & (ev.c.idx == idx)
    with world.store.writing() as conn:
        conn.execute(update(ev).where(where).values(data=hostile))
    try:
        rows = all_csv(world, "analyst", "?type=airstrike")
        cells = [r["source"] for r in rows if "HYPERLINK" in r["source"]]
        assert cells == ['\'=HYPERLINK("http://evil.example","x")']
        page = world.client("analyst").get("/events?type=airstrike").text
        assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;x&#34;)" in page  # escaped on the page, not quoted
    finally:
        with world.store.writing() as conn:
            conn.execute(update(ev).where(where).values(data=data))


def test_alpha_never_sees_the_strict_documents_events(world: WebWorld):
    secret = world.document_id(SECRET_TITLE)
    analyst, alpha = all_csv(world, "analyst"), all_csv(world, "alpha-member")
    hidden = [r for r in analyst if r["document_id"] == secret]
    assert hidden and any("Zarqa" in r["location"] for r in hidden)
    assert len(alpha) == len(analyst) - len(hidden) and not any(r["document_id"] == secret for r in alpha)
    client = world.client("alpha-member")
    for path in ("/events?limit=200", "/timeline", "/events?place=zarqa", "/events.csv?entity=zarqawi",
                 "/timeline?place=zarqa"):
        res = client.get(path)
        assert res.status_code == 200 and secret not in res.text and "Zarqa" not in res.text, path
    assert "Zarqa" in world.client("analyst").get("/timeline").text


def test_bravo_sees_no_events_at_all(world: WebWorld):
    assert all_csv(world, "bravo-member") == []
    client = world.client("bravo-member")
    assert rows_of(client.get("/events").text) == []
    assert "No dated events match" in client.get("/timeline").text


def test_the_pages_ask_for_sign_in(world: WebWorld):
    client = world.client()
    for path in ("/events", "/timeline", "/events.csv"):
        assert client.get(path, follow_redirects=False).status_code == 303


def test_the_csv_streams_a_first_batch_then_larger_ones_holding_every_row(world: WebWorld):
    from liaison.store.reading import events as reading

    actor = own_analyst()
    f = reading.EventFilter()
    sizes = [len(rows) for rows in reading.stream(world.store, actor, f, "date", 10_000, chunk=5, first=2)]
    total = reading.page(world.store, actor, f, "date", 0, 500).rows
    assert sizes[0] == 2 and all(s <= 5 for s in sizes[1:]) and sum(sizes) == len(total) > 7
