"""Web ingest jobs, kept in the store: the server process that runs an ingest writes its progress
here and any process of the same store reads it (docs/web.md, "Ingest"). A job's row is written when
it starts, as documents are done (at most every ``BEAT_S`` seconds, and at least that often while it
runs: its heartbeat), and when it ends; a job whose heartbeat stopped (its server was stopped or
killed mid-way) reads as interrupted instead of running for ever."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, update

from liaison.clock import now
from liaison.store.database import Store
from liaison.store.schema import IngestJobRow

JOBS = IngestJobRow.__table__

#: How often a running job's row is written (its heartbeat); one silent this many times over is interrupted.
BEAT_S = 2.0
SILENT_BEATS = 30
#: Finished jobs are kept this long (the ingest page lists a user's latest ones).
KEEP_DAYS = 30
INTERRUPTED = "interrupted"


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _row(r: Any) -> dict[str, Any]:  # noqa: ANN401 (a Row mapping)
    job = dict(r)
    job["created_at"], job["beat_at"] = _aware(job["created_at"]), _aware(job["beat_at"])
    if job["state"] in ("queued", "running") and now() - job["beat_at"] > dt.timedelta(seconds=BEAT_S * SILENT_BEATS):
        job["state"] = INTERRUPTED
    return job


class IngestJobs:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, job_id: str, owner: str, total: int, record: dict[str, Any]) -> None:
        """A new job, queued; finished jobs older than KEEP_DAYS go."""
        at = now()
        with self.store.writing() as conn:
            conn.execute(delete(JOBS).where(JOBS.c.created_at < at - dt.timedelta(days=KEEP_DAYS)))
            conn.execute(insert(JOBS).values(id=job_id, owner=owner, created_at=at, beat_at=at, state="queued",
                                             total=total, done=0, error="", record=record))

    def save(self, job_id: str, *, state: str, done: int, error: str, record: dict[str, Any]) -> None:
        with self.store.writing() as conn:
            conn.execute(update(JOBS).where(JOBS.c.id == job_id)
                         .values(state=state, done=done, error=error, record=record, beat_at=now()))

    def get(self, job_id: str, owner: str) -> dict[str, Any] | None:
        """The job, if ``owner`` started it (another user's job is as missing as none)."""
        with self.store.engine.connect() as conn:
            r = conn.execute(select(JOBS).where(JOBS.c.id == job_id, JOBS.c.owner == owner)).mappings().first()
        return _row(r) if r is not None else None

    def latest(self, owner: str, limit: int = 10) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(JOBS).where(JOBS.c.owner == owner)
                                .order_by(JOBS.c.created_at.desc()).limit(limit)).mappings().all()
        return [_row(r) for r in rows]
