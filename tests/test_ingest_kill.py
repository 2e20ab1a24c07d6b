"""A killed ingest leaves each document whole or absent, and running it again completes the batch."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import LIAISON, TEST_DOCS


def _store(env):
    from liaison.settings import Settings
    from liaison.store import open_store

    return open_store(Settings(database_url=env["LIAISON_DATABASE_URL"]).resolved_database_url())


def _check_consistent(env) -> int:
    """Every stored document version has its entities, events and report; returns the document count."""
    from liaison.store.schema import DocumentRow, DocumentVersionRow, EntityRow, StixObjectRow

    store = _store(env)
    try:
        with store.sessions() as s:
            docs = s.execute(select(DocumentRow.id, DocumentRow.current_version)).all()
            for did, version in docs:
                assert s.get(DocumentVersionRow, (did, version)) is not None
                n_ent = s.scalar(select(func.count()).select_from(EntityRow).where(
                    EntityRow.document_id == did, EntityRow.version == version))
                assert n_ent > 0, f"document {did} stored without its entities"
                reports = s.scalar(select(func.count()).select_from(StixObjectRow).where(
                    StixObjectRow.document_id == did, StixObjectRow.type == "report"))
                assert reports >= 1, f"document {did} stored without its STIX report"
            return len(docs)
    finally:
        store.engine.dispose()


@pytest.mark.slow
def test_sigkill_during_ingest_leaves_whole_documents_and_rerun_completes(cli_env, tmp_path: Path):
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
    rng = random.Random(20261125)
    for _attempt in range(3):
        proc = subprocess.Popen([LIAISON, "ingest", str(batch)], env=cli_env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(2.0, 9.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        stored = _check_consistent(cli_env)
        assert 0 <= stored <= n
    res = subprocess.run([LIAISON, "ingest", str(batch)], env=cli_env, capture_output=True, timeout=600)
    assert res.returncode == 0, res.stderr.decode()
    assert _check_consistent(cli_env) == n
