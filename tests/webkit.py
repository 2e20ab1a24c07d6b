"""What the web UI's tests share: a store with the example articles ingested for real, partners,
collections and users of every kind, and a TestClient signed in as any of them through the real
sign-in form (its CSRF token included).

A test module makes one ``WebWorld`` per backend and module (``world_fixture``), because
ingesting the articles costs seconds; tests that change the store make their own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import BACKENDS, EXAMPLES, backend_database
from liaison.settings import Settings
from liaison.share.app import create_app
from liaison.store import open_store
from liaison.store.sharing import Sharing
from liaison.store.users import Users

PASSWORD = "a long enough test password"
#: user name -> (organisation: a partner id or None for this installation, administrator?)
USERS = {"analyst": (None, False), "admin": (None, True), "alpha-member": ("alpha", False),
         "bravo-member": ("bravo", False)}
#: The document only the installation sees: AMBER+STRICT with no recipients, in the collection alpha reads.
SECRET_TITLE = "Strictly held report"
SECRET_TEXT = ("ZARQA, Oct 3, 2025 - Jordanian police arrested seven Islamic State suspects in Zarqa on Tuesday, "
               "the interior ministry said. The cell, led by Abu Qatada al-Zarqawi, planned attacks in Mafraq.")

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class WebWorld:
    """Partners alpha (reads the store-following collection `reports`, default AMBER) and bravo (no
    grant), the example articles, one AMBER+STRICT document only the installation may see, and
    the users of ``USERS``."""

    def __init__(self, database_url: str, folder: Path, examples: bool = True) -> None:
        self.settings = Settings(home=folder / "home", database_url=database_url, validation_workers=1)
        self.store = open_store(self.settings.resolved_database_url())
        self.sharing = Sharing(self.store)
        self.folder = folder
        for p in ("alpha", "bravo"):
            self.sharing.add_partner(p, p.title())
        self.reports = self.sharing.add_collection("reports", "Reports", default_tlp="amber", follows_store=True)
        self.sharing.grant(self.reports["id"], "alpha", True, False)
        users = Users(self.store)
        for name, (org, admin) in USERS.items():
            users.add(name, org, admin=admin, password=PASSWORD)
        paths = sorted(str(p) for p in EXAMPLES.iterdir()) if examples else []
        secret = folder / "strict.json"
        secret.write_text(json.dumps({"title": SECRET_TITLE, "text": SECRET_TEXT, "tlp": "amber+strict"}),
                          encoding="utf-8")
        self.ingest([*paths, str(secret)])
        self.app = create_app(self.settings)

    def ingest(self, paths: list[str]) -> None:
        from liaison.pipeline import ingest

        report = ingest(paths, self.settings, self.store)
        assert not report.failures, report.failures
        self.sharing.sync_all()

    def client(self, user: str | None = None) -> TestClient:
        """A client of the app, signed in as ``user`` (None: not signed in)."""
        client = TestClient(self.app, raise_server_exceptions=False)
        if user is not None:
            sign_in(client, user)
        return client

    def document_id(self, title: str) -> str:
        from sqlalchemy import select

        from liaison.store.schema import DocumentRow, DocumentVersionRow

        d, v = DocumentRow.__table__, DocumentVersionRow.__table__
        with self.store.engine.connect() as conn:
            return conn.execute(select(d.c.id).join(v, (v.c.document_id == d.c.id) & (v.c.version == d.c.current_version))
                                .where(v.c.title == title)).scalar_one()


def sign_in(client: TestClient, user: str, password: str = PASSWORD) -> None:
    form = client.get("/login")
    res = client.post("/login", data={"name": user, "password": password, "csrf_token": csrf_of(form.text), "next": "/"},
                      follow_redirects=False)
    assert res.status_code == 303, (res.status_code, res.text[:300])


def world_fixture(examples: bool = True):  # noqa: ANN201
    """A module-scoped ``world`` fixture, one per backend."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def world(request, tmp_path_factory):  # noqa: ANN001,ANN202
        folder = tmp_path_factory.mktemp("web")
        with backend_database(request, request.param, folder) as url:
            built = WebWorld(url, folder, examples)
            yield built
            built.store.engine.dispose()

    return world
