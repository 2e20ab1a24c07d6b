"""Signing in to the web UI: sessions, CSRF, rate limits, one-time passwords, and what ends a session."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from liaison.store.schema import AuditRow
from liaison.store.users import FREE_TRIES, Users
from webkit import PASSWORD, WebWorld, csrf_of, sign_in, world_fixture

world = world_fixture(examples=False)


def test_a_page_asks_for_sign_in_and_returns_to_it_afterwards(world: WebWorld):
    client = world.client()
    res = client.get("/?since=week", follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"].startswith("/login?next=%2F%3Fsince%3Dweek")
    form = client.get(res.headers["location"])
    assert 'value="/?since=week"' in form.text
    done = client.post("/login", data={"name": "analyst", "password": PASSWORD, "csrf_token": csrf_of(form.text),
                                       "next": "/?since=week"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/?since=week"


def test_the_session_cookie_is_httponly_samesite_and_signed(world: WebWorld):
    client = world.client()
    form = client.get("/login")
    res = client.post("/login", data={"name": "analyst", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
                      follow_redirects=False)
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    forged = world.client()
    forged.cookies.set("liaison_session", client.cookies["liaison_session"][:-4] + "AAAA")
    assert forged.get("/", follow_redirects=False).status_code == 303


def test_a_sign_in_goes_only_to_a_path_on_this_site(world: WebWorld):
    client = world.client()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        form = client.get("/login")
        res = client.post("/login", data={"name": "analyst", "password": PASSWORD, "csrf_token": csrf_of(form.text),
                                          "next": target}, follow_redirects=False)
        assert res.headers["location"] == "/", target


def test_a_form_without_this_sessions_token_is_refused(world: WebWorld):
    client = world.client("analyst")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    stale = world.client()
    res = stale.post("/login", data={"name": "analyst", "password": PASSWORD, "csrf_token": "stale"})
    assert res.status_code == 403 and "out of date" in res.text


def test_sign_out_ends_the_session(world: WebWorld):
    client = world.client("analyst")
    token = csrf_of(client.get("/").text)
    res = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert res.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_passwords_are_slowed_per_name_after_a_few(world: WebWorld):
    users = Users(world.store)
    users.add("guessed", None, password=PASSWORD)
    client = world.client()
    for _ in range(FREE_TRIES):
        form = client.get("/login")
        res = client.post("/login", data={"name": "guessed", "password": "wrong password!",
                                          "csrf_token": csrf_of(form.text)})
        assert res.status_code == 401 and "Wrong name or password" in res.text
    form = client.get("/login")
    res = client.post("/login", data={"name": "guessed", "password": PASSWORD, "csrf_token": csrf_of(form.text)})
    assert res.status_code == 429 and int(res.headers["retry-after"]) >= 1 and "wait" in res.text


def test_a_one_time_password_must_be_changed_before_anything_else(world: WebWorld):
    users = Users(world.store)
    one_time = users.add("newcomer", None)
    client = world.client()
    form = client.get("/login")
    res = client.post("/login", data={"name": "newcomer", "password": one_time, "csrf_token": csrf_of(form.text)},
                      follow_redirects=False)
    assert res.headers["location"] == "/password"
    assert client.get("/", follow_redirects=False).headers["location"] == "/password"
    page = client.get("/password")
    short = client.post("/password", data={"csrf_token": csrf_of(page.text), "current": one_time, "new": "short",
                                           "again": "short"})
    assert short.status_code == 400 and "12 characters" in short.text
    done = client.post("/password", data={"csrf_token": csrf_of(page.text), "current": one_time,
                                          "new": "my own password now", "again": "my own password now"})
    assert done.status_code == 200 and "Dashboard" in done.text
    sign_in(world.client(), "newcomer", "my own password now")


def test_a_disabled_user_or_a_reset_password_ends_open_sessions(world: WebWorld):
    users = Users(world.store)
    users.add("leaver", None, password=PASSWORD)
    users.add("resetter", None, password=PASSWORD)
    leaver, resetter = world.client("leaver"), world.client("resetter")
    users.disable("leaver")
    users.reset("resetter", "another long password")
    assert leaver.get("/", follow_redirects=False).status_code == 303
    assert resetter.get("/", follow_redirects=False).status_code == 303


def test_an_expired_session_says_so_at_sign_in(world: WebWorld):
    client = world.client("analyst")
    world.app.state.web_sessions.lifetime_s = 0
    try:
        import time

        time.sleep(1.1)
        res = client.get("/", follow_redirects=False)
        assert res.status_code == 303 and "expired" in res.headers["location"]
        assert "expired" in client.get(res.headers["location"]).text
    finally:
        world.app.state.web_sessions.lifetime_s = int(world.settings.session_hours * 3600)


def test_every_page_view_is_in_the_audit_log_with_its_user(world: WebWorld):
    client = world.client("alpha-member")
    client.get("/?audit-probe=1")
    with world.store.engine.connect() as conn:
        rows = conn.execute(select(AuditRow.user_name, AuditRow.partner_id, AuditRow.status)
                            .where(AuditRow.path == "/?audit-probe=1")).all()
    assert rows == [("alpha-member", "alpha", 200)]


@pytest.mark.parametrize("path", ["/taxii2", "/taxii2/", "/taxii2x-not-taxii"])
def test_a_request_near_the_taxii_root_is_in_the_audit_log_once(world: WebWorld, path: str):
    asked = f"{path}?audit-once={len(path)}"  # each case its own (a redirect adds a slash to /taxii2)
    world.client("analyst").get(asked, follow_redirects=False)
    with world.store.engine.connect() as conn:
        rows = conn.execute(select(AuditRow.path).where(AuditRow.path == asked)).all()
    assert len(rows) == 1


def test_a_fresh_store_has_no_account_to_sign_in_with(tmp_path):
    from liaison.settings import Settings
    from liaison.share.app import create_app
    from liaison.store import open_store

    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'fresh.db'}", validation_workers=1)
    assert Users(open_store(settings.resolved_database_url())).list() == []
    from fastapi.testclient import TestClient

    client = TestClient(create_app(settings))
    for name, password in (("admin", "admin"), ("admin", PASSWORD), ("liaison", "liaison")):
        form = client.get("/login")
        res = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(form.text)})
        assert res.status_code == 401


def test_many_failures_from_one_address_are_slowed_whatever_the_names(world: WebWorld):
    from liaison.web.signin import ATTEMPTS

    client = world.client()
    world.app.state.signin_failures.clear() if hasattr(world.app.state, "signin_failures") else None
    for i in range(ATTEMPTS):
        form = client.get("/login")
        client.post("/login", data={"name": f"nobody{i}", "password": "wrong password!", "csrf_token": csrf_of(form.text)})
    form = client.get("/login")
    res = client.post("/login", data={"name": "analyst", "password": PASSWORD, "csrf_token": csrf_of(form.text)})
    assert res.status_code == 429 and "Retry-After".lower() in {k.lower() for k in res.headers}
    world.app.state.signin_failures.clear()


def test_pages_admit_only_this_sites_scripts_and_no_framing(world: WebWorld):
    res = world.client("analyst").get("/")
    csp = res.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert res.headers["x-content-type-options"] == "nosniff" and res.headers["x-frame-options"] == "DENY"
    assert "<script>" not in res.text  # no inline script: every script is a file of this site
    taxii = world.client().get("/taxii2/", headers={"Accept": "application/taxii+json;version=2.1"})
    assert "content-security-policy" not in taxii.headers  # the TAXII mount's answers are its own
