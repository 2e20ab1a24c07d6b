"""The document page: highlights by kind, escaped text, the access rule (a hidden document is a missing
one), its STIX objects as JSON, and re-marking by analysts only."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import BACKENDS, backend_database
from liaison.store.schema import DocumentRow
from liaison.web.documents import Highlight, layout, render_text, safe_url
from webkit import SECRET_TITLE, WebWorld, csrf_of, world_fixture

world = world_fixture()

JORDAN = "01_jordan_foiled_mall_bombing"
MISSING = "0123456789abcdef0123456789abcdef"
OBJECT_LINK = re.compile(r'href="(/documents/[0-9a-f]{32}/objects/[^"]+)"')


def _id(world: WebWorld, stem: str) -> str:
    with world.store.engine.connect() as conn:
        return conn.execute(select(DocumentRow.id).where(DocumentRow.stem == stem)).scalar_one()


def _text_block(page: str) -> str:
    found = re.search(r'<div class="doc-text" id="doc-text">(.*?)</div>\s*<aside', page, re.S)
    assert found, "no document text on the page"
    return found.group(1)


def _details(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="doc-details">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found.group(1))


class _Balance(HTMLParser):
    """Whether <mark> and <span> open and close in order (well-formed nesting)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        if tag in ("mark", "span"):
            self.stack.append(tag)

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        if tag in ("mark", "span"):
            self.ok = self.ok and bool(self.stack) and self.stack.pop() == tag


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path):  # noqa: ANN001, ANN201
    """A small world of its own (only the AMBER+STRICT document) for tests that change the store."""
    with backend_database(request, request.param, tmp_path) as url:
        built = WebWorld(url, tmp_path, examples=False)
        yield built
        built.store.engine.dispose()


def test_every_kind_of_extraction_is_highlighted_by_a_mark_reachable_by_tab(world: WebWorld):
    page = world.client("analyst").get(f"/documents/{_id(world, JORDAN)}").text
    block = _text_block(page)
    for kind in ("k-event", "k-date", "k-figure", "k-source", "k-armed_group", "k-location", "k-government_body"):
        assert f'<mark class="{kind}" tabindex="0"' in block, kind
    assert 'class="ev-evidence"' in block
    assert all('tabindex="0"' in m for m in re.findall(r"<mark[^>]*>", block))
    details = _details(page)
    used = {i for ids in re.findall(r'data-d="([^"]+)"', block) for i in ids.split()}
    assert used <= set(details)
    trigger = next(d for k, d in details.items() if k.startswith("ev-"))
    assert trigger["confidence"] and trigger["stix"].startswith("event--")
    assert trigger["href"] == f"/documents/{_id(world, JORDAN)}/objects/{trigger['stix']}"
    assert 'class="legend"' in page and 'aria-live="polite"' in page and "/static/document.js" in page


def test_the_highlighted_text_is_the_stored_text_well_formed(world: WebWorld):
    from liaison.store.access import own_analyst
    from liaison.store.reading.documents import document

    did = _id(world, JORDAN)
    block = _text_block(world.client("analyst").get(f"/documents/{did}").text)
    balance = _Balance()
    balance.feed(block)
    assert balance.ok and not balance.stack
    assert html.unescape(re.sub(r"<[^>]+>", "", block)) == document(world.store, own_analyst(), did)["text"]


def test_overlapping_spans_nest_or_the_crossing_one_is_left_out():
    text = "<b>Abu & Co</b> said"
    spans = [Highlight(0, 20, "k-source", 1, ["s"], ["Source: <x>"]),
             Highlight(3, 11, "k-person", 3, ["p"], ['"quoted"']),
             Highlight(7, 15, "k-organization", 3, ["o"], []),  # crosses the person's end
             Highlight(3, 11, "k-person", 3, ["p2"], []),  # the same span again: one mark, both details
             Highlight(40, 50, "k-date", 4, ["d"], [])]  # outside the text
    roots, dropped = layout(len(text), spans)
    out = str(render_text(text, roots))
    assert dropped == 1
    assert out == ('<mark class="k-source" tabindex="0" data-d="s" title="Source: &lt;x&gt;">&lt;b&gt;'
                   '<mark class="k-person" tabindex="0" data-d="p p2" title="&#34;quoted&#34;">Abu &amp; Co</mark>'
                   '&lt;/b&gt; said</mark>')


def test_only_http_and_https_urls_become_links():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "data:text/html,<script>", "//evil.example/", "ftp://x.org/", "http://",
                "https://x.org/\nfoo", None, ""):
        assert safe_url(bad) is None, bad


def test_script_and_html_in_a_documents_title_and_text_show_as_text(fresh: WebWorld, tmp_path: Path):
    hostile = tmp_path / "hostile.json"
    title = "<script>alert('title')</script>"
    body = ("KABUL, Oct 2, 2025 - <img src=x onerror=alert(1)> Taliban fighters attacked a police post in Kabul "
            "</mark><script>alert('text')</script> on Tuesday, killing 4 officers, the interior ministry said.")
    hostile.write_text(json.dumps({"title": title, "text": body, "url": "javascript:alert(1)"}), encoding="utf-8")
    fresh.ingest([str(hostile)])
    page = fresh.client("analyst").get(f"/documents/{fresh.document_id(title)}")
    assert page.status_code == 200
    for raw in ("<script>alert(", "<img src=x", "</mark><script>", 'href="javascript:'):
        assert raw not in page.text, raw
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert '<span class="url-text">javascript:alert(1)</span>' in page.text


def test_a_partner_member_sees_a_document_its_collection_shares_without_the_marking_control(world: WebWorld):
    res = world.client("alpha-member").get(f"/documents/{_id(world, JORDAN)}")
    assert res.status_code == 200
    assert "Change the marking" not in res.text and "/marking" not in res.text
    assert 'class="tlp tlp-none"' in res.text  # unmarked: the collection's default decides
    assert "<mark" in res.text


def test_a_hidden_document_and_its_objects_answer_exactly_like_missing_ones(world: WebWorld):
    secret = world.document_id(SECRET_TITLE)
    own = world.client("analyst").get(f"/documents/{secret}")
    assert own.status_code == 200 and SECRET_TITLE in own.text and "TLP:AMBER+STRICT" in own.text
    objects = sorted(set(OBJECT_LINK.findall(own.text)))
    assert objects
    for who in ("alpha-member", "bravo-member"):
        client = world.client(who)
        missing = client.get(f"/documents/{MISSING}")
        assert missing.status_code == 404
        for path in [f"/documents/{secret}", *objects, *(p + "/json" for p in objects),
                     f"/documents/{MISSING}/objects/{objects[0].rsplit('/', 1)[1]}", "/documents/not-an-id"]:
            res = client.get(path)
            assert (res.status_code, res.text) == (404, missing.text), (who, path)
        assert SECRET_TITLE not in missing.text


def test_a_partner_without_a_grant_sees_no_document(world: WebWorld):
    client = world.client("bravo-member")
    with world.store.engine.connect() as conn:
        ids = list(conn.execute(select(DocumentRow.id)).scalars())
    assert ids and all(client.get(f"/documents/{d}").status_code == 404 for d in ids)


def test_each_stix_object_is_pretty_printed_json_at_its_own_url(world: WebWorld):
    client = world.client("alpha-member")
    did = _id(world, JORDAN)
    links = sorted(set(OBJECT_LINK.findall(client.get(f"/documents/{did}").text)))
    event = next(p for p in links if "/event--" in p)
    res = client.get(event)
    assert res.status_code == 200 and '<pre class="json"' in res.text
    assert "&#34;type&#34;: &#34;event&#34;" in res.text  # indented and escaped
    raw = client.get(event + "/json")
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.json()["id"] == event.rsplit("/", 1)[1]
    # an object of one document is not found under another's URL
    other = _id(world, "06_hamrin_airstrikes")
    assert client.get(event.replace(did, other)).status_code == 404


def test_bad_list_offsets_get_a_400_page(world: WebWorld):
    client = world.client("analyst")
    did = _id(world, JORDAN)
    for value in ("-1", "x", "9" * 40):
        res = client.get(f"/documents/{did}", params={"events_offset": value})
        assert res.status_code == 400 and res.headers["content-type"].startswith("text/html"), value


def _mark(client, did: str, tlp: str, recipients: tuple[str, ...] = (), token: str | None = None):  # noqa: ANN001, ANN202
    token = token or csrf_of(client.get(f"/documents/{did}").text)
    return client.post(f"/documents/{did}/marking", data={"csrf_token": token, "tlp": tlp,
                                                          "recipient": list(recipients)}, follow_redirects=False)


def _marking(world: WebWorld, did: str) -> tuple[str | None, str | None]:
    with world.store.engine.connect() as conn:
        return tuple(conn.execute(select(DocumentRow.tlp, DocumentRow.recipients).where(DocumentRow.id == did)).one())


def test_an_analyst_re_marks_a_document_and_the_partners_view_follows(fresh: WebWorld):
    secret = fresh.document_id(SECRET_TITLE)
    analyst, alpha = fresh.client("analyst"), fresh.client("alpha-member")
    assert alpha.get(f"/documents/{secret}").status_code == 404
    page = analyst.get(f"/documents/{secret}").text
    assert "Change the marking" in page and 'value="alpha"' in page
    assert '<option value="amber+strict" selected>' in page  # the form starts from the marking it has
    res = _mark(analyst, secret, "amber")
    assert res.status_code == 303 and res.headers["location"].startswith(f"/documents/{secret}?marked=")
    assert "Marking changed" in analyst.get(res.headers["location"]).text
    assert _marking(fresh, secret)[0] == "amber"
    assert alpha.get(f"/documents/{secret}").status_code == 200
    assert _mark(analyst, secret, "red").status_code == 303
    assert alpha.get(f"/documents/{secret}").status_code == 404
    assert _mark(analyst, secret, "amber+strict", ("alpha",)).status_code == 303
    assert alpha.get(f"/documents/{secret}").status_code == 200
    assert fresh.client("bravo-member").get(f"/documents/{secret}").status_code == 404
    shown = analyst.get(f"/documents/{secret}").text
    assert "TLP:AMBER+STRICT" in shown and "also for alpha" in shown


def test_a_marking_the_cli_would_refuse_is_refused_with_its_message(fresh: WebWorld):
    secret = fresh.document_id(SECRET_TITLE)
    analyst = fresh.client("analyst")
    for tlp, recipients, says in (("green", ("alpha",), "recipients apply only"), ("purple", (), "unknown TLP level"),
                                  ("", (), "unknown TLP level"),
                                  ("red", ("nobody",), "No such partner: nobody")):
        res = _mark(analyst, secret, tlp, recipients)
        assert res.status_code == 400 and says in res.text, (tlp, res.text[:300])
    assert _marking(fresh, secret)[0] == "amber+strict"


def test_a_partner_member_may_not_re_mark_and_a_forged_token_is_refused(fresh: WebWorld):
    secret = fresh.document_id(SECRET_TITLE)
    analyst_token = csrf_of(fresh.client("analyst").get("/").text)
    for who in ("alpha-member", "bravo-member"):
        client = fresh.client(who)
        token = csrf_of(client.get("/").text)
        res = _mark(client, secret, "clear", token=token)
        assert res.status_code == 403 and "analysts" in res.text, who
        assert _mark(client, secret, "clear", token=analyst_token).status_code == 403
    analyst = fresh.client("analyst")
    forged = _mark(analyst, secret, "clear", token="forged")
    assert forged.status_code == 403 and "out of date" in forged.text
    stale = _mark(analyst, secret, "clear", token=analyst_token)  # another session's token
    assert stale.status_code == 403
    assert _marking(fresh, secret)[0] == "amber+strict"


def test_a_partner_is_shown_the_version_of_an_object_that_taxii_serves_it(fresh: WebWorld):
    from liaison.stix.tlp import Marking

    secret = fresh.document_id(SECRET_TITLE)
    fresh.store.mark_document(secret, Marking("amber"))
    fresh.sharing.sync_all()
    token = fresh.sharing.issue_token("alpha")
    alpha = fresh.client("alpha-member")
    links = sorted(set(OBJECT_LINK.findall(alpha.get(f"/documents/{secret}").text)))
    place = next(p for p in links if "/location--" in p)
    oid = place.rsplit("/", 1)[1]
    taxii = f"/taxii2/api/collections/{fresh.reports['id']}/objects/{oid}/"

    def served() -> dict | None:
        res = alpha.get(taxii, headers={"Accept": "application/taxii+json;version=2.1", "Authorization": f"Bearer {token}"})
        return max(res.json().get("objects", []), key=lambda o: o["modified"]) if res.status_code == 200 else None

    assert alpha.get(place + "/json").json() == served()
    fresh.store.mark_object(oid, Marking("red"))  # a new version alpha may not read; what it held stays
    fresh.sharing.sync_all()
    web = alpha.get(place + "/json")
    assert (web.json() if web.status_code == 200 else None) == served()
    assert fresh.client("analyst").get(place + "/json").json()["object_marking_refs"] != served()["object_marking_refs"]
