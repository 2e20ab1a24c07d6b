"""Users who sign in: passwords kept only as argon2 hashes, one-time passwords, disabled users,
resets, failed sign-ins counted, and each user read through the access rule as its organisation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import add_partner, ok_cli, run_cli
from liaison.store.access import Kind
from liaison.store.schema import UserRow
from liaison.store.sharing import Sharing
from liaison.store.users import NameTaken, NoSuchPartner, NoSuchUser, Users, WeakPassword

PASSWORD = "correct horse battery staple"


def _stored_text(store) -> str:
    """Every column of every users row, as text: where a clear password would show."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(UserRow.__table__)).all()
    return " ".join(str(v) for row in rows for v in row)


def _database_bytes(store) -> bytes:
    """The SQLite file and its write-ahead log, raw (empty on PostgreSQL, whose rows _stored_text reads)."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite":
        return b""
    path = Path(url.database)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_a_one_time_password_verifies_and_is_stored_only_as_an_argon2_hash(store):
    users = Users(store)
    made = users.add("ana", None, admin=True)
    assert made and len(made) >= 20
    user = users.verify("ana", made)
    assert user is not None and user.name == "ana" and user.admin and user.must_change
    stored = _stored_text(store)
    assert "$argon2id$" in stored
    assert made not in stored and made.encode() not in _database_bytes(store)
    assert users.add("kim", None, password=PASSWORD) is None
    assert users.verify("kim", PASSWORD).must_change is False
    assert PASSWORD not in _stored_text(store) and PASSWORD.encode() not in _database_bytes(store)


def test_a_wrong_password_does_not_verify_and_counts_a_failed_sign_in(store):
    users = Users(store)
    users.add("ana", None, password=PASSWORD)
    assert users.verify("ana", PASSWORD + "!") is None
    assert users.verify("ana", "") is None
    after = users.get("ana")
    assert after.failed_signins == 2 and after.last_failed_at is not None
    assert users.verify("ana", PASSWORD).failed_signins == 0  # a success clears the count
    assert users.get("ana").failed_signins == 0
    assert users.verify("nobody", PASSWORD) is None  # an unknown name is refused the same way


def test_a_disabled_user_never_verifies_even_with_its_password_or_after_a_reset(store):
    users = Users(store)
    users.add("lee", None, password=PASSWORD)
    assert users.disable("lee") is True
    assert users.disable("lee") is False  # disabled already
    assert users.verify("lee", PASSWORD) is None
    fresh = users.reset("lee")
    assert users.verify("lee", fresh) is None
    with pytest.raises(NoSuchUser):
        users.disable("nobody")


def test_a_reset_makes_the_old_password_stop_working(store):
    users = Users(store)
    first = users.add("ana", None)
    second = users.reset("ana")
    assert second != first
    assert users.verify("ana", first) is None
    assert users.verify("ana", second).must_change
    assert users.reset("ana", PASSWORD) is None
    assert users.verify("ana", second) is None
    assert users.verify("ana", PASSWORD).must_change is False
    with pytest.raises(NoSuchUser):
        users.reset("nobody")


def test_a_one_time_password_is_changed_by_its_user(store):
    users = Users(store)
    made = users.add("ana", None)
    assert users.change("ana", "not the password", PASSWORD) is False
    assert users.change("ana", made, PASSWORD) is True
    assert users.verify("ana", made) is None
    assert users.verify("ana", PASSWORD).must_change is False


def test_each_user_is_the_actor_of_its_organisation(store):
    sharing = Sharing(store)
    partner = sharing.add_partner("cell-a", "Cell A")
    users = Users(store)
    users.add("ana", None, admin=True, password=PASSWORD)
    users.add("kim", None, password=PASSWORD)
    users.add("lee", "cell-a", password=PASSWORD)
    own = store.organisation()["identity_id"]
    admin, analyst, member = (users.actor(users.verify(n, PASSWORD)) for n in ("ana", "kim", "lee"))
    assert (admin.kind, admin.identity_id, admin.administrator) == (Kind.ADMIN, own, True)
    assert (analyst.kind, analyst.identity_id, analyst.own, analyst.administrator) == (Kind.ANALYST, own, True, False)
    assert (member.kind, member.partner_id, member.identity_id) == (Kind.PARTNER, "cell-a", partner["identity_id"])
    assert not member.own
    sharing.revoke_partner("cell-a")
    assert users.verify("lee", PASSWORD) is None  # a revoked partner's members no longer sign in


def test_adding_checks_the_name_the_partner_and_the_password_first(store):
    users = Users(store)
    with pytest.raises(NoSuchPartner):
        users.add("lee", "nowhere", password=PASSWORD)
    with pytest.raises(WeakPassword):
        users.add("lee", None, password="short")
    with pytest.raises(ValueError, match="administrator"):
        users.add("lee", "nowhere", admin=True)
    assert users.list() == []
    users.add("lee", None, password=PASSWORD)
    with pytest.raises(NameTaken):
        users.add("lee", None)


# ---------------------------------------------------------------- the command line


def test_an_unknown_partner_is_one_line_and_adds_nobody(cli_env):
    res = run_cli(["users", "add", "lee", "--org", "nowhere"], cli_env)
    lines = res.stderr.decode().strip().splitlines()
    assert res.returncode == 1 and len(lines) == 1
    assert lines[0].startswith("Error: no such partner (--org nowhere)")
    weak = run_cli(["users", "add", "lee", "--org", "self", "--password-stdin"], cli_env, stdin=b"short\n")
    assert weak.returncode == 1 and weak.stderr.decode().count("\n") == 1 and "12 characters" in weak.stderr.decode()
    assert "short" not in weak.stderr.decode()
    unknown = run_cli(["users", "reset", "nobody"], cli_env)
    assert unknown.returncode == 1 and unknown.stderr.decode().startswith("Error: no such user (nobody)")
    assert json.loads(ok_cli(["users", "list", "--json"], cli_env)) == []


def test_users_list_json_never_prints_a_password_or_its_hash(cli_env):
    add_partner(cli_env, "cell-a")
    out = ok_cli(["users", "add", "ana", "--org", "self", "--admin"], cli_env)
    one_time = out.strip().splitlines()[-1]
    res = run_cli(["users", "add", "lee", "--org", "cell-a", "--password-stdin"], cli_env,
                  stdin=(PASSWORD + "\n").encode())
    assert res.returncode == 0 and PASSWORD not in res.stdout.decode()
    taken = run_cli(["users", "add", "lee", "--org", "self"], cli_env)
    assert taken.returncode == 1 and "a user has this name already (lee)" in taken.stderr.decode()
    listed = ok_cli(["users", "list", "--json"], cli_env)
    rows = json.loads(listed)
    assert [(r["name"], r["organisation"], r["role"], r["one_time"]) for r in rows] == [
        ("ana", "self", "administrator", True), ("lee", "cell-a", "member", False)]
    assert "argon2" not in listed and "hash" not in listed
    assert one_time not in listed and PASSWORD not in listed
    assert "argon2" not in ok_cli(["users", "list"], cli_env)
