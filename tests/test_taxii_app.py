"""The composition root: the TAXII mount keeps its error format and content negotiation to itself,
`/` is not TAXII's, services come to endpoints as a dependency, and the lifespan prepares the store."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient

from liaison.settings import Settings
from liaison.share import services
from liaison.share.app import TAXII, create_app


def _app(database_url, tmp_path):  # noqa: ANN202
    return create_app(Settings(home=tmp_path / "home", database_url=database_url))


def test_a_browser_asking_for_the_root_gets_a_page_not_a_taxii_answer(database_url, tmp_path):
    client = TestClient(_app(database_url, tmp_path))
    for accept in ("text/html,application/xhtml+xml", TAXII, None):
        res = client.get("/", headers={"Accept": accept} if accept else {})  # the web UI's sign-in page
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/html"), accept
        assert "Sign in" in res.text and "http_status" not in res.text
    missing = client.get("/nowhere", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and not missing.headers["content-type"].startswith("application/taxii+json")
    assert "http_status" not in missing.text


def test_errors_under_the_taxii_mount_are_taxii_error_resources(database_url, tmp_path):
    client = TestClient(_app(database_url, tmp_path))
    for path, accept, status in (("/taxii2/nowhere/", TAXII, 404), ("/taxii2/", "text/html", 406),
                                 ("/taxii2/api/", TAXII, 401)):
        res = client.get(path, headers={"Accept": accept})
        assert res.status_code == status and res.headers["content-type"] == TAXII, path
        assert res.json()["http_status"] == str(status) and res.json()["title"]


def test_the_lifespan_migrates_the_store_and_looks_up_the_organisation_before_any_request(database_url, tmp_path):
    app = _app(database_url, tmp_path)
    assert getattr(app.state, "services", None) is None
    with TestClient(app):
        built = app.state.services
        assert built.own == {built.store.organisation()["identity_id"]}
        assert built.store.organisation()["identity_id"] in built.own


def test_endpoints_reach_services_as_a_dependency(database_url, tmp_path):
    app = _app(database_url, tmp_path)
    real = services.of(app)
    renamed = dataclasses.replace(real, settings=real.settings.model_copy(update={"title": "Elsewhere"}))
    app.dependency_overrides[services.services] = lambda: renamed
    built = renamed.sharing.add_collection("open", "Open", default_tlp="clear", public=True)
    assert built["alias"] == "open"
    res = TestClient(app).get("/taxii2/", headers={"Accept": TAXII})
    assert res.status_code == 200 and res.json()["title"] == "Elsewhere"


def _warmed() -> None:
    import threading

    for thread in threading.enumerate():
        if thread.name == "names-warm":
            thread.join(timeout=60)


def test_a_large_stores_server_freezes_what_start_made_and_a_small_ones_does_not(database_url, tmp_path, monkeypatch):
    import gc

    from liaison.share import app as root

    app = _app(database_url, tmp_path)
    before = gc.get_freeze_count()
    with TestClient(app):
        _warmed()
        assert gc.get_freeze_count() == before  # an empty store is small: nothing frozen
    monkeypatch.setattr(root, "FREEZE_DOCUMENTS", -1)  # every store counted as large
    try:
        with TestClient(_app(database_url, tmp_path)):
            _warmed()
            assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
