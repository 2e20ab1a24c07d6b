"""`liaison ingest` end to end: formats, idempotence, versions, bad input, summary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import EXAMPLES, TEST_DOCS, run_cli


def _counts(env) -> dict[str, int]:
    from liaison.store import open_store

    url = env["LIAISON_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    s = open_store(url)
    try:
        return s.counts()
    finally:
        s.engine.dispose()


def test_ingest_examples_stores_every_format_and_prints_summary(cli_env):
    res = run_cli(["ingest", str(EXAMPLES)], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    out = res.stdout.decode()
    assert "Ingest summary" in out
    counts = _counts(cli_env)
    assert counts["documents"] == len(list(EXAMPLES.iterdir()))
    assert counts["events"] > 0 and counts["entities"] > 0 and counts["stix_objects"] > 0


def test_reingest_of_unchanged_documents_changes_nothing(cli_env):
    assert run_cli(["ingest", str(EXAMPLES)], cli_env).returncode == 0
    before = _counts(cli_env)
    assert before["documents"] == len(list(EXAMPLES.iterdir()))
    res = run_cli(["ingest", str(EXAMPLES)], cli_env)
    assert res.returncode == 0
    assert _counts(cli_env) == before


def test_changed_document_becomes_a_new_version(cli_env, tmp_path: Path):
    doc = tmp_path / "story.json"
    data = json.loads((TEST_DOCS / "sahel_wire_01.json").read_text())
    doc.write_text(json.dumps(data))
    assert run_cli(["ingest", str(doc)], cli_env).returncode == 0
    data["text"] += "\nThe army said two more suspects were arrested in Mopti on Thursday."
    doc.write_text(json.dumps(data))
    assert run_cli(["ingest", str(doc)], cli_env).returncode == 0
    counts = _counts(cli_env)
    assert counts["documents"] == 1
    assert counts["document_versions"] == 2


def test_ingest_reads_standard_input(cli_env):
    text = (TEST_DOCS / "sahel_brief_14.json").read_bytes()
    res = run_cli(["ingest", "-"], cli_env, stdin=text)
    assert res.returncode == 0, res.stderr.decode()
    assert _counts(cli_env)["documents"] == 1


def _bad_inputs(folder: Path) -> dict[str, str]:
    """File name -> words its one-line error must contain."""
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "notext.json").write_text(json.dumps({"title": "x"}))
    (folder / "wrongtype.json").write_text(json.dumps({"text": 42}))
    (folder / "broken.json").write_text('{"text": "unterminated')
    (folder / "huge.txt").write_text("Syria " * 400_000)
    (folder / "baddate.json").write_text(json.dumps({"text": "Troops arrived.", "published": "soon"}))
    return {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "notext.json": '"text"',
        "wrongtype.json": "must be a string",
        "broken.json": "invalid JSON",
        "huge.txt": "over the limit",
        "baddate.json": '"published"',
    }


def test_bad_input_gets_one_line_per_file_and_the_batch_goes_on(cli_env, tmp_path: Path):
    good = tmp_path / "batch"
    expected = _bad_inputs(good)
    shutil.copy(TEST_DOCS / "sahel_brief_14.json", good / "zz_good.json")
    latin = "Le ministère a déclaré que trois suspects ont été arrêtés à Niamey mardi.".encode("latin-1")
    (good / "latin1.txt").write_bytes(latin)
    env = dict(cli_env, LIAISON_MAX_FILE_BYTES="1000000")
    res = run_cli(["ingest", str(good), str(tmp_path / "missing.txt")], env)
    assert res.returncode == 1
    err = res.stderr.decode()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    for name, words in expected.items():
        hits = [line for line in lines if name in line]
        assert len(hits) == 1, (name, err)
        assert words in hits[0], (name, hits[0])
    assert any("missing.txt" in line and "no such file" in line for line in lines)
    counts = _counts(cli_env)
    assert counts["documents"] == 2  # the good JSON and the Latin-1 text


def test_bad_input_leaves_what_was_stored_before_untouched(cli_env, tmp_path: Path):
    assert run_cli(["ingest", str(EXAMPLES)], cli_env).returncode == 0
    before = _counts(cli_env)
    assert before["documents"] == len(list(EXAMPLES.iterdir()))
    expected = _bad_inputs(tmp_path / "bad")
    res = run_cli(["ingest", str(tmp_path / "bad")], cli_env)
    assert res.returncode == 1
    assert len([x for x in res.stderr.decode().splitlines() if x.startswith("Error:")]) == len(expected)
    assert _counts(cli_env) == before


def test_unsupported_suffix_is_reported_not_ignored(cli_env, tmp_path: Path):
    f = tmp_path / "report.pdf"
    f.write_bytes(b"%PDF-1.4")
    res = run_cli(["ingest", str(f)], cli_env)
    assert res.returncode == 1
    assert "unsupported file type '.pdf'" in res.stderr.decode()


def test_events_and_entities_filter_by_type_entity_and_dates(cli_env):
    assert run_cli(["ingest", str(TEST_DOCS)], cli_env).returncode == 0
    res = run_cli(["events", "--type", "airstrike"], cli_env)
    assert res.returncode == 0
    rows = [line for line in res.stdout.decode().splitlines() if "│" in line and "type" not in line]
    assert rows and all("airstrike" in line for line in rows if line.split("│")[2].strip())
    res = run_cli(["events", "--entity", "al-Shabaab", "--since", "2025-03-01", "--until", "2025-03-31"], cli_env)
    assert res.returncode == 0 and "somalia_dateline" in res.stdout.decode()
    assert "sahel_wire" not in res.stdout.decode()
    res = run_cli(["entities", "--type", "armed_group", "--since", "2025-12-01"], cli_env)
    assert res.returncode == 0
    out = res.stdout.decode()
    assert "Islamic State Sahel Province" in out and "al-Shabaab" not in out


def test_filters_with_bad_values_get_one_line_errors(cli_env):
    for args, words in ((["events", "--type", "picnic"], "unknown type 'picnic'"),
                        (["events", "--since", "yesterday"], "not a date"),
                        (["show", "no-such-doc"], "no such document")):
        res = run_cli(args, cli_env)
        assert res.returncode == 1
        err = res.stderr.decode().strip()
        assert err.startswith("Error:") and words in err and "\n" not in err, err


def test_html_page_gives_main_text_and_page_metadata(cli_env):
    page = EXAMPLES / "02_syria_joint_raids.html"
    assert run_cli(["ingest", str(page)], cli_env).returncode == 0
    from liaison.settings import Settings
    from liaison.store import open_store

    store = open_store(Settings(database_url=cli_env["LIAISON_DATABASE_URL"]).resolved_database_url())
    try:
        [ver] = store.documents(text=True)
    finally:
        store.engine.dispose()
    assert ver.media_type == "text/html"
    assert ver.published is not None and ver.published.isoformat() == "2025-11-07"
    assert ver.title and ver.outlet
    html = page.read_text()
    # boilerplate around the article (the page has each of these) stays out of the stored text
    for junk in ("cookie", "Related stories", "All rights reserved"):
        assert junk.lower() in html.lower(), f"the test page lost its {junk!r} boilerplate"
        assert junk.lower() not in ver.text.lower(), junk


def test_show_prints_the_document_and_its_events(cli_env):
    assert run_cli(["ingest", str(TEST_DOCS / "sahel_brief_14.json")], cli_env).returncode == 0
    res = run_cli(["show", "sahel_brief_14"], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    out = res.stdout.decode()
    text = json.loads((TEST_DOCS / "sahel_brief_14.json").read_text())["text"]
    assert text.split("\n")[0][:40] in out
    assert "Events" in out and "attack" in out


def test_version_is_printed(cli_env):
    from liaison import __version__

    res = run_cli(["--version"], cli_env)
    assert res.returncode == 0 and res.stdout.decode().strip() == f"liaison {__version__}"


def test_bad_setting_and_unreachable_database_are_one_line_errors(cli_env):
    cases = [
        (dict(cli_env, LIAISON_WORKERS="many"), "LIAISON_WORKERS"),
        (dict(cli_env, LIAISON_DATABASE_URL="postgresql://nobody@127.0.0.1:1/nodb"), "cannot open the store"),
    ]
    for env, words in cases:
        res = run_cli(["events"], env)
        assert res.returncode == 1
        err = res.stderr.decode().strip()
        assert err.startswith("Error:") and words in err and "\n" not in err, err
