"""The web bench's generated store is one the real pages render, for an analyst and a partner member,
and the access rule holds in it: the partner member sees strictly fewer documents (bench/web_data.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import web_bench  # noqa: E402
import web_data  # noqa: E402

DOCUMENTS = 60


@pytest.fixture(scope="module")
def built(tmp_path_factory):  # noqa: ANN001, ANN201
    from liaison.settings import Settings
    from liaison.share.app import create_app

    folder = tmp_path_factory.mktemp("web-bench")
    path, made = web_data.build_store(folder, DOCUMENTS)
    assert made
    url = f"sqlite:///{path}"
    app = create_app(Settings(home=folder / "home", database_url=url, validation_workers=1))
    yield path, app


def _client(app, user: str) -> TestClient:  # noqa: ANN001
    client = TestClient(app, raise_server_exceptions=False)
    web_bench.sign_in(client, user)
    return client


def test_generated_rows_fill_every_table_the_pages_read(built) -> None:  # noqa: ANN001
    import sqlite3

    path, _ = built
    con = sqlite3.connect(path)
    try:
        for table in web_data.COLUMNS:
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == DOCUMENTS
        levels = {r[0] for r in con.execute("SELECT DISTINCT tlp FROM documents")}
        assert {"amber+strict", None} <= levels
        # every mention's offsets point at its own text in the version it belongs to
        bad = con.execute("SELECT count(*) FROM mentions m JOIN document_versions v ON v.document_id = m.document_id "
                          "AND v.version = m.version WHERE substr(v.text, m.start + 1, m.\"end\" - m.start) != m.text"
                          ).fetchone()[0]
        assert bad == 0
    finally:
        con.close()


def test_a_cached_store_is_reused(built) -> None:  # noqa: ANN001
    path, _ = built
    again, made = web_data.build_store(path.parent, DOCUMENTS)
    assert again == path and not made


def test_partner_member_sees_strictly_fewer_documents_than_the_analyst(built) -> None:  # noqa: ANN001
    from liaison.store import open_store
    from liaison.store.reading import dashboard
    from liaison.store.users import Users

    path, _ = built
    store = open_store(f"sqlite:///{path}")
    try:
        users = Users(store)
        analyst = dashboard.counts(store, users.actor(users.get(web_data.ANALYST)))
        partner = dashboard.counts(store, users.actor(users.get(web_data.PARTNER_MEMBER)))
    finally:
        store.engine.dispose()
    assert analyst["documents"] == DOCUMENTS
    assert 0 < partner["documents"] < analyst["documents"]


@pytest.mark.parametrize("user", [web_data.ANALYST, web_data.PARTNER_MEMBER])
def test_every_mounted_page_renders_the_generated_rows(built, user: str) -> None:  # noqa: ANN001
    from liaison.store import open_store

    path, app = built
    store = open_store(f"sqlite:///{path}")
    try:
        import random

        s = web_bench.samples(store, random.Random(3), count=3)
    finally:
        store.engine.dispose()
    mounted = set(web_bench._paths(app.routes))
    client = _client(app, user)
    asked = 0
    for pg in web_bench.pages():
        if pg.route not in mounted or pg.route == "/login" or (user == web_data.PARTNER_MEMBER and not pg.partner):
            continue
        for url in pg.urls(s)[:3]:
            if "10,000" in pg.name:
                continue
            res = client.get(url, follow_redirects=False)
            assert res.status_code < 500, (url, res.status_code)
            if pg.name in ("document", "dashboard", "events", "timeline", "map"):
                assert res.status_code == 200, (url, res.status_code)
            asked += 1
    assert asked > 5


def test_partner_member_is_refused_a_document_only_the_analyst_may_see(built) -> None:  # noqa: ANN001
    from liaison.store import open_store

    path, app = built
    store = open_store(f"sqlite:///{path}")
    try:
        import random

        s = web_bench.samples(store, random.Random(3), count=6)
    finally:
        store.engine.dispose()
    hidden = [d for d in s.strict_documents if d not in s.documents]
    assert hidden
    assert _client(app, web_data.ANALYST).get(f"/documents/{hidden[0]}").status_code == 200
    assert _client(app, web_data.PARTNER_MEMBER).get(f"/documents/{hidden[0]}").status_code == 404
