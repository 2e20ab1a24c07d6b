"""A killed ingest leaves each document whole or absent, and running it again completes the batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import LIAISON, TEST_DOCS

KILLS = 3


def _count(store) -> int:  # noqa: ANN001
    from liaison.store.schema import DocumentRow

    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(DocumentRow))


def _check_consistent(store) -> int:  # noqa: ANN001
    """Every stored document version has its entities, events and report; returns the document count."""
    from liaison.store.schema import DocumentRow, DocumentVersionRow, EntityRow, StixObjectRow

    with store.sessions() as s:
        docs = s.execute(select(DocumentRow.id, DocumentRow.current_version)).all()
        for did, version in docs:
            # Absent then whole: a document is stored once, never as a second version over a first half.
            assert version == 1, f"document {did} is at version {version}"
            assert s.get(DocumentVersionRow, (did, version)) is not None
            n_ent = s.scalar(select(func.count()).select_from(EntityRow).where(
                EntityRow.document_id == did, EntityRow.version == version))
            assert n_ent > 0, f"document {did} stored without its entities"
            reports = s.scalar(select(func.count()).select_from(StixObjectRow).where(
                StixObjectRow.document_id == did, StixObjectRow.type == "report"))
            assert reports >= 1, f"document {did} stored without its STIX report"
        return len(docs)


def _kill_once_more_is_stored(store, env: dict[str, str], batch: Path, before: int) -> None:  # noqa: ANN001
    """Start an ingest and SIGKILL it (and its worker processes) as soon as the store holds more
    than ``before`` documents: by then it has committed a batch and is working on the next."""
    proc = subprocess.Popen([LIAISON, "ingest", str(batch)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while _count(store) <= before:
            if proc.poll() is not None:
                pytest.fail(f"ingest exited ({proc.returncode}) before it could be killed: "
                            f"{proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"ingest stored nothing beyond {before} documents in 300 s")
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()


@pytest.mark.slow
def test_sigkill_during_ingest_leaves_whole_documents_and_rerun_completes(store, cli_env, tmp_path: Path):
    batch = tmp_path / "batch"
    batch.mkdir()
    sources = sorted(TEST_DOCS.glob("*.json"))
    n = 0
    for copy in range(3):
        for src in sources:
            data = json.loads(src.read_text())
            data["text"] = data["text"] + f"\n(Copy {copy}.)"
            (batch / f"{copy}_{src.name}").write_text(json.dumps(data))
            n += 1
    # Two workers and batches of three: a commit every few documents, so there is always more
    # left to do when a kill lands, whatever the number of cores.
    env = dict(cli_env, LIAISON_WORKERS="2", LIAISON_BATCH_SIZE="3")
    stored = [0]
    for _attempt in range(KILLS):
        _kill_once_more_is_stored(store, env, batch, stored[-1])
        stored.append(_check_consistent(store))
        # The kill interrupted the ingest part-way: more stored than before it, but not all.
        assert stored[-1] < n, f"the kill came after all {n} documents were stored: it interrupted nothing"
    res = subprocess.run([LIAISON, "ingest", str(batch)], env=cli_env, capture_output=True, timeout=600)
    assert res.returncode == 0, res.stderr.decode()
    assert _check_consistent(store) == n
