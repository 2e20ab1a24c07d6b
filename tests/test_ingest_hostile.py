"""Hostile documents in a batch: each fails alone with one line, or is stored clean; the good ones are stored.

Through ``liaison.pipeline.ingest`` with the ``store`` fixture, so on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, TEST_DOCS
from liaison import pipeline
from liaison.settings import Settings

GOOD = ("sahel_brief_14.json", "sahel_wire_01.json", "somalia_dateline_04.json", "iraq_pmf_05.txt")


def _settings(tmp_path: Path, store, **extra) -> Settings:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    cache = ROOT / ".pytest_cache" / "liaison-cache"  # the place index, built once for every test
    cache.mkdir(parents=True, exist_ok=True)
    if not (home / "cache").exists():
        (home / "cache").symlink_to(cache)
    return Settings(home=home, database_url=store.engine.url.render_as_string(hide_password=False),
                    **{"workers": 1, **extra})


def _good(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for name in GOOD:
        if name.endswith(".txt"):  # a plain-text good file too: the text of a JSON one
            text = json.loads((TEST_DOCS / name.replace(".txt", ".json")).read_text())["text"]
            (folder / name).write_text(text)
        else:
            shutil.copy(TEST_DOCS / name, folder / name)
        names.append(name)
    return names


def _hostile(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Files that must fail (name -> words of their error) and files that must be stored (name -> text in them)."""
    folder.mkdir(parents=True, exist_ok=True)
    story = "Troops arrived in Gao on Tuesday, the army said."

    def put(name: str, data: bytes | str) -> None:
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())

    put("deep_object.json", '{"text": "' + story + '", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}")
    put("deep_array.json", "[" * 100_000 + "]" * 100_000)
    put("array.json", json.dumps([{"text": story}]))
    put("number_text.json", json.dumps({"text": 12345}))
    put("number_date.json", json.dumps({"text": story, "published": 20251113}))
    put("huge_number.json", '{"text": "' + story + '", "count": ' + "9" * 50_000 + "}")
    put("nul_only.txt", b"\x00" * 10 + b"\n")
    fails = {
        "deep_object.json": "nests",
        "deep_array.json": "nests",
        "array.json": "must be an object",
        "number_text.json": "must be a string, not number",
        "number_date.json": '"published"',
        "nul_only.txt": "binary",
    }
    put("nul_escape.json", json.dumps({"text": "Troops\u0000 arrived in Gao.\u0000", "title": "A\u0000B"}))
    put("nul_byte.txt", b"Troops arrived in Gao\x00 on Tuesday, the army said.\n")
    put("surrogate.json", '{"text": "Troops arrived in Gao \\ud800 on Tuesday.", "title": "\\udfff"}')
    put("keys.json", json.dumps({**{f"k{i}": i for i in range(10_000)}, "text": story}))
    put("huge_string.json", json.dumps({"text": story, "title": "T" * 200_000, "outlet": "x" * 100_000}))
    put("numbers.txt", "3.14159 2.71828 1.41421 " * 40)
    stored = {
        "nul_escape.json": "Troops arrived in Gao.",
        "nul_byte.txt": "Troops arrived in Gao on Tuesday",
        "surrogate.json": "Troops arrived in Gao \ufffd on Tuesday.",
        "keys.json": story,
        "huge_number.json": story,
        "huge_string.json": story,
        "numbers.txt": "3.14159 2.71828",
    }
    return fails, stored


def _stored(store) -> dict[str, str]:
    return {Path(doc.source_key).name: doc.text for doc in store.documents(text=True)}


def test_hostile_files_fail_alone_and_every_good_file_is_stored(store, tmp_path: Path):
    batch = tmp_path / "batch"
    good = _good(batch)
    fails, survivors = _hostile(batch)
    report = pipeline.ingest([str(batch)], _settings(tmp_path, store, batch_size=4), store)
    failed = {Path(name).name: line for name, line in report.failures}
    assert set(failed) == set(fails), [failed[k] for k in set(failed) - set(fails)]
    for name, words in fails.items():
        assert words in failed[name] and "\n" not in failed[name], (name, failed[name])
        assert str(batch / name) in failed[name]
    texts = _stored(store)
    assert set(texts) == set(good) | set(survivors)
    for name, words in survivors.items():
        assert words in texts[name], name
        assert "\x00" not in texts[name]
    assert report.new == len(good) + len(survivors)
    warned = {Path(name).name for name, _ in report.warnings}
    assert {"nul_escape.json", "nul_byte.txt", "surrogate.json"} <= warned
    assert store.counts()["document_versions"] == len(texts)


def test_a_failed_batch_leaves_what_was_stored_before_untouched(store, tmp_path: Path):
    before_dir = tmp_path / "before"
    _good(before_dir)
    settings = _settings(tmp_path, store)
    assert not pipeline.ingest([str(before_dir)], settings, store).failures
    before = store.counts()
    fails, _ = _hostile(tmp_path / "bad")
    for name in set(p.name for p in (tmp_path / "bad").iterdir()) - set(fails):
        (tmp_path / "bad" / name).unlink()
    report = pipeline.ingest([str(tmp_path / "bad"), str(before_dir)], settings, store)
    assert len(report.failures) == len(fails) and report.unchanged == len(GOOD)
    assert store.counts() == before


@pytest.mark.parametrize("workers", [1, 2])
def test_any_exception_while_reading_extracting_or_storing_is_that_documents_one_line_error(
        store, tmp_path: Path, monkeypatch, workers: int):
    batch = tmp_path / "batch"
    for i in range(6):
        (batch / f"doc{i}.txt").parent.mkdir(exist_ok=True)
        (batch / f"doc{i}.txt").write_text(f"Troops arrived in Gao on day {i}, the army said.")

    real_to_document, real_to_stix, real_save_one = pipeline.to_document, pipeline.to_stix, type(store)._save_one

    def to_document(src, warn=None):  # noqa: ANN001, ANN202
        if src.name.endswith("doc1.txt"):
            raise RecursionError("maximum recursion depth exceeded")
        return real_to_document(src, warn)

    def to_stix(doc, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if doc.source_key.endswith("doc3.txt"):
            raise KeyError("boom")
        return real_to_stix(doc, *args, **kwargs)

    def save_one(self, conn, doc, *args):  # noqa: ANN001, ANN002, ANN202
        if doc.source_key.endswith("doc4.txt"):
            raise ValueError("cannot adapt this value")
        return real_save_one(self, conn, doc, *args)

    monkeypatch.setattr(pipeline, "to_document", to_document)
    monkeypatch.setattr(pipeline, "to_stix", to_stix)  # the pool forks after this: workers have it too
    monkeypatch.setattr(type(store), "_save_one", save_one)
    report = pipeline.ingest([str(batch)], _settings(tmp_path, store, workers=workers, batch_size=3), store)
    lines = dict((Path(name).name, line) for name, line in report.failures)
    assert set(lines) == {"doc1.txt", "doc3.txt", "doc4.txt"}
    assert lines["doc1.txt"] == (f"cannot read document: RecursionError: maximum recursion depth exceeded "
                                 f"({batch / 'doc1.txt'}). Report this file to the Liaison maintainers; the "
                                 f"other documents were processed.")
    assert lines["doc3.txt"].startswith("cannot extract from document: KeyError: 'boom' (")
    assert lines["doc4.txt"].startswith("cannot store document: ValueError: cannot adapt this value (")
    assert sorted(_stored(store)) == ["doc0.txt", "doc2.txt", "doc5.txt"]
    assert report.new == 3
    assert store.counts()["document_versions"] == 3


def test_a_document_that_kills_its_worker_process_fails_alone(store, tmp_path: Path, monkeypatch):
    """Out of memory or a crash in compiled code ends a worker without an exception; the pool used to
    wait for it for ever. Now the document at fault gets one line and every other one is stored."""
    import os

    batch = tmp_path / "batch"
    batch.mkdir()
    for i in range(8):
        (batch / f"doc{i}.txt").write_text(f"Troops arrived in Gao on day {i}, the army said.")
    real_to_stix = pipeline.to_stix

    def to_stix(doc, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if doc.source_key.endswith("doc5.txt"):
            os._exit(137)  # as the out-of-memory killer leaves it: no exception, no clean-up
        return real_to_stix(doc, *args, **kwargs)

    monkeypatch.setattr(pipeline, "to_stix", to_stix)  # the pool forks after this: workers have it too
    report = pipeline.ingest([str(batch)], _settings(tmp_path, store, workers=2, batch_size=2), store)
    assert [(Path(name).name, line.split(" (")[0]) for name, line in report.failures] == [
        ("doc5.txt", "cannot extract from document: WorkerDied: the extraction process ended abruptly")]
    assert sorted(_stored(store)) == [f"doc{i}.txt" for i in range(8) if i != 5]
    assert report.new == 7


def test_a_word_longer_than_an_entity_key_is_stored(store, tmp_path: Path):
    # The word becomes an entity; its key is bounded (entities.key is VARCHAR(512), which PostgreSQL enforces).
    report = pipeline.ingest([str(_huge_word(tmp_path))], _settings(tmp_path, store), store)
    assert not report.failures and report.new == 1
    assert all(len(e.key) <= 512 for e in store.current_entities())


def _huge_word(tmp_path: Path) -> Path:
    path = tmp_path / "huge_word.txt"
    path.write_text("Gao " + "A" * 300_000)
    return path
