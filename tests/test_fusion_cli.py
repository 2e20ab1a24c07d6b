"""The fusion commands as a user runs them: `liaison entity`, `timeline`, `conflicts`, `resolve`,
and the analyst's `entities merge` / `entities split`, which outlast re-ingest and re-resolution,
on SQLite and on PostgreSQL (every test runs on both)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import BACKENDS, backend_database, home_env, ok_cli, run_cli

DOCS = {
    "a.json": {"title": "Sharaa meets US envoys", "published": "2025-01-10", "text": (
        "DAMASCUS, Jan. 10, 2025 - Syria's de facto leader Ahmed al-Sharaa met US diplomats in Damascus on "
        "Thursday.\n\nUS forces killed five Islamic State fighters in a raid near Raqqa on Wednesday, US Central "
        "Command said in a statement.")},
    "b.json": {"title": "Al Shara at the White House", "published": "2025-11-10", "text": (
        "WASHINGTON, Nov. 10, 2025 - President Ahmad Al Shara met President Donald Trump at the White House on "
        "Monday.\n\nMr Al Shara said Syria would join the coalition against ISIS.")},
    "c.json": {"title": "Raid near Raqqa", "published": "2025-01-09", "text": (
        "RAQQA, Jan. 9, 2025 - US forces killed seven Islamic State fighters in a raid near Raqqa on Wednesday, "
        "the Syrian Observatory for Human Rights said.")},
}


def _write(folder: Path, docs: dict[str, dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in docs.items():
        (folder / name).write_text(json.dumps(body), encoding="utf-8")
    return folder


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, tmp_path_factory):  # noqa: ANN001,ANN201
    """One installation per backend (SQLite, then PostgreSQL) holding the three documents: the
    commands below only read it, so one ingest serves every test of a backend."""
    home = tmp_path_factory.mktemp(f"fusion-cli-{request.param}")
    with backend_database(request, request.param, home) as url:
        e = home_env(home / "home", url)
        ok_cli(["ingest", str(_write(home / "docs", DOCS))], e)
        yield e


def _json(args: list[str], env: dict[str, str]):  # noqa: ANN202
    return json.loads(ok_cli([*args, "--json"], env))


def test_an_entity_named_two_ways_in_two_documents_is_one_profile_with_its_roles_over_time(env):
    profile = _json(["entity", "Ahmad Al Shara"], env)
    assert profile["name"] == "Ahmed al-Sharaa"
    names = {a["name"] for a in profile["aliases"]}
    assert {"Ahmed al-Sharaa", "Ahmad Al Shara"} <= names
    assert [d["document"] for d in profile["documents"]] == ["a", "b"]
    roles = {r["role"]: r["first_seen"] for r in profile["roles"]}
    assert roles["de facto leader"] == "2025-01-10" and roles["president"] == "2025-11-10"
    assert all(link["rule"] for link in profile["links"])  # every link says why


def test_an_entitys_plain_profile_says_why_each_document_s_name_is_linked_to_it(env):
    out = ok_cli(["entity", "Ahmad Al Shara"], env)
    assert "Linked because" in out
    profile = _json(["entity", "Ahmad Al Shara"], env)
    assert all(link["rule"] in out for link in profile["links"])


def test_an_entity_is_found_by_a_misspelt_name_and_an_unknown_one_is_one_line(env):
    assert _json(["entity", "Ahmed al-Sharra"], env)["name"] == "Ahmed al-Sharaa"
    res = run_cli(["entity", "Zzyzx Qwerty"], env)
    assert res.returncode == 1
    err = res.stderr.decode()
    assert err.startswith("Error: no entity named") and len(err.strip().splitlines()) == 1


def test_the_timeline_shows_one_raid_from_two_sources_in_date_order_and_filters_by_entity_and_date(env):
    rows = _json(["timeline"], env)
    events = [r for r in rows if r["kind"] == "event"]
    assert [r["date"] for r in events] == sorted(r["date"] for r in events)
    raid = [r for r in events if r["type"] == "raid_or_arrest"]
    assert len(raid) == 1 and raid[0]["reports"] == 2
    assert "a (US Central Command)" in raid[0]["sources"] and "c (" in raid[0]["sources"]
    mine = _json(["timeline", "--entity", "Ahmed al-Sharaa"], env)
    assert {r["type"] for r in mine} == {"meeting", "role"}
    assert all(r["date"] >= "2025-06-01" for r in _json(["timeline", "--since", "2025-06-01"], env))


def test_conflicting_tolls_of_one_raid_are_listed_side_by_side_with_their_sources(env):
    rows = _json(["conflicts"], env)
    assert sorted((r["value"], r["document"]) for r in rows if r["field"] == "killed") == [("5", "a"), ("7", "c")]
    assert {r["source"] for r in rows} == {"US Central Command", "the Syrian Observatory for Human Rights"}


def test_an_analysts_split_and_merge_outlast_re_ingest_and_a_full_re_resolution(tmp_path, cli_env):
    folder = _write(tmp_path / "docs", DOCS)
    ok_cli(["ingest", str(folder)], cli_env)

    def same(a: str, b: str) -> bool:
        return _json(["entity", a], cli_env)["entity"] == _json(["entity", b], cli_env)["entity"]

    assert same("Ahmad Al Shara", "Ahmed al-Sharaa")
    ok_cli(["entities", "split", "Ahmed al-Sharaa", "--mention", "b", "--by", "analyst-1"], cli_env)
    profile = _json(["entity", "Ahmed al-Sharaa"], cli_env)
    assert [d["document"] for d in profile["documents"]] == ["a"]

    # the same document changed and ingested again, then everything resolved from nothing: still apart
    changed = dict(DOCS["b.json"], text=DOCS["b.json"]["text"] + "\n\nHe left on Tuesday.")
    (folder / "b.json").write_text(json.dumps(changed), encoding="utf-8")
    ok_cli(["ingest", str(folder)], cli_env)
    ok_cli(["resolve", "--all"], cli_env)
    assert [d["document"] for d in _json(["entity", "Ahmed al-Sharaa"], cli_env)["documents"]] == ["a"]

    # a merge is kept the same way, even one the rules would never make (a person and a command)
    ok_cli(["entities", "merge", "Donald Trump", "US Central Command", "--by", "analyst-2"], cli_env)
    ok_cli(["resolve", "--all"], cli_env)
    assert same("Donald Trump", "US Central Command")
    res = run_cli(["entities", "split", "Donald Trump"], cli_env)
    assert res.returncode == 1 and "give one of --mention or --alias" in res.stderr.decode()


def test_the_entities_listing_has_one_row_per_resolved_entity_counting_every_spelling(env):
    rows = _json(["entities", "--type", "person"], env)
    sharaa = [r for r in rows if r["name"] == "Ahmed al-Sharaa"]
    assert len(sharaa) == 1 and sharaa[0]["documents"] == 2
    assert not any(r["name"] in ("Ahmad Al Shara", "Al Shara") for r in rows)
    assert [r["name"] for r in _json(["entities", "--entity", "al shara"], env)] == ["Ahmed al-Sharaa"]


def test_asking_a_store_fusion_never_ran_on_says_to_run_resolve(cli_env):
    res = run_cli(["entity", "Ahmed al-Sharaa"], cli_env)
    assert res.returncode == 1
    assert "liaison resolve" in res.stderr.decode() and len(res.stderr.decode().strip().splitlines()) == 1
