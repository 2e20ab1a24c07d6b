"""The web UI end to end, in a real browser (tests/browser.py: Playwright driving Debian's chromium)
against a real `liaison serve`, on SQLite and on PostgreSQL.

An analyst made with `liaison users add` signs in through the page with the one-time password and
changes it, ingests the example articles through the ingest page (and one AMBER+STRICT report that
no partner may read), reads a document's highlights by keyboard, opens an entity, filters the
events and the timeline, opens the graph and the map, and searches. Then a member of partner
alpha, which reads the store's collection but may not see that report, signs in: the report is
nowhere for them (its page, search, map, graph, counts, timeline, events, CSV), and its address
answers exactly as an address that names nothing does. No page asks anything of another host and
no page has a script or console error.

One server, one store and one ingest per backend (module-scoped); the tests of a backend run in
order and share what the analyst made. Every page is screenshotted to build/screenshots/<backend>/
(printed at the end of the run; docs/web.md's tour is a copy of the SQLite set)."""

from __future__ import annotations

import io
import os
import re
import time
from csv import DictReader
from types import SimpleNamespace
from urllib.parse import quote, unquote

import pytest

from browser import CHROMIUM_ARGS, TABLET, VIEWPORT, Recorder, Shots, need_chromium
from conftest import BACKENDS, EXAMPLES, ROOT, LiveServer, backend_database, home_env, ok_cli, run_cli

PASSWORD = "a long enough browser-test password"
NEW_PASSWORD = "the analyst's own passphrase, changed"
SECRET_TITLE = "Strictly held Zarqa report"
SECRET_TEXT = ("ZARQA, Oct 3, 2025 - Jordanian police arrested seven Islamic State suspects in Zarqa on Tuesday, "
               "the interior ministry said. The cell, led by Abu Qatada al-Zarqawi, planned attacks in Mafraq.")
#: Words of the AMBER+STRICT report that no example article has: where they show, the report shows.
SECRET_WORDS = ("Zarqa", "Mafraq", "Qatada", SECRET_TITLE)
SHOTS = ROOT / "build" / "screenshots"
DOC_LINK = re.compile(r"/documents/([0-9a-f]{32})")
INGEST_MS = 300_000  # six articles extracted in the server on a small machine


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser(request):  # noqa: ANN001,ANN201
    path = need_chromium()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    launched = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield launched
    launched.close()
    pw.stop()
    _say(request, f"web UI screenshots: {SHOTS.relative_to(ROOT)}/<backend>/NN-page.png")


def _say(request, line: str) -> None:  # noqa: ANN001
    """A line in the test run's output, past pytest's capture (where the artifacts are, timings)."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n{line}")


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, browser, tmp_path_factory):  # noqa: ANN001,ANN201
    """A served store on one backend: partner alpha reads the store-following collection `reports`
    (default AMBER); `analyst` (this installation's, one-time password) and `alpha-member`."""
    folder = tmp_path_factory.mktemp("browser")
    with backend_database(request, request.param, folder) as url:
        env = home_env(folder / "home", url)
        token = _share_with_alpha(url)
        made = ok_cli(["users", "add", "analyst", "--org", "self"], env)
        one_time = made.strip().splitlines()[-1]
        res = run_cli(["users", "add", "alpha-member", "--org", "alpha", "--password-stdin"], env,
                      stdin=f"{PASSWORD}\n".encode())
        assert res.returncode == 0, res.stderr.decode()
        server = LiveServer(env)
        contexts = []

        def context(recorder: Recorder):  # noqa: ANN202
            made = browser.new_context(viewport=VIEWPORT, base_url=server.url)
            made.set_default_timeout(30_000)
            recorder.attach(made)
            contexts.append(made)
            return made

        try:
            analyst, member = Recorder(server.url), Recorder(server.url)
            built = SimpleNamespace(backend=request.param, env=env, server=server, one_time=one_time, token=token,
                                    shots=Shots(SHOTS / request.param), analyst=analyst, member=member,
                                    analyst_page=context(analyst).new_page(), member_page=context(member).new_page(),
                                    found={}, timings={})
            yield built
            _say(request, f"{request.param}: {len(built.shots.taken)} screenshots in "
                 f"{built.shots.folder.relative_to(ROOT)}; " + ", ".join(f"{k} {v}" for k, v in built.timings.items()))
        finally:
            for c in contexts:
                c.close()
            server.stop()


def _share_with_alpha(url: str) -> str:
    """What `liaison partners add alpha` and `liaison collections add reports --from-store
    --default-tlp amber` then `grant reports alpha` make, in this process (each command costs
    seconds); alpha's API token."""
    from liaison.settings import Settings
    from liaison.store import open_store
    from liaison.store.sharing import Sharing

    store = open_store(Settings(database_url=url).resolved_database_url())
    sharing = Sharing(store)
    sharing.add_partner("alpha", "Alpha")
    reports = sharing.add_collection("reports", "Reports", default_tlp="amber", follows_store=True)
    sharing.grant(reports["id"], "alpha", True, False)
    token = sharing.issue_token("alpha")
    store.engine.dispose()
    return token


def _step(site, name: str) -> None:  # noqa: ANN001
    """A test that needs what an earlier one made: it fails saying so, not with a KeyError."""
    if name not in site.found:
        pytest.fail(f"an earlier step did not find the {name}", pytrace=False)


def _text(page) -> str:  # noqa: ANN001
    return page.locator("main").inner_text()


def _no_script_errors(recorder: Recorder) -> None:
    errors = recorder.take_errors()
    assert not errors, errors


def _sign_in(page, name: str, password: str) -> None:  # noqa: ANN001
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# ---------------------------------------------------------------- the analyst


def test_an_analyst_signs_in_with_the_one_time_password_and_must_change_it(site):
    page, shots = site.analyst_page, site.shots
    page.goto("/")
    assert "/login" in page.url  # no page without signing in
    shots.take(page, "sign-in")
    _sign_in(page, "analyst", site.one_time)
    assert page.url.endswith("/password"), page.url
    shots.take(page, "password")
    page.get_by_label("Current password").fill(site.one_time)
    page.get_by_label("New password (at least 12 characters)").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state()
    assert re.search(r"/\?changed=1$", page.url), page.url
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    _no_script_errors(site.analyst)


def test_the_analyst_ingests_the_example_articles_through_the_ingest_page(site):
    page, shots = site.analyst_page, site.shots
    page.get_by_role("link", name="Ingest", exact=True).click()
    page.wait_for_url(re.compile(r"/ingest$"))
    shots.take(page, "ingest")
    started = time.monotonic()
    page.locator("#ingest-files").set_input_files(sorted(str(p) for p in EXAMPLES.iterdir()))
    page.get_by_role("button", name="Ingest").click()
    page.wait_for_url(re.compile(r"/ingest/jobs/[0-9a-f]+$"))
    status = page.locator("#ingest-status")
    assert re.search(r"Waiting|Ingesting|Done", status.inner_text()), status.inner_text()
    shots.take(page, "ingest-progress")
    status.get_by_text("Done:").wait_for(timeout=INGEST_MS)  # htmx polls the job's progress
    site.timings["ingest of six articles (s)"] = round(time.monotonic() - started, 1)
    landed = status.locator('li.landed a[href^="/documents/"]')
    assert landed.count() == 6, status.inner_text()
    assert not status.locator("li.failed, [role=alert]").count(), status.inner_text()
    shots.take(page, "ingest-done")
    page.goto("/")
    counts = _counts(page)
    assert counts["documents"] == 6 and counts["events"] >= 20 and counts["entities"] >= 50, counts
    shots.take(page, "dashboard")
    _no_script_errors(site.analyst)


def test_the_analyst_ingests_pasted_text_marked_amber_strict_and_lands_on_it(site):
    page = site.analyst_page
    page.goto("/ingest")
    page.get_by_label("Title").fill(SECRET_TITLE)
    page.get_by_label("Text", exact=True).fill(SECRET_TEXT)
    marking = page.get_by_label("TLP level")
    marking.select_option(label=_option(marking, "amber+strict"))
    page.get_by_role("button", name="Ingest").click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{32}$"), timeout=INGEST_MS)  # one document: htmx goes to it
    site.found["secret"] = DOC_LINK.search(page.url).group(1)
    assert page.locator(".doc-marking").get_by_text("TLP:AMBER+STRICT").is_visible()
    assert page.locator("main h1").inner_text() == SECRET_TITLE
    # The entities it names (their keys, from what its highlights show), so the partner's checks
    # can ask for their pages by address.
    keys = page.evaluate("""() => Object.values(JSON.parse(document.getElementById('doc-details').textContent))
        .flatMap(d => (d.lines || []).filter(l => l[0] === 'Key').map(l => l[1]))""")
    site.found["secret entities"] = sorted({"/entities/" + quote(k, safe="") for k in keys})
    assert len(site.found["secret entities"]) >= 3, keys
    site.shots.take(page, "document-amber-strict")
    _no_script_errors(site.analyst)


def _option(select, wanted: str) -> str:  # noqa: ANN001
    """The label of the select's option that names ``wanted`` (labels may add words)."""
    for label in select.locator("option").all_inner_texts():
        if wanted.lower() in label.lower():
            return label
    raise AssertionError(f"no marking option {wanted!r}")


def _unlike(ref: str) -> str:
    """An address part of the same shape as ``ref`` that names nothing: its hex digits zeroed."""
    kind, sep, rest = ref.rpartition("--")
    made = kind + sep + re.sub(r"[0-9a-f]", "0", rest)
    return made if made != ref else f"{ref}0"


def _counts(page) -> dict[str, int]:  # noqa: ANN001
    """The dashboard's figures: {'documents': n, 'entities': n, 'events': n}."""
    found = {}
    for item in page.locator('[aria-label="What you can see"] li').all_inner_texts():
        m = re.match(r"\s*([\d,]+)\s+(\w+)", item)
        if m:
            found[m.group(2)] = int(m.group(1).replace(",", ""))
    return found


def test_a_documents_highlights_are_reached_by_tab_and_show_what_was_extracted(site):
    page, shots = site.analyst_page, site.shots
    page.goto("/")
    page.locator('main a[href^="/documents/"]').filter(has_text=re.compile("Hamrin", re.I)).first.click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{32}$"))
    site.found["document"] = page.url
    assert page.locator("#doc-text mark").count() >= 5, "the document's text has few highlights"
    assert page.locator(".legend li").count() >= 3, "no legend"
    detail = page.locator("#detail")
    idle = detail.inner_text()
    # From the top of the page, Tab until the focus is on a highlight of the text; every highlight
    # then shows its detail, and an event's says its confidence (a figure) and links its STIX object.
    page.locator("body").focus()
    reached, full = 0, None
    for _ in range(400):
        page.keyboard.press("Tab")
        if not page.evaluate("() => !!document.activeElement.closest('#doc-text mark')"):
            if reached:
                break  # past the last highlight
            continue
        reached += 1
        shown = detail.inner_text()
        assert shown.strip() and shown != idle, "a focused highlight shows nothing"
        if full is None and re.search(r"confidence\s*\d", shown, re.I) and detail.locator('a[href*="/objects/"]').count():
            full = shown
            page.evaluate("() => document.getElementById('text-h').scrollIntoView()")  # the text, in the shot
            shots.take(page, "document")
    assert reached >= 5, f"only {reached} highlights reached with Tab"
    assert full, "no highlight showed a scored confidence and its STIX object"
    _no_script_errors(site.analyst)


def test_an_entity_page_lists_the_documents_and_events_that_mention_it(site):
    page, shots = site.analyst_page, site.shots
    page.goto("/timeline")  # its actors and places link to their entity pages
    page.locator('main a[href^="/entities/"]').filter(has_text=re.compile("Islamic State", re.I)).first.click()
    page.wait_for_url(re.compile(r"/entities/"))
    site.found["entity"] = page.url
    assert "Islamic State" in page.locator("main h1").inner_text()
    assert page.locator('#h-documents ~ * a[href^="/documents/"], section[aria-labelledby="h-documents"] '
                        'a[href^="/documents/"]').count() >= 2
    assert page.locator('section[aria-labelledby="h-events"] tbody tr').count() >= 2
    shots.take(page, "entity")
    _no_script_errors(site.analyst)


def test_the_graph_draws_a_network_around_an_entity(site):
    _step(site, "entity")
    page, shots = site.analyst_page, site.shots
    page.goto(site.found["entity"])
    page.get_by_role("link", name="See it on the graph").click()
    page.wait_for_url(re.compile(r"/graph\?entity="))
    page.wait_for_selector("#graph canvas")  # cytoscape draws on canvases
    nodes = page.locator("#graph-list li").count()
    assert nodes >= 3, f"{nodes} nodes around the entity"
    page.wait_for_timeout(500)  # the layout settles
    shots.take(page, "graph")
    # Clicking a node adds its neighbours: a country's events go well beyond one armed group's.
    where = page.evaluate("""() => {
        const cy = document.getElementById('graph')._cyreg.cy;
        const node = cy.nodes().filter(n => n.data('label') === 'Iraq')[0];
        if (!node) { return null; }
        // Zoomed in on the node first, so the real click lands on it and not on a neighbour the
        // layout drew over it (nodes overlap at the graph's first zoom).
        cy.zoom(3);
        cy.center(node);
        const box = document.getElementById('graph').getBoundingClientRect();
        const at = node.renderedPosition();
        return {x: box.left + at.x, y: box.top + at.y, before: cy.nodes().length};
    }""")
    assert where, "Iraq is not in the graph around Islamic State"
    page.mouse.click(where["x"], where["y"])
    page.locator("#graph-status").get_by_text(re.compile(r"added|Nothing more")).wait_for()
    after = page.evaluate("() => document.getElementById('graph')._cyreg.cy.nodes().length")
    assert after > where["before"], (page.locator("#graph-status").inner_text(), where["before"], after)
    assert page.locator("#graph-list li").count() == after
    # From the keyboard: a node's "Add its neighbours" button in the list expands it as a tap does.
    page.evaluate("() => { document.getElementById('graph-status').textContent = ''; }")
    button = page.locator("#graph-list li").nth(after - 1).get_by_role("button", name="Add its neighbours")
    button.focus()
    page.keyboard.press("Enter")
    page.locator("#graph-status").get_by_text(re.compile(r"added|Nothing more|are shown")).wait_for()
    chosen = page.evaluate("() => document.getElementById('graph')._cyreg.cy.nodes(':selected').map(n => n.id())")
    assert chosen == [page.locator("#graph-list li").nth(after - 1).get_attribute("data-node")]
    _no_script_errors(site.analyst)


def test_the_events_table_filters_by_type_and_the_timeline_and_csv_follow_the_filter(site):
    page, shots = site.analyst_page, site.shots
    page.goto("/events")
    every = _rows(page)
    assert every, "the events table is empty"
    shots.take(page, "events")
    select = page.locator("#f-type")
    wanted = "airstrike"  # the Hamrin article's, among others
    select.select_option(wanted)
    page.locator("main form").filter(has=select).locator('button[type="submit"], input[type="submit"]').first.click()
    page.wait_for_url(re.compile(rf"[?&]type={re.escape(wanted)}"))
    # htmx swaps the table in place: wait for the swap, not only the address.
    page.wait_for_function("""w => {
        const cells = [...document.querySelectorAll('main table.events tbody tr td:nth-child(2)')];
        return cells.length > 0 && cells.every(c => c.innerText.startsWith(w)) }""", arg=wanted)
    filtered = _rows(page)
    assert 0 < len(filtered) < len(every), (wanted, len(filtered), len(every))
    types = page.locator("main table.events tbody tr td:nth-child(2)").all_inner_texts()
    assert all(t.startswith("airstrike") for t in types), types
    shots.take(page, "events-filtered")
    query = page.url.split("?", 1)[1]
    # The CSV and the timeline of the same filter: the same events.
    csv = page.request.get(f"/events.csv?{query}")
    assert csv.status == 200 and csv.headers.get("content-type", "").startswith("text/csv"), csv.status
    rows = list(DictReader(io.StringIO(csv.text())))
    assert len(rows) == len(filtered) and {r["type"] for r in rows} == {wanted}, rows
    page.get_by_role("link", name="Timeline of these events").first.click()
    page.wait_for_url(re.compile(rf"/timeline\?.*type={wanted}"))
    items = page.locator("ol.timeline > li > ul > li")
    assert items.count() == sum(1 for r in rows if r["date_start"]), (items.count(), rows)
    assert set(page.locator("ol.timeline > li > ul > li > strong").all_inner_texts()) == {wanted}
    shots.take(page, "timeline")
    _no_script_errors(site.analyst)


def _rows(page) -> list[str]:  # noqa: ANN001
    return page.locator("main table tbody tr").all_inner_texts()


def test_the_map_draws_country_outlines_and_places_with_no_network(site):
    page, shots = site.analyst_page, site.shots
    page.goto("/map")
    page.wait_for_selector(".leaflet-container", timeout=30_000)
    # Natural Earth outlines are vector paths, drawn from the vendored TopoJSON, not tiles.
    page.wait_for_function("() => document.querySelectorAll('.leaflet-container path').length > 50")
    places = page.locator(".leaflet-container path.leaflet-interactive")
    assert places.count() >= 3, "no place is drawn"
    shots.take(page, "map")
    # A place lists its events beside the map. The click is sent to the circle itself: circles of
    # neighbouring places overlap, and a pointer click at its middle may land on another one.
    places.last.dispatch_event("click")
    page.wait_for_selector("#place-events h2")
    assert page.locator("#place-events").inner_text().startswith("Events in")
    assert page.locator('#place-events a[href^="/documents/"]').count() >= 1
    shots.take(page, "map-place")
    _no_script_errors(site.analyst)


def test_search_finds_documents_by_their_text_with_highlighted_snippets(site):
    page, shots = site.analyst_page, site.shots
    page.goto("/")
    page.get_by_role("searchbox").first.fill("airstrikes")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=airstrikes"))
    assert page.locator('main a[href^="/documents/"]').count() >= 1
    assert page.locator("main mark").count() >= 1, "search snippets have no highlight"
    shots.take(page, "search")
    # The analyst sees the AMBER+STRICT report: the partner's checks below are not vacuous.
    page.goto(f"/search?q={quote('Zarqawi')}")
    assert site.found.get("secret", "-") in page.content()
    _no_script_errors(site.analyst)


#: The elements that reach past the window's right edge (the culprits of a sideways scroll), for the message.
WIDER_THAN_WINDOW = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).slice(0, 8)
    .map(e => [e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
               + (typeof e.className === 'string' && e.className.trim()
                  ? '.' + e.className.trim().split(/\\s+/).join('.') : ''),
               Math.round(e.getBoundingClientRect().right)].join(' '))"""


def test_the_document_and_events_pages_fit_a_tablet_without_sideways_scrolling(site):
    page, shots = site.analyst_page, site.shots
    page.goto("/")
    document = page.locator('main a[href^="/documents/"]').first.get_attribute("href")
    assert document, "no document on the dashboard"
    page.set_viewport_size(TABLET)
    try:
        for path, name in ((document, "document-tablet"), ("/events", "events-tablet")):
            page.goto(path)
            page.wait_for_load_state()
            shots.take(page, name)
            scroll, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= window, (path, scroll, window, page.evaluate(WIDER_THAN_WINDOW))
    finally:
        page.set_viewport_size(VIEWPORT)
    _no_script_errors(site.analyst)


def test_no_page_asked_anything_of_another_host(site):
    assert site.analyst.requests, "nothing was recorded"
    assert not site.analyst.left_the_server(), site.analyst.left_the_server()


# ---------------------------------------------------------------- a partner's member


def test_a_partner_member_signs_in_and_counts_only_what_its_partner_may_read(site):
    _step(site, "secret")
    site.analyst_page.goto("/")
    everything = _counts(site.analyst_page)
    page, shots = site.member_page, site.shots
    page.goto("/login")
    _sign_in(page, "alpha-member", PASSWORD)
    assert page.get_by_role("heading", name="Dashboard").is_visible(), page.url
    counts = _counts(page)
    # The six articles (AMBER by the collection's default, which alpha reads), not the seventh report,
    # nor its events, nor the entities only it names.
    assert everything["documents"] == 7 and counts["documents"] == 6, (everything, counts)
    assert counts["events"] < everything["events"] and counts["entities"] < everything["entities"], (everything,
                                                                                                      counts)
    assert not page.locator('nav a[href="/ingest"]').count(), "a partner's member is offered the ingest page"
    shots.take(page, "partner-dashboard")
    _no_script_errors(site.member)
    refused = page.request.get("/ingest")
    assert refused.status == 403, refused.status


def test_the_amber_strict_report_answers_its_partner_member_as_a_missing_one(site):
    _step(site, "secret")
    page = site.member_page
    secret = site.found["secret"]
    missing = "0" * 32 if secret != "0" * 32 else "1" * 32
    _same_as_missing(page, f"/documents/{secret}", f"/documents/{missing}")
    # Its parts by address too: its STIX objects' JSON and the entities only it names.
    hidden = []
    for href in site.found["secret entities"]:
        if page.request.get(href).status != 200:
            _same_as_missing(page, href, "/entities/" + quote("person:nobody by this name at all", safe=""))
            hidden.append(href)
    assert any("qatada" in h.lower() for h in hidden), (hidden, site.found["secret entities"])
    site.found["hidden entities"] = hidden
    page.goto(f"/documents/{secret}")
    site.shots.take(page, "partner-missing")
    site.member.take_errors()  # the browser logs the 404 it was asked to load


def _same_as_missing(page, hidden: str, missing: str) -> None:  # noqa: ANN001
    """``hidden`` answers as ``missing`` does: same status, type and body, but for the address."""
    got, absent = page.request.get(hidden), page.request.get(missing)
    assert got.status == absent.status == 404, (hidden, got.status, absent.status)
    assert got.headers.get("content-type") == absent.headers.get("content-type")
    assert _unaddressed(got.text(), hidden) == _unaddressed(absent.text(), missing), hidden


def _unaddressed(body: str, path: str) -> str:
    for form in {path, path.rsplit("/", 1)[-1], unquote(path), unquote(path.rsplit("/", 1)[-1])}:
        body = body.replace(form, "ADDRESS")
    return body


#: (page, what the member typed into it and it may show back): none may show the hidden report.
MEMBER_PAGES = [
    ("/", "", 200), ("/events", "", 200), ("/timeline", "", 200), ("/map", "", 200), ("/events.csv", "", 200),
    ("/graph?entity=Islamic+State", "", 200), ("/graph?entity=Zarqawi", "Zarqawi", 404),
    ("/search?q=Zarqa", "Zarqa", 200), ("/search?q=Zarqawi", "Zarqawi", 200),
    ("/search?q=Strictly+held", "Strictly held", 200), ("/search?q=Zarqawi&kind=entities", "Zarqawi", 200),
    ("/search?q=arrested+suspects", "arrested suspects", 200),
]


@pytest.mark.parametrize(("path", "typed", "status"), MEMBER_PAGES, ids=[p for p, _, _ in MEMBER_PAGES])
def test_the_amber_strict_report_is_nowhere_on_its_partner_members_pages(site, path, typed, status):
    _step(site, "hidden entities")
    page = site.member_page
    if path.endswith(".csv"):
        res = page.request.get(path)
        assert res.status == status, res.status
        body = res.text()
    else:
        answer = page.goto(path)
        page.wait_for_load_state("networkidle")
        body = page.content() + page.locator("body").inner_text()
        assert answer.status == status, (path, answer.status)
        if path.startswith(("/map", "/graph?entity=Islamic", "/timeline", "/events")):
            site.shots.take(page, "partner-" + path.strip("/").split("?")[0])
    if typed:  # the search box shows the query back: that is the member's own text
        body = re.sub(re.escape(typed), " ", body, flags=re.I)
    assert site.found["secret"] not in body, path
    for word in (*SECRET_WORDS, "Strictly held"):
        assert word.lower() not in body.lower(), (path, word)
    for href in site.found["hidden entities"]:
        assert href not in body, (path, href)
    site.member.take_errors() if path == "/graph?entity=Zarqawi" else _no_script_errors(site.member)


@pytest.mark.parametrize(("path", "typed", "status"), MEMBER_PAGES, ids=[p for p, _, _ in MEMBER_PAGES])
def test_the_analyst_sees_the_amber_strict_report_on_those_pages(site, path, typed, status):
    """The control of the test above: the same pages show the report to this installation's analyst."""
    _step(site, "secret")
    page = site.analyst_page
    res = page.request.get(path)
    assert res.status == 200, (path, res.status)
    body = re.sub(re.escape(typed), " ", res.text(), flags=re.I) if typed else res.text()
    shown = [w for w in (site.found["secret"], *SECRET_WORDS, "Strictly held") if w.lower() in body.lower()]
    assert shown, path


def test_the_graph_data_of_an_entity_only_the_report_names_is_missing_for_the_member(site):
    _step(site, "hidden entities")
    page = site.member_page
    for href in site.found["hidden entities"]:
        ref = unquote(href.split("/entities/", 1)[1])
        res = page.request.get(f"/graph/data?node={quote('entity:' + ref, safe='')}")
        nothing = page.request.get(f"/graph/data?node={quote('entity:person:nobody by this name', safe='')}")
        assert res.status == nothing.status == 404, (href, res.status)
        assert res.text() == nothing.text()


def test_no_member_page_asked_anything_of_another_host(site):
    assert site.member.requests, "nothing was recorded"
    assert not site.member.left_the_server(), site.member.left_the_server()


def test_signing_out_ends_the_session(site):
    page = site.member_page
    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login\?why="))
    assert "You are signed out." in _text(page)
    page.goto("/events")
    assert re.search(r"/login\?next=%2Fevents", page.url), page.url
    _no_script_errors(site.member)


def test_behind_a_tls_proxy_on_this_machine_taxii_names_the_proxys_https_address(site):
    """docs/web.md's nginx block: the proxy on loopback passes Host and X-Forwarded-Proto, which
    `liaison serve` believes from loopback by default (--forwarded-allow-ips for a proxy elsewhere)."""
    import requests

    headers = {"Authorization": f"Bearer {site.token}", "Accept": "application/taxii+json;version=2.1",
               "Host": "liaison.example.org", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    res = requests.get(site.server.taxii, headers=headers, timeout=30)
    assert res.status_code == 200, res.text
    assert res.json()["api_roots"] == ["https://liaison.example.org/taxii2/api/"]
    # The audit log names the client the proxy saw, not the proxy.
    from liaison.settings import Settings
    from liaison.store import open_store
    from liaison.store.sharing import Sharing

    store = open_store(Settings(database_url=site.env["LIAISON_DATABASE_URL"]).resolved_database_url())
    try:
        remotes = [r["remote"] for r in Sharing(store).audit_log("alpha", limit=5) if r["path"] == "/taxii2/"]
    finally:
        store.engine.dispose()
    assert "203.0.113.7" in remotes, remotes


def test_the_server_logged_no_error(site):
    """A page that answered 500 somewhere above left its traceback here: this names it."""
    log = _server_log(site)
    assert "Traceback" not in log and "ERROR" not in log, log[-6000:]


def _server_log(site) -> str:  # noqa: ANN001
    """What `liaison serve` wrote to its standard error so far (read without waiting)."""
    pipe = site.server.proc.stderr
    os.set_blocking(pipe.fileno(), False)
    try:
        got = pipe.read()
    except BlockingIOError:
        got = None
    site.log = getattr(site, "log", "") + (got or b"").decode(errors="replace")
    return site.log


# ---------------------------------------------------------------- make run's demo analyst


def test_make_runs_demo_analyst_is_made_once_and_kept(tmp_path):
    """`liaison users add NAME --if-missing` (the Makefile's run target): a one-time password the
    first time, the same account and no new password afterwards."""
    env = home_env(tmp_path / "home")
    first = ok_cli(["users", "add", "demo-analyst", "--org", "self", "--if-missing"], env)
    assert "one-time password" in first
    password = first.strip().splitlines()[-1]
    again = ok_cli(["users", "add", "demo-analyst", "--org", "self", "--if-missing"], env)
    assert "exists already" in again and password not in again
    from liaison.store import open_store
    from liaison.store.users import Users

    store = open_store(env["LIAISON_DATABASE_URL"])
    assert [u.name for u in Users(store).list()] == ["demo-analyst"]
    assert Users(store).verify("demo-analyst", password) is not None  # the first password still works
    store.engine.dispose()


# ---------------------------------------------------------------- the sharing admin


ADMIN_PASSWORD = "the administrator's browser-test passphrase"


def test_an_administrator_adds_a_partner_grants_it_a_collection_and_reads_the_audit_log_and_shared_with(
        site, browser):
    """An administrator (made with `liaison users add --admin`) opens the sharing admin from the
    navigation, adds a partner (its token is shown once and authenticates over TAXII), grants it the
    store's collection, reads the audit log, and asks who a document's STIX object is shared with."""
    import requests
    from sqlalchemy import or_, select

    from liaison.settings import Settings
    from liaison.store import open_store
    from liaison.store.schema import DocumentRow, DocumentVersionRow

    res = run_cli(["users", "add", "admin", "--org", "self", "--admin", "--password-stdin"], site.env,
                  stdin=f"{ADMIN_PASSWORD}\n".encode())
    assert res.returncode == 0, res.stderr.decode()

    def an_article() -> str | None:
        store = open_store(Settings(database_url=site.env["LIAISON_DATABASE_URL"]).resolved_database_url())
        d, v = DocumentRow.__table__, DocumentVersionRow.__table__
        try:
            with store.engine.connect() as conn:
                current = (v.c.document_id == d.c.id) & (v.c.version == d.c.current_version)
                untitled_or_not_secret = or_(v.c.title.is_(None), v.c.title != SECRET_TITLE)
                return conn.execute(select(d.c.id).join(v, current).where(untitled_or_not_secret)
                                    .order_by(d.c.id).limit(1)).scalar()
        finally:
            store.engine.dispose()

    if an_article() is None:  # run on its own (-k admin): one example article, as `liaison ingest` stores it
        ok_cli(["ingest", str(sorted(EXAMPLES.iterdir())[0])], site.env)
    article = an_article()
    recorder = Recorder(site.server.url)
    context = browser.new_context(viewport=VIEWPORT, base_url=site.server.url)
    context.set_default_timeout(30_000)
    recorder.attach(context)
    try:
        page, shots = context.new_page(), site.shots
        page.goto("/")
        _sign_in(page, "admin", ADMIN_PASSWORD)
        page.get_by_role("link", name="Admin", exact=True).click()
        page.wait_for_url(re.compile(r"/admin$"))
        assert page.get_by_role("heading", name="Sharing admin").is_visible()
        shots.take(page, "admin")

        page.get_by_role("navigation", name="Sharing admin").get_by_role("link", name="Partners").click()
        page.get_by_label("Id (letters, digits, - and _)").fill("cell-b")
        page.get_by_label("Name of the organisation").fill("Coalition cell B")
        page.get_by_role("button", name="Add partner").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Partner cell-b added").is_visible()
        token = page.get_by_role("textbox", name="Token").input_value()
        assert token.startswith("liaison_")
        shots.take(page, "admin-token")
        taxii = {"Authorization": f"Bearer {token}", "Accept": "application/taxii+json;version=2.1"}
        listed = requests.get(site.server.taxii + "api/collections/", headers=taxii, timeout=30)
        assert listed.status_code == 200 and not listed.json().get("collections"), listed.text
        page.goto("/admin/partners")
        assert token not in page.content()  # shown once
        shots.take(page, "admin-partners")

        page.get_by_role("navigation", name="Sharing admin").get_by_role("link", name="Collections").click()
        page.get_by_label("Collection (alias or id)").fill("reports")
        page.get_by_label("Partner id").fill("cell-b")
        page.get_by_role("button", name="Set rights").click()
        page.wait_for_load_state()
        assert "cell-b may read reports" in _text(page)
        shots.take(page, "admin-collections", full_page=True)
        listed = requests.get(site.server.taxii + "api/collections/", headers=taxii, timeout=30)
        assert [c["title"] for c in listed.json()["collections"]] == ["Reports"], listed.text

        page.get_by_role("navigation", name="Sharing admin").get_by_role("link", name="Audit log").click()
        page.get_by_label("Partner id").fill("cell-b")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state()
        assert "/taxii2/api/collections/" in _text(page)  # its two TAXII requests, newest first
        page.goto("/admin/audit")
        assert "/admin/grants" in _text(page) and "admin" in _text(page)
        shots.take(page, "admin-audit")

        page.goto(f"/documents/{article}")
        page.locator("table.objects a[href*='/objects/']").first.click()
        page.get_by_role("link", name="Shared with").click()
        page.wait_for_url(re.compile(r"/admin/shared\?object="))
        readers = page.locator("table.shared")
        row = readers.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(r"^cell-b")))
        assert "yes" in row.inner_text() and "Served by reports (read grant)" in row.inner_text(), readers.inner_text()
        shots.take(page, "admin-shared", full_page=True)
        assert not recorder.left_the_server(), recorder.left_the_server()
        _no_script_errors(recorder)
    finally:
        context.close()
