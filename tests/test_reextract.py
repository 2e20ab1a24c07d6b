"""Stored extractions follow the rules: the extraction method is a digest of what decides an
extraction, a document stored by another method is stale, and the next ingest or `liaison
reextract` extracts it again as a new version, keeping its marking."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, update

from conftest import TEST_DOCS, run_cli
from liaison.extract import version
from liaison.settings import Settings
from liaison.stix.tlp import Marking, marking_of
from liaison.store.schema import DocumentRow, DocumentVersionRow

DOCS = ["niger_issp_03.json", "iraq_pmf_05.json", "drc_m23_12.json"]
MODEL = Settings().spacy_model
OLD = "liaison-rules/1"  # what every document was stored by before the method was a digest


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in DOCS:
        shutil.copy(TEST_DOCS / name, folder / name)
    return folder


def _methods(store) -> dict[str, list[str]]:
    """Each document's stem -> the extraction method of each of its versions, oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(DocumentRow.stem, DocumentVersionRow.extraction_method)
                            .join(DocumentVersionRow, DocumentVersionRow.document_id == DocumentRow.id)
                            .order_by(DocumentRow.stem, DocumentVersionRow.version)).all()
    out: dict[str, list[str]] = {}
    for stem, method in rows:
        out.setdefault(stem, []).append(method)
    return out


def _make_stale(store, stem: str) -> None:
    """The document's current version as if extracted by older rules."""
    with store.engine.begin() as conn:
        did, current = conn.execute(select(DocumentRow.id, DocumentRow.current_version)
                                    .where(DocumentRow.stem == stem)).one()
        conn.execute(update(DocumentVersionRow).where(DocumentVersionRow.document_id == did,
                                                      DocumentVersionRow.version == current)
                     .values(extraction_method=OLD))


def _running() -> str:
    """The method as the CLI computes it now (uncached: a test may run while the sources are edited)."""
    return version.extraction_method.__wrapped__(MODEL)


def _summary(stdout: bytes) -> list[str]:
    return [line for line in stdout.decode().splitlines() if line.strip().startswith("│")][-1].split("│")[1:-1]


def _copy_package(tmp_path: Path) -> Path:
    copy = tmp_path / "liaison"
    shutil.copytree(version.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "oasis-schemas"))
    return copy


def _digest_of(package: Path) -> str:
    data = sorted((p for p in (package / "extract" / "data").iterdir()), key=lambda p: p.name)
    return version.digest(data, version.source_files(package), "en_model 1.0", "3.8", "0.1.0", package)


def test_a_changed_rule_file_or_rule_module_changes_the_extraction_method(tmp_path):
    package = _copy_package(tmp_path)
    before = _digest_of(package)
    assert before.startswith("liaison-rules/") and len(before) == len("liaison-rules/") + 12
    assert _digest_of(package) == before  # the same files: the same method
    cues = package / "extract" / "data" / "cues.json"
    cues.write_bytes(cues.read_bytes() + b" ")
    after_data = _digest_of(package)
    assert after_data != before
    dateline = package / "ingest" / "dateline.py"
    dateline.write_text(dateline.read_text() + "\n# changed\n")
    assert _digest_of(package) not in (before, after_data)
    data = sorted((package / "extract" / "data").iterdir(), key=lambda p: p.name)
    assert version.digest(data, version.source_files(package), "en_model 1.1", "3.8", "0.1.0", package) \
        != _digest_of(package)  # another model version


def test_the_digest_covers_every_liaison_module_the_extraction_and_the_mapping_import(tmp_path):
    code = ("import sys, liaison.extract.pipeline, liaison.stix.mapping\n"
            "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith('liaison.')))")
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    covered = {str(p) for p in version.source_files()}
    assert imported and set(imported) <= covered, set(imported) - covered


def test_the_extraction_method_is_computed_once_from_the_installed_files():
    first = version.extraction_method(MODEL)
    assert first == version.extraction_method(MODEL) and version.extraction_method.cache_info().hits >= 1
    data = sorted((p for p in version.DATA.iterdir() if p.is_file()), key=lambda p: p.name)
    import spacy

    import liaison
    assert first == version.digest(data, version.source_files(), version.model_identity(MODEL), spacy.__version__,
                                   liaison.__version__, version.PACKAGE)
    assert MODEL.split("_")[-1] in version.model_identity(MODEL)


def test_documents_stored_by_other_rules_are_re_extracted_by_the_next_ingest(cli_env, store, tmp_path):
    folder = _folder(tmp_path)
    res = run_cli(["ingest", "-w", "2", str(folder)], cli_env)  # two worker processes record the parent's method
    assert res.returncode == 0, res.stderr.decode()
    current = _running()
    assert {m for ms in _methods(store).values() for m in ms} == {current}
    _make_stale(store, "niger_issp_03")
    res = run_cli(["ingest", str(folder)], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    documents, new, updated, skipped = (int(c) for c in _summary(res.stdout)[:4])
    assert (documents, new, updated, skipped) == (3, 0, 1, 2)
    methods = _methods(store)
    assert methods["niger_issp_03"] == [OLD, current]
    assert methods["iraq_pmf_05"] == [current] and methods["drc_m23_12"] == [current]


def test_ingest_re_extracts_everything_when_the_rules_change(store, tmp_path, monkeypatch):
    import liaison.pipeline as pipeline

    home = tmp_path / "home"
    home.mkdir()
    settings = Settings(home=home, database_url=store.engine.url.render_as_string(hide_password=False), workers=1)
    folder = _folder(tmp_path)
    first = pipeline.ingest([str(folder)], settings, store)
    assert (first.new, first.failures) == (3, [])
    monkeypatch.setattr(pipeline, "extraction_method", lambda model: "liaison-rules/changed0000")
    again = pipeline.ingest([str(folder)], settings, store)
    assert (again.new, again.updated, again.unchanged, again.failures) == (0, 3, 0, [])
    assert all(ms[-1] == "liaison-rules/changed0000" and len(ms) == 2 for ms in _methods(store).values())
    assert pipeline.ingest([str(folder)], settings, store).unchanged == 3  # now current


def test_reextract_stale_re_extracts_exactly_the_stale_documents(cli_env, store, tmp_path):
    folder = _folder(tmp_path)
    assert run_cli(["ingest", str(folder)], cli_env).returncode == 0
    _make_stale(store, "iraq_pmf_05")
    _make_stale(store, "drc_m23_12")
    before = {doc.stem: doc.text for doc in store.documents(text=True)}
    shutil.rmtree(folder)  # re-extraction reads the stored text, not the files
    res = run_cli(["reextract", "--stale"], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    documents, updated, current = (int(c) for c in _summary(res.stdout)[:3])
    assert (documents, updated, current) == (3, 2, 1)
    methods = _methods(store)
    now = _running()
    assert methods == {"niger_issp_03": [now], "iraq_pmf_05": [OLD, now], "drc_m23_12": [OLD, now]}
    assert {doc.stem: doc.text for doc in store.documents(text=True)} == before
    res = run_cli(["reextract"], cli_env)  # nothing stale is left
    assert res.returncode == 0 and [int(c) for c in _summary(res.stdout)[:3]] == [3, 0, 3]


def test_reextract_of_an_unknown_document_is_one_line(cli_env, store, tmp_path):
    assert run_cli(["ingest", str(_folder(tmp_path))], cli_env).returncode == 0
    _make_stale(store, "niger_issp_03")
    res = run_cli(["reextract", "niger_issp_03", "no-such-doc"], cli_env)
    assert res.returncode == 1
    lines = res.stderr.decode().strip().splitlines()
    assert lines == ["Error: no such document in the store (no-such-doc). List documents with `liaison documents`."]
    assert _methods(store)["niger_issp_03"] == [OLD]  # nothing was done


def test_reextract_keeps_the_documents_marking(cli_env, store, tmp_path):
    path = tmp_path / "syria.json"
    shutil.copy(TEST_DOCS / "iraq_pmf_05.json", path)
    assert run_cli(["ingest", "--tlp", "red", str(path)], cli_env).returncode == 0
    _make_stale(store, "syria")
    res = run_cli(["reextract", "syria"], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    assert _methods(store)["syria"] == [OLD, _running()]
    reports = [o for o in store.latest_stix() if o["type"] == "report"]
    assert len(reports) == 1 and marking_of(reports[0]) == Marking("red")
