"""Sharing admin (`/admin/...`): partners, tokens, users, collections, grants, the audit log and
"shared with", for administrators only, each action with the effect its command has.

Most tests share the web world (tests/webkit.py) and give what they make names of their own; the
"shared with" tests read test_access's matrix of partners, grants and TLP levels, and compare the
page's yes/no for every partner with what TAXII actually serves that partner."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from conftest import BACKENDS, backend_database
from liaison.share.app import TAXII
from liaison.store.access import own_analyst
from liaison.store.schema import AuditRow, TokenRow
from liaison.store.users import Users
from test_access import PARTNERS, World
from webkit import PASSWORD, SECRET_TITLE, WebWorld, csrf_of, sign_in, world_fixture

world = world_fixture()

TOKEN = re.compile(r'value="(liaison_[0-9a-f]{12}_[A-Za-z0-9_-]{43})"')
ONE_TIME = re.compile(r'id="secret-value" class="secret-value" readonly value="([A-Za-z0-9_-]{24})"')
SHOWN = re.compile(r"/admin/shown/(token|password)/[A-Za-z0-9_-]{22}")
GETS = ["/admin", "/admin/partners", "/admin/users", "/admin/collections", "/admin/audit", "/admin/shared"]
POSTS = ["/admin/partners", "/admin/partners/alpha/token", "/admin/partners/alpha/revoke", "/admin/users",
         "/admin/users/analyst/disable", "/admin/users/analyst/reset", "/admin/collections", "/admin/grants",
         "/admin/grants/revoke"]


def _t(res) -> str:  # noqa: ANN001
    """A page's text with its HTML escapes read back (the lines quote names: ' is &#39; there)."""
    return html.unescape(res.text)


def _post(client: TestClient, path: str, **fields: str):  # noqa: ANN202
    """A form posted with this session's CSRF token, as the page's own form does."""
    token = csrf_of(client.get("/admin").text)
    return client.post(path, data={**fields, "csrf_token": token}, follow_redirects=False)


def _shown(client: TestClient, path: str, **fields: str):  # noqa: ANN202
    """A form that makes a token or one-time password, posted: the answer is a 303 (never cached, no
    secret in its address) to the page that shows it once, which is fetched."""
    res = _post(client, path, **fields)
    assert res.status_code == 303, (res.status_code, res.text[:500])
    assert SHOWN.fullmatch(res.headers["location"]) and res.headers["cache-control"] == "no-store"
    return client.get(res.headers["location"], follow_redirects=False)


def _audited_paths(world: WebWorld) -> list[str]:
    with world.store.engine.connect() as conn:
        return conn.execute(select(AuditRow.path)).scalars().all()


def _taxii(client: TestClient, token: str | None, path: str = "/taxii2/api/collections/"):  # noqa: ANN202
    headers = {"Accept": TAXII} | ({"Authorization": f"Bearer {token}"} if token else {})
    return client.get(path, headers=headers)


def _add_partner(world: WebWorld, admin: TestClient, partner_id: str) -> str:
    res = _shown(admin, "/admin/partners", partner_id=partner_id, name=f"{partner_id} org")
    assert res.status_code == 200, res.text[:500]
    return TOKEN.search(res.text).group(1)


# ---------------------------------------------------------------- who may come here


def test_administrators_reach_every_admin_page_and_see_the_admin_link(world: WebWorld):
    admin = world.client("admin")
    for path in GETS:
        res = admin.get(path)
        assert res.status_code == 200, (path, res.status_code, res.text[:300])
    assert 'href="/admin"' in admin.get("/").text
    for who in ("analyst", "alpha-member"):
        assert 'href="/admin"' not in world.client(who).get("/").text, who


def test_an_analyst_is_refused_with_a_403_page(world: WebWorld):
    analyst = world.client("analyst")
    token = csrf_of(analyst.get("/").text)
    for path in GETS:
        res = analyst.get(path)
        assert res.status_code == 403 and "Administrators only" in _t(res), path
    for path in POSTS:
        res = analyst.post(path, data={"csrf_token": token, "partner_id": "by-analyst", "name": "x"})
        assert res.status_code == 403, path
    assert world.sharing.partner("by-analyst") is None


def test_a_partner_member_gets_what_a_missing_page_gives(world: WebWorld):
    member = world.client("alpha-member")
    token = csrf_of(member.get("/").text)
    missing = member.get("/no-such-page")
    assert missing.status_code == 404
    for path in GETS:
        res = member.get(path, params={"object": "report--00000000-0000-4000-8000-000000000000"})
        assert (res.status_code, res.text) == (404, missing.text), path
    missing_post = member.post("/no-such-page", data={"csrf_token": token})
    for path in POSTS:
        for fields in ({"csrf_token": token, "partner_id": "by-member", "name": "x"}, {"csrf_token": "forged"}, {}):
            res = member.post(path, data=fields)
            assert (res.status_code, res.text) == (missing_post.status_code, missing_post.text), (path, fields)
    assert world.sharing.partner("by-member") is None


def test_a_form_without_this_sessions_token_is_refused_and_changes_nothing(world: WebWorld):
    admin = world.client("admin")
    for fields in ({}, {"csrf_token": "forged"}):
        res = admin.post("/admin/partners", data={**fields, "partner_id": "unchecked", "name": "Unchecked"})
        assert res.status_code == 403 and "out of date" in _t(res)
        res = admin.post("/admin/users/analyst/disable", data={**fields, "confirm": "1"})
        assert res.status_code == 403
    assert world.sharing.partner("unchecked") is None
    assert not Users(world.store).get("analyst").disabled


def test_not_signed_in_goes_to_sign_in(world: WebWorld):
    res = world.client().get("/admin/partners", follow_redirects=False)
    assert res.status_code == 303 and res.headers["location"].startswith("/login?next=%2Fadmin%2Fpartners")


# ---------------------------------------------------------------- partners and tokens


def test_adding_a_partner_shows_its_first_token_once_and_it_authenticates(world: WebWorld):
    admin = world.client("admin")
    res = _shown(admin, "/admin/partners", partner_id="cell-a", name="Coalition cell A", expires_in="30")
    assert res.status_code == 200 and "Shown once" in _t(res)
    assert res.headers["cache-control"] == "no-store"
    token = TOKEN.search(res.text).group(1)
    assert _taxii(admin, token).status_code == 200
    assert world.sharing.partner("cell-a")["name"] == "Coalition cell A"
    listing = admin.get("/admin/partners").text
    assert "cell-a" in listing and token not in listing
    secret = token.rsplit("_", 1)[1]
    assert not any(secret in p for p in _audited_paths(world))  # never in an address, so never in the audit log


def test_a_new_token_with_rotate_revokes_the_partners_other_tokens(world: WebWorld):
    admin = world.client("admin")
    first = _add_partner(world, admin, "rotor")
    second = TOKEN.search(_shown(admin, "/admin/partners/rotor/token").text).group(1)
    assert _taxii(admin, first).status_code == _taxii(admin, second).status_code == 200
    res = _shown(admin, "/admin/partners/rotor/token", rotate="1", expires_in="7")
    third = TOKEN.search(res.text).group(1)
    assert "other tokens were revoked" in _t(res)
    assert _taxii(admin, first).status_code == _taxii(admin, second).status_code == 401
    assert _taxii(admin, third).status_code == 200


def test_a_revoked_partners_token_no_longer_authenticates(world: WebWorld):
    admin = world.client("admin")
    token = _add_partner(world, admin, "leaving")
    res = _post(admin, "/admin/partners/leaving/revoke")
    assert res.status_code == 400 and "a revocation cannot be undone (leaving)" in _t(res)
    assert _taxii(admin, token).status_code == 200  # not without being sure
    res = _post(admin, "/admin/partners/leaving/revoke", confirm="1")
    assert res.status_code == 200 and "partner leaving revoked" in _t(res)
    assert _taxii(admin, token).status_code == 401
    assert "was revoked already" in _post(admin, "/admin/partners/leaving/revoke").text
    res = _post(admin, "/admin/partners/leaving/token")
    assert res.status_code == 400 and "partner 'leaving' is revoked (leaving). Add it again under a new id." in _t(res)


@pytest.mark.parametrize(("fields", "line"), [
    ({"partner_id": "bad id!", "name": "X"},
     "a partner id is 1-64 letters, digits, '-' or '_' (bad id!). Choose another id."),
    ({"partner_id": "", "name": "X"}, "a partner id is 1-64 letters, digits, '-' or '_' (empty). Choose another id."),
    ({"partner_id": "nameless", "name": "  "}, "a partner needs a name (name). Give the organisation's name."),
    ({"partner_id": "alpha", "name": "Again"}, "partner 'alpha' exists already (alpha). Issue a new token"),
    ({"partner_id": "badident", "name": "X", "identity": "identity--nope"},
     "not a STIX identity id (identity--nope). Give identity--<uuid>."),
    ({"partner_id": "badexpiry", "name": "X", "expires_in": "0"}, "expires in (days) must be a whole number of at least 1"),
    ({"partner_id": "badexpiry", "name": "X", "expires_in": "soon"}, "expires in (days) must be a whole number"),
])
def test_partner_mistakes_get_the_commands_one_line_and_keep_the_form(world: WebWorld, fields, line):
    admin = world.client("admin")
    res = _post(admin, "/admin/partners", **fields)
    assert res.status_code == 400 and line in _t(res), res.text[-2000:]
    if fields["name"].strip():
        assert f'value="{fields["name"]}"' in _t(res)  # what was typed is still there
    assert "liaison_" not in res.text


def test_a_partner_under_this_installations_identity_or_a_taken_one_is_refused(world: WebWorld):
    admin = world.client("admin")
    own = world.store.organisation()["identity_id"]
    res = _post(admin, "/admin/partners", partner_id="impostor", name="X", identity=own)
    assert res.status_code == 400 and "own identity" in _t(res)
    taken = world.sharing.partner("alpha")["identity_id"]
    res = _post(admin, "/admin/partners", partner_id="copycat", name="X", identity=taken)
    assert res.status_code == 400 and "partner 'alpha' has this STIX identity already" in _t(res)
    assert world.sharing.partner("impostor") is None and world.sharing.partner("copycat") is None


def test_a_token_for_an_unknown_partner_is_a_404_with_the_line(world: WebWorld):
    res = _post(world.client("admin"), "/admin/partners/cell-z/token")
    assert res.status_code == 404 and "no such partner (cell-z)" in _t(res)
    res = _post(world.client("admin"), "/admin/partners/cell-z/revoke")
    assert res.status_code == 404 and "no such partner (cell-z)" in _t(res)


# ---------------------------------------------------------------- users


def test_adding_a_user_shows_a_one_time_password_once_which_must_be_changed(world: WebWorld):
    admin = world.client("admin")
    res = _shown(admin, "/admin/users", name="kim", org="self")
    assert res.status_code == 200 and "User kim added: analyst" in _t(res)
    assert res.headers["cache-control"] == "no-store"
    password = ONE_TIME.search(res.text).group(1)
    assert password not in admin.get("/admin/users").text
    client = world.client()
    form = client.get("/login")
    signed = client.post("/login", data={"name": "kim", "password": password, "csrf_token": csrf_of(form.text)},
                         follow_redirects=False)
    assert signed.headers["location"] == "/password"
    res = _shown(admin, "/admin/users", name="lee", org="alpha")
    assert "User lee added: member of alpha" in _t(res)
    res = _shown(admin, "/admin/users", name="ana", org="self", admin="1")
    assert "User ana added: administrator" in _t(res)
    got = Users(world.store)
    assert (got.get("lee").organisation, got.get("ana").admin, got.get("kim").must_change) == ("alpha", True, True)
    listing = admin.get("/admin/users").text
    assert re.search(r"<th scope=\"row\">lee</th>\s*<td>alpha</td>\s*<td>member</td>", listing), listing[-3000:]


def test_the_users_list_shows_failed_sign_ins_and_who_is_disabled_never_a_hash(world: WebWorld):
    users = Users(world.store)
    users.add("mistyper", "bravo", password=PASSWORD)
    users.verify("mistyper", "not the password at all")
    users.verify("mistyper", "not the password either")
    users.add("gone", None, password=PASSWORD)
    users.disable("gone")
    listing = world.client("admin").get("/admin/users").text
    row = re.search(r'<th scope="row">mistyper</th>.*?</tr>', listing, re.S).group(0)
    assert "<td>bravo</td>" in row and "<td>member</td>" in row and '<td class="num">2</td>' in row, row
    gone = re.search(r'<tr class="revoked">\s*<th scope="row">gone</th>.*?</tr>', listing, re.S).group(0)
    assert "Disable gone" not in gone and "Reset the password of gone" in gone
    assert "$argon2" not in listing


@pytest.mark.parametrize(("fields", "line"), [
    ({"name": "kim2", "org": "cell-z"},
     "no such partner (organisation cell-z). See the partners listed, or give self."),
    ({"name": "boss", "org": "alpha", "admin": "1"},
     "an administrator belongs to this installation, not to a partner (organisation alpha)"),
    ({"name": "analyst", "org": "self"}, "a user has this name already (analyst). Choose another name"),
    ({"name": "no spaces", "org": "self"}, "a user name is 1-64 letters, digits"),
    ({"name": "", "org": "self"}, "a user name is 1-64 letters, digits"),
    ({"name": "orgless", "org": ""}, "a user needs an organisation (organisation)"),
])
def test_user_mistakes_get_the_commands_one_line_and_keep_the_form(world: WebWorld, fields, line):
    res = _post(world.client("admin"), "/admin/users", **fields)
    assert res.status_code == 400 and line in _t(res), res.text[-2000:]
    if fields["name"]:
        assert f'value="{fields["name"]}"' in _t(res)


def test_a_disabled_user_cannot_sign_in_and_its_sessions_end(world: WebWorld):
    Users(world.store).add("quitter", None, password=PASSWORD)
    open_session = world.client("quitter")
    admin = world.client("admin")
    res = _post(admin, "/admin/users/quitter/disable")
    assert res.status_code == 400 and "disabling a user cannot be undone (quitter)" in _t(res)
    assert open_session.get("/").status_code == 200  # not without being sure
    res = _post(admin, "/admin/users/quitter/disable", confirm="1")
    assert res.status_code == 200 and "user quitter disabled" in _t(res)
    assert open_session.get("/", follow_redirects=False).status_code == 303
    client = world.client()
    form = client.get("/login")
    res = client.post("/login", data={"name": "quitter", "password": PASSWORD, "csrf_token": csrf_of(form.text)})
    assert res.status_code == 401
    assert "was disabled already" in _post(admin, "/admin/users/quitter/disable").text
    res = _post(admin, "/admin/users/nobody-here/disable")
    assert res.status_code == 404 and "no such user (nobody-here). See the users listed." in _t(res)


def test_a_reset_shows_a_new_one_time_password_and_the_old_one_stops_working(world: WebWorld):
    Users(world.store).add("forgetful", None, password=PASSWORD)
    admin = world.client("admin")
    res = _shown(admin, "/admin/users/forgetful/reset")
    assert res.status_code == 200 and "Password of forgetful replaced" in _t(res)
    assert res.headers["cache-control"] == "no-store"
    password = ONE_TIME.search(res.text).group(1)
    users = Users(world.store)
    assert users.verify("forgetful", PASSWORD) is None
    assert users.verify("forgetful", password).must_change
    res = _post(admin, "/admin/users/nobody-here/reset")
    assert res.status_code == 404 and "no such user (nobody-here)" in _t(res)


# ---------------------------------------------------------------- a secret shown once


def _once_partner(world: WebWorld, partner_id: str) -> str:
    """A partner of the test's own (a rotation must not revoke the world's partners' tokens)."""
    if world.sharing.partner(partner_id) is None:
        world.sharing.add_partner(partner_id, f"{partner_id} org")
    return partner_id


def _once_user(world: WebWorld, name: str) -> str:
    """A user of the test's own (a reset must not end the world's users' passwords)."""
    if Users(world.store).get(name) is None:
        Users(world.store).add(name, None, password=PASSWORD)
    return name


@pytest.mark.parametrize(("action", "fields", "pattern"), [
    ("/admin/partners", {"partner_id": "once-added", "name": "Once added org"}, TOKEN),
    ("/admin/partners/{partner}/token", {}, TOKEN),
    ("/admin/partners/{partner}/token", {"rotate": "1"}, TOKEN),
    ("/admin/users", {"name": "once-added", "org": "self"}, ONE_TIME),
    ("/admin/users/{user}/reset", {}, ONE_TIME),
])
def test_a_secret_is_shown_exactly_once_and_a_reload_makes_no_other(world: WebWorld, action, fields, pattern, caplog):
    caplog.set_level("DEBUG")
    admin = world.client("admin")
    n = len(_audited_paths(world))
    partner, user = _once_partner(world, f"once-p{n}"), _once_user(world, f"once-u{n}")
    made = _post(admin, action.format(partner=partner, user=user), **fields)
    assert made.status_code == 303 and pattern.search(made.text) is None  # the answer to the POST holds no secret
    where = made.headers["location"]
    kind = SHOWN.fullmatch(where).group(1)
    with world.store.engine.connect() as conn:
        tokens = conn.execute(select(func.count()).select_from(TokenRow)).scalar()
    password_set = Users(world.store).get(user).password_set_at
    first = admin.get(where)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    secret = pattern.search(first.text).group(1)
    for _ in range(2):  # a reload, and another: neither shows it again nor makes another
        again = admin.get(where)
        assert again.status_code == 410 and again.headers["cache-control"] == "no-store"
        assert pattern.search(again.text) is None and secret not in again.text
        assert "shown once already" in _t(again)
        assert ("Issue token" if kind == "token" else "Reset password") in _t(again)
    with world.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(TokenRow)).scalar() == tokens
    assert Users(world.store).get(user).password_set_at == password_set
    if kind == "token":
        assert _taxii(admin, secret).status_code == 200  # the one shown is the one that works
    paths = _audited_paths(world)
    assert where in paths and not any(secret in p for p in paths)
    assert not any(secret in p for p in (where, made.headers.get("location", "")))
    assert secret not in caplog.text  # nor in any log line


def test_a_shown_once_page_replayed_with_its_cookie_shows_nothing(world: WebWorld):
    """A client that keeps the cookie the page deleted (or copies it) still gets no second view."""
    admin = world.client("admin")
    made = _post(admin, f"/admin/partners/{_once_partner(world, 'once-replayed')}/token")
    where, cookie = made.headers["location"], made.cookies.get("liaison_shown")
    assert TOKEN.search(admin.get(where).text)
    admin.cookies.set("liaison_shown", cookie, path=where)
    again = admin.get(where)
    assert again.status_code == 410 and TOKEN.search(again.text) is None


def test_a_shown_once_page_is_for_the_session_that_made_it(world: WebWorld):
    admin = world.client("admin")
    made = _post(admin, f"/admin/partners/{_once_partner(world, 'once-bound')}/token")
    where, cookie = made.headers["location"], made.cookies.get("liaison_shown")
    other = world.client("admin")  # the same administrator, another session
    other.cookies.set("liaison_shown", cookie, path=where)
    res = other.get(where)
    assert res.status_code == 410 and TOKEN.search(res.text) is None
    forged = world.client("admin")
    forged.cookies.set("liaison_shown", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"), path=where)
    assert forged.get(where).status_code == 410
    assert TOKEN.search(admin.get(where).text)  # still there for its own session, once


def test_shown_once_pages_are_for_administrators_and_odd_addresses_are_missing(world: WebWorld):
    admin = world.client("admin")
    made = _post(admin, f"/admin/users/{_once_user(world, 'once-refused')}/reset")
    where = made.headers["location"]
    for who in ("analyst", "alpha-member"):
        res = world.client(who).get(where)
        assert res.status_code in (403, 404) and ONE_TIME.search(res.text) is None, who
    for odd in ("/admin/shown/cookie/" + "a" * 22, "/admin/shown/token/short", "/admin/shown/token/" + "a" * 23):
        assert admin.get(odd).status_code == 404, odd
    assert ONE_TIME.search(admin.get(where).text)  # the refusals spent nothing


# ---------------------------------------------------------------- collections and grants


def test_collections_list_their_readers_writers_and_object_counts(world: WebWorld):
    listing = world.client("admin").get("/admin/collections").text
    rows, _ = world.sharing.query(own_analyst(), world.reports["id"], versions=["all"], with_object=False)
    count = len(rows)
    row = re.search(r'<th scope="row">reports.*?</tr>', listing, re.S).group(0)
    assert f'<td class="num">{count:,}</td>' in row and ">alpha" in row, row


def test_adding_a_collection_and_its_mistakes(world: WebWorld):
    admin = world.client("admin")
    res = _post(admin, "/admin/collections", alias="briefs", title="Briefs", default_tlp="green", from_store="1")
    assert res.status_code == 200 and "collection briefs added" in _t(res)
    assert "STIX objects from the store added" in _t(res)
    made = world.sharing.collection("briefs")
    assert (made["default_tlp"], made["follows_store"], made["public"]) == ("green", True, False)
    for fields, line in [({"alias": "briefs"}, "collection 'briefs' exists already (briefs). Choose another name."),
                         ({"alias": "bad alias"}, "a collection alias is 1-128 letters, digits, '-', '_' or '.'"),
                         ({"alias": ""}, "a collection alias is 1-128 letters"),
                         ({"alias": "tlpless", "default_tlp": "purple"}, "unknown TLP level 'purple'")]:
        res = _post(admin, "/admin/collections", **fields)
        assert res.status_code == 400 and line in _t(res), (fields, res.text[-1500:])
    assert world.sharing.collection("tlpless") is None


def test_a_granted_partner_sees_the_collection_over_taxii_until_the_grant_is_revoked(world: WebWorld):
    admin = world.client("admin")
    token = _add_partner(world, admin, "newcomer-org")
    assert _taxii(admin, token).json().get("collections", []) == []
    res = _post(admin, "/admin/grants", collection="reports", partner="newcomer-org", read="1")
    assert res.status_code == 200 and "newcomer-org may read reports" in _t(res)
    listed = _taxii(admin, token).json()["collections"]
    assert [(c["id"], c["can_read"], c["can_write"]) for c in listed] == [(world.reports["id"], True, False)]
    objects = _taxii(admin, token, f"/taxii2/api/collections/{world.reports['id']}/objects/")
    assert objects.status_code == 200 and objects.json()["objects"]
    res = _post(admin, "/admin/grants", collection="reports", partner="newcomer-org", read="1", write="1")
    assert "newcomer-org may read and write reports" in _t(res)
    assert _taxii(admin, token).json()["collections"][0]["can_write"] is True
    res = _post(admin, "/admin/grants/revoke", collection="reports", partner="newcomer-org")
    assert res.status_code == 200 and "newcomer-org may no longer use reports" in _t(res)
    assert _taxii(admin, token).json().get("collections", []) == []


@pytest.mark.parametrize(("path", "fields", "line"), [
    ("/admin/grants", {"collection": "nope", "partner": "alpha", "read": "1"},
     "no such collection (nope). See the collections listed."),
    ("/admin/grants", {"collection": "reports", "partner": "cell-z", "read": "1"},
     "no such partner (cell-z). See the partners listed."),
    ("/admin/grants", {"collection": "", "partner": "alpha"}, "no such collection (empty)"),
    ("/admin/grants", {"collection": "reports", "partner": ""}, "a grant needs a partner (partner)"),
    ("/admin/grants/revoke", {"collection": "nope", "partner": "alpha"}, "no such collection (nope)"),
    ("/admin/grants/revoke", {"collection": "reports", "partner": "cell-z"}, "no such partner (cell-z)"),
])
def test_grant_mistakes_get_the_commands_one_line(world: WebWorld, path, fields, line):
    res = _post(world.client("admin"), path, **fields)
    assert res.status_code == 400 and line in _t(res), res.text[-1500:]


# ---------------------------------------------------------------- the audit log


def _audit_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_the_audit_log_shows_taxii_and_web_entries_newest_first_filtered_by_partner(world: WebWorld):
    token = world.sharing.issue_token("alpha")
    member = world.client("alpha-member")
    _taxii(member, token, "/taxii2/?audit=taxii-probe")
    member.get("/?audit=web-probe")
    res = world.client("admin").get("/admin/audit", params={"partner": "alpha"})
    assert res.status_code == 200
    rows = _audit_rows(res.text)
    texts = [re.sub(r"<[^>]+>", " ", r) for r in rows]
    web = next(i for i, t in enumerate(texts) if "/?audit=web-probe" in t)
    taxii = next(i for i, t in enumerate(texts) if "/taxii2/?audit=taxii-probe" in t)
    assert web < taxii  # newest first
    assert "alpha-member" in texts[web] and " web " in texts[web] and "TAXII" in texts[taxii]
    assert all(">alpha<" in r for r in rows)
    by_user = _audit_rows(world.client("admin").get("/admin/audit", params={"user": "alpha-member"}).text)
    assert by_user and all("alpha-member" in r for r in by_user)


def test_the_audit_log_pages_by_key_without_overlap(world: WebWorld):
    admin = world.client("admin")
    for i in range(60):
        admin.get(f"/?audit-page={i}")
    first = admin.get("/admin/audit", params={"user": "admin"})
    older = re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    assert "before=" in older and "user=admin" in older
    second = admin.get(older)
    one, two = _audit_rows(first.text), _audit_rows(second.text)
    assert len(one) == 50 and two and not set(one) & set(two)
    assert "← Newest" in second.text


def test_the_audit_log_since_a_date_keeps_that_days_entries_and_no_earlier_ones(world: WebWorld):
    from liaison.clock import now

    admin = world.client("admin")
    admin.get("/?audit=since-probe")
    today = now().date()
    rows = _audit_rows(admin.get("/admin/audit", params={"since": today.isoformat()}).text)
    assert any("since-probe" in r for r in rows)
    days = {re.search(r'datetime="(\d{4}-\d\d-\d\d)', r).group(1) for r in rows}
    assert days and min(days) >= today.isoformat()
    later = admin.get("/admin/audit", params={"since": (today + dt.timedelta(days=1)).isoformat()})
    assert "No entries match this filter." in later.text


@pytest.mark.parametrize(("params", "status", "line"), [
    ({"since": "yesterday-ish"}, 400, "not a date: 'yesterday-ish' (since). Use YYYY-MM-DD."),
    ({"since": "2025-13-45"}, 400, "not a date"),
    ({"partner": "bad id!"}, 400, "a partner id is 1-64 letters"),
    ({"before": "0"}, 400, "Bad request parameter"),
    ({"before": "x"}, 400, "Bad request parameter"),
    ({"since": "2999-01-01"}, 200, "No entries match this filter."),
])
def test_audit_filter_mistakes_are_a_400_with_the_line(world: WebWorld, params, status, line):
    res = world.client("admin").get("/admin/audit", params=params)
    assert res.status_code == status and line in _t(res), res.text[-1500:]


# ---------------------------------------------------------------- shared with: the web world


def test_a_document_objects_page_links_to_shared_with_for_administrators_only(world: WebWorld):
    did = world.document_id(SECRET_TITLE)
    admin = world.client("admin")
    page = admin.get(f"/documents/{did}").text
    href = re.search(rf'href="(/documents/{did}/objects/(report--[0-9a-f-]+))"', page)
    assert href, "the document page lists its report"
    shown = admin.get(href.group(1)).text
    link = f'href="/admin/shared?object={href.group(2)}"'
    assert link in shown
    assert link not in world.client("analyst").get(href.group(1)).text
    res = admin.get(f"/admin/shared?object={href.group(2)}")
    assert res.status_code == 200 and ">reports<" in _t(res)


@pytest.mark.parametrize(("value", "status", "line"), [
    ("", 400, "give a STIX object id (object)"),
    ("not-an-id", 400, "not a STIX id (not-an-id). Give type--uuid"),
    ("report--00000000-0000-4000-8000-000000000000", 404, "no such STIX object"),
])
def test_shared_with_mistakes_get_one_line(world: WebWorld, value, status, line):
    res = world.client("admin").get("/admin/shared", params={"object": value})
    assert res.status_code == status and line in _t(res), res.text[-1500:]
    assert 'name="object"' in _t(res)  # the form is there to try again


# ---------------------------------------------------------------- every admin route, hostile


HOSTILE = ["<script>alert('liaison')</script>", '"><img src=x onerror=alert(1)>', "x" * 5000, "%00\x00nul",
           "'; DROP TABLE partners; --", "-1", "9" * 40, "2025-13-45", "ـ‮ﷺ𝕏", ""]


def test_every_admin_route_survives_hostile_input_from_an_administrator(world: WebWorld):
    admin = world.client("admin")
    token = csrf_of(admin.get("/admin").text)
    names = ["partner_id", "name", "identity", "expires_in", "rotate", "org", "admin", "alias", "title",
             "description", "default_tlp", "public", "from_store", "collection", "partner", "read", "write"]
    for value in HOSTILE:
        for path in GETS:
            res = admin.get(path, params={"object": value, "partner": value, "user": value, "since": value,
                                          "before": value, "offset": value})
            assert res.status_code < 500 and HOSTILE[0] not in res.text and HOSTILE[1] not in res.text, (path, value)
        for path in ["/admin/partners", "/admin/users", "/admin/collections", "/admin/grants", "/admin/grants/revoke"]:
            res = admin.post(path, data={**{n: value for n in names}, "csrf_token": token})
            assert 400 <= res.status_code < 500 and HOSTILE[0] not in res.text and HOSTILE[1] not in res.text, (path,
                                                                                                             value)
        from urllib.parse import quote

        for action in ("partners/{}/token", "partners/{}/revoke", "users/{}/disable", "users/{}/reset"):
            path = "/admin/" + action.format(quote(value, safe="") or "x")
            res = admin.post(path, data={"csrf_token": token, "expires_in": value})
            assert res.status_code < 500 and HOSTILE[0] not in res.text, (path, res.status_code)
    assert Users(world.store).get("admin").may_sign_in


# ---------------------------------------------------------------- shared with, on test_access's matrix


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(request, tmp_path_factory):  # noqa: ANN001,ANN201
    """test_access's world (four partners with different grants, a public and a private collection,
    a document at every TLP level), with a fifth partner reading `ops` that will be revoked, and an
    administrator signed in."""
    folder = tmp_path_factory.mktemp("admin-matrix")
    with backend_database(request, request.param, folder) as url:
        built = World(url, folder)
        built.settings = built.settings.model_copy(update={"validation_workers": 1})
        from liaison.share.app import create_app

        built.sharing.add_partner("echo", "Echo")
        built.tokens["echo"] = built.sharing.issue_token("echo")
        built.sharing.grant(built.ops["id"], "echo", True, False)
        built.app = create_app(built.settings)
        Users(built.store).add("admin", None, admin=True, password=PASSWORD)
        built.admin = TestClient(built.app, raise_server_exceptions=False)
        sign_in(built.admin, "admin")
        yield built
        built.store.engine.dispose()


def _taxii_serves(world: World, who: str, object_id: str) -> bool:
    """Whether TAXII gives ``who`` (a partner, or anonymous) the object from some collection it lists."""
    headers = {"Accept": TAXII} | ({"Authorization": f"Bearer {world.tokens[who]}"} if who != "anonymous" else {})
    listed = world.client.get("/taxii2/api/collections/", headers=headers)
    if listed.status_code != 200:
        return False
    for col in listed.json().get("collections", []):
        res = world.client.get(f"/taxii2/api/collections/{col['id']}/objects/{object_id}/", headers=headers)
        if res.status_code == 200 and res.json().get("objects"):
            return True
    return False


def _page_says(page: str) -> dict[str, tuple[bool, str]]:
    """The shared-with page's rows: reader -> (yes?, why)."""
    out = {}
    readers = page.split('id="readers-h"', 1)[1]
    for reader, verdict, why in re.findall(r'<tr><th scope="row">(.*?)</th><td><strong class="(yes|no)">.*?</strong>'
                                           r"</td><td>(.*?)</td></tr>", readers, re.S):
        name = "anonymous" if reader.startswith("Anonymous") else reader.split(" ", 1)[0]
        out[name] = (verdict == "yes", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", why)).strip())
    return out


@pytest.mark.parametrize("document", ["green", "strict", "strict-charlie", "red-delta", "clear"])
def test_shared_with_agrees_with_what_taxii_serves_each_partner(matrix: World, document: str):
    report = {matrix.names()[d]: r for d, r in matrix.reports().items()}[document]
    res = matrix.admin.get("/admin/shared", params={"object": report})
    assert res.status_code == 200, res.text[:500]
    says = _page_says(res.text)
    assert set(says) == {*PARTNERS, "echo", "anonymous"}, says
    for who in (*PARTNERS, "echo", "anonymous"):
        assert says[who][0] == _taxii_serves(matrix, who, report), (document, who, says[who])
    if document == "green":
        assert says["alpha"] == (True, says["alpha"][1]) and "Served by ops (read grant)" in says["alpha"][1]
        assert says["delta"][0] and "Served by open (public collection)" in says["delta"][1]
        assert not says["anonymous"][0] and "stops it" in says["anonymous"][1]
    if document == "strict":
        assert not any(ok for ok, _ in says.values())
        assert "TLP:AMBER+STRICT stops it" in says["alpha"][1] and "No read grant: ops" in says["delta"][1]
    if document == "strict-charlie":
        assert [w for w, (ok, _) in says.items() if ok] == ["charlie"]


def test_shared_with_says_a_revoked_partner_receives_nothing(matrix: World):
    report = {matrix.names()[d]: r for d, r in matrix.reports().items()}["green"]
    before = _page_says(matrix.admin.get("/admin/shared", params={"object": report}).text)
    assert before["echo"][0] and _taxii_serves(matrix, "echo", report)
    token = csrf_of(matrix.admin.get("/admin").text)
    matrix.admin.post("/admin/partners/echo/revoke", data={"csrf_token": token, "confirm": "1"})
    after = _page_says(matrix.admin.get("/admin/shared", params={"object": report}).text)
    assert not after["echo"][0] and "Revoked" in after["echo"][1]
    assert not _taxii_serves(matrix, "echo", report)


def test_a_collections_object_count_follows_the_store(world: WebWorld, tmp_path):
    """The counts are kept between views (a large collection's count is a long index range) but
    made again once the store changed: an ingest's new objects show at the next view."""
    admin = world.client("admin")

    def reports_count() -> int:
        page = admin.get("/admin/collections").text
        row = page.split('<th scope="row">reports', 1)[1].split("</tr>", 1)[0]
        return int(re.search(r'<td class="num">([\d,]+)</td>', row).group(1).replace(",", ""))

    before = reports_count()
    assert reports_count() == before  # asked again of an unchanged store: the same
    extra = tmp_path / "count.json"
    extra.write_text('{"title": "Counted report", "text": "MOSUL, Oct 10, 2025 - Iraqi forces detained two '
                     'suspects in Mosul, officials said."}', encoding="utf-8")
    world.ingest([str(extra)])
    assert reports_count() > before
