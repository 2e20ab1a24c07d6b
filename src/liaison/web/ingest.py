"""`/ingest`: this installation's analysts paste text or upload files (txt, html, json; several at
once) with a TLP marking and recipients, and watch them land.

The documents go through the pipeline's own ``ingest`` (liaison.pipeline), the function behind
`liaison ingest`, which also resolves them against the store and syncs the collections that follow
it; so a bad file gets the line the command line would print (empty, over the size limit, binary,
wrongly encoded, bad JSON, ...), listed by the name it was uploaded as, and the good files of the
same batch still land.

An upload is written to a folder of its own under the home's ``uploads/`` (named by a hash of the
sanitised file name and its bytes, so the same file uploaded again is the same document, as the
same path is on the command line) and removed once the ingest is over. The ingest runs in a thread
of the server process that took the upload, one at a time per process; its job is kept in the store
(liaison.store.jobs), written as it goes, so with several server processes (`--workers`) any of them
shows it. The job's page polls a status fragment (htmx, every second) that counts the documents done
and links to each new one; a single new document is landed on directly. A job whose server stopped
mid-way says so. A request larger than ``max_upload_bytes`` is refused before it is read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import re
import shutil
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from liaison import clock
from liaison.errors import LiaisonError
from liaison.store.database import document_id
from liaison.store.jobs import BEAT_S, INTERRUPTED, IngestJobs
from liaison.store.reading.documents import partner_choices
from liaison.web.deps import Checked, Forbidden, Services, Signed, own_analyst
from liaison.web.documents import marking_of
from liaison.web.render import error_page, page

router = APIRouter(include_in_schema=False)

#: The most files one upload may hold.
MAX_FILES = 100
JOB_ID = re.compile(r"[0-9a-f]{32}")
#: An upload folder older than this belongs to no running ingest (a server stopped mid-way): removed.
STALE_S = 6 * 3600
_ONE_AT_A_TIME = threading.Lock()  # ingests share the extraction pipeline and the store's writer


@dataclass
class FileResult:
    """What became of one uploaded file: its document, or the one line saying why not."""

    name: str  # as uploaded (shown escaped)
    document_id: str | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class Job:
    id: str
    owner: str
    total: int
    files: list[FileResult]
    created: Any  # noqa: ANN401 (a datetime)
    done: int = 0
    state: str = "queued"  # queued, running, done; interrupted (read back: its server stopped mid-way)
    error: str = ""  # the one line of an ingest that stopped altogether
    notes: list[str] = field(default_factory=list)  # lines about the whole ingest (a slow first step, fusion)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in ("done", INTERRUPTED)

    @property
    def landed(self) -> list[FileResult]:
        return [f for f in self.files if f.document_id]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.message]

    def record(self) -> dict[str, Any]:
        """What the store keeps beside the job's state: each file's outcome, the notes, the counts."""
        return {"files": [dataclasses.asdict(f) for f in self.files], "notes": list(self.notes),
                "counts": dict(self.counts)}

    def save(self, jobs: IngestJobs) -> None:
        jobs.save(self.id, state=self.state, done=self.done, error=self.error, record=self.record())

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        record = row["record"] or {}
        job = cls(row["id"], row["owner"], row["total"], [FileResult(**f) for f in record.get("files", [])],
                  row["created_at"], row["done"], row["state"], row["error"], list(record.get("notes", [])),
                  dict(record.get("counts", {})))
        if job.state == INTERRUPTED and not job.error:
            job.error = ("The server stopped during this ingest. The documents it stored before that are on the "
                         "dashboard; upload the rest again.")
        return job


# ---------------------------------------------------------------- names and files


def safe_name(raw: str | None) -> str:
    """A file name that is safe to write anywhere: no folders, letters, digits, '_' and '-' in the
    stem, its suffix kept (lower case) so that the pipeline reads it by its kind or says it cannot."""
    name = unicodedata.normalize("NFKC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-")[:80] or "upload"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix)[:10].lower()
    return f"{stem}.{suffix}" if suffix else stem


def shown_name(raw: str | None) -> str:
    """The name as the user gave it, for messages: no folders, no control characters, not too long."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return (name[:120] + "…" if len(name) > 120 else name) or "(no name)"


@dataclass(frozen=True)
class Upload:
    shown: str
    name: str
    data: bytes


def _from_form(form: FormData) -> list[Upload]:
    """The pasted text (as a .txt, or a .json with its title) and every chosen file."""
    out: list[Upload] = []
    text = form.get("text")
    title = form.get("title")
    title = title.strip() if isinstance(title, str) else ""
    if isinstance(text, str) and text.strip():
        text = text.replace("\r\n", "\n")  # browsers send a textarea's lines with CRLF
        # A stem of its own for each text (the name lists and `liaison show` use): its title, or a hash.
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", unicodedata.normalize("NFKC", title)).strip("_-")[:60]
        stem = slug or "pasted-" + hashlib.sha256(text.encode()).hexdigest()[:8]
        if title:
            out.append(Upload(f"Pasted text: {shown_name(title)}", f"{stem}.json",
                              json.dumps({"title": title, "text": text}, ensure_ascii=False).encode("utf-8")))
        else:
            out.append(Upload("Pasted text", f"{stem}.txt", text.encode("utf-8")))
    for item in form.getlist("files"):
        if not isinstance(item, UploadFile) or (not item.filename and not item.size):
            continue  # the empty part a browser sends when no file was chosen
        item.file.seek(0)
        out.append(Upload(shown_name(item.filename), safe_name(item.filename), item.file.read()))
    return out


def _write(root: Path, uploads: list[Upload]) -> tuple[list[tuple[Upload, Path | None]], list[Path]]:
    """Each upload written to ``root/<hash>/<name>`` (None for a repeat of one already written in
    this batch), and the folders made."""
    written: list[tuple[Upload, Path | None]] = []
    folders: list[Path] = []
    seen: set[Path] = set()
    for up in uploads:
        digest = hashlib.sha256(up.name.encode() + b"\0" + up.data).hexdigest()[:16]
        path = (root / digest / up.name).resolve()
        if path in seen:
            written.append((up, None))
            continue
        seen.add(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        folders.append(path.parent)
        path.write_bytes(up.data)
        written.append((up, path))
    return written, folders


def _sweep(root: Path, older_than_s: float = STALE_S) -> None:
    """Remove upload folders left behind by a server that stopped in the middle of an ingest."""
    try:
        children = list(root.iterdir())
    except OSError:
        return
    cutoff = time.time() - older_than_s
    for child in children:
        try:
            if child.is_dir() and child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue


# ---------------------------------------------------------------- the job


def _run(job: Job, written: list[tuple[Upload, Path | None]], folders: list[Path], settings: Any,  # noqa: ANN401
         store: Any, marking: Any) -> None:  # noqa: ANN401
    """Ingest the files (in this thread, one job at a time) and record what became of each."""
    from liaison.pipeline import ingest

    paths = [p for _, p in written if p is not None]
    jobs = IngestJobs(store)
    over = threading.Event()

    def beat() -> None:  # the job's row written while it runs: its progress, and a sign of life
        while not over.wait(BEAT_S):
            with contextlib.suppress(Exception):  # a busy store: the next beat writes it
                job.save(jobs)

    threading.Thread(target=beat, name=f"ingest-beat-{job.id[:8]}", daemon=True).start()
    try:
        with _ONE_AT_A_TIME:
            job.state = "running"

            def tick(_name: str, _total: int) -> None:
                job.done = min(job.total, job.done + 1)

            # In this process, no worker pool: forking a server process that runs threads is unsafe.
            report = ingest([str(p) for p in paths], settings.model_copy(update={"workers": 1}), store,
                            progress=tick, marking=marking, notice=job.notes.append)
        failures = dict(report.failures)
        warnings: dict[str, list[str]] = {}
        for name, line in report.warnings:
            warnings.setdefault(name, []).append(line)
        for up, path in written:
            result = FileResult(up.shown)
            job.files.append(result)
            if path is None:
                result.message = "The same file as one above in this upload: ingested once."
                continue
            key = str(path)
            if key in failures:
                result.message = failures[key].replace(key, up.shown)
            else:
                result.document_id = document_id(key)
            result.warnings = [w.replace(key, up.shown) for w in warnings.pop(key, [])]
        job.notes += [line for lines in warnings.values() for line in lines]  # not of one file: fusion's
        job.counts = {"new": report.new, "updated": report.updated, "unchanged": report.unchanged,
                      "failed": len(report.failures), "entities": report.entities, "events": report.events}
    except LiaisonError as exc:
        job.error = exc.line()
    except Exception as exc:  # noqa: BLE001 (one line on the page, never a traceback)
        reason = (str(exc).strip().splitlines() or [""])[0][:200]
        job.error = f"The ingest stopped: {type(exc).__name__}{': ' + reason if reason else ''}."
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        over.set()
        job.done = job.total
        job.state = "done"
        _save_finally(job, jobs)


def _save_finally(job: Job, jobs: IngestJobs, tries: int = 20) -> None:
    """The finished job written, retried while the store is busy (its page waits for it)."""
    for attempt in range(tries):
        try:
            job.save(jobs)
            return
        except Exception:  # noqa: BLE001 (busy: try again; the last failure leaves it to read as interrupted)
            if attempt == tries - 1:
                return
            time.sleep(0.5)


# ---------------------------------------------------------------- the pages


async def upload_form(request: Request, svc: Services, who: Signed) -> FormData:
    """The upload's form, read only for an analyst and only when the request is within the limit."""
    own_analyst(who)
    limit = svc.settings.max_upload_bytes
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise Forbidden("The upload has no length", "Send it from the ingest page's form.", 411)
    if int(length) > limit:
        raise Forbidden("The upload is too large", f"It is {int(length)} bytes, over the limit of {limit} bytes "
                        "(LIAISON_MAX_UPLOAD_BYTES). Upload fewer or smaller files at once.", 413)
    return await request.form(max_files=MAX_FILES, max_fields=1000, max_part_size=limit)


Form = Annotated[FormData, Depends(upload_form)]


def _form_page(request: Request, svc: Any, who: Any, status: int = 200, message: str = "",  # noqa: ANN401
               values: dict[str, Any] | None = None) -> Response:
    mine = [Job.from_row(r) for r in IngestJobs(svc.store).latest(who.name)]
    return page(request, "ingest.html", who, status, partners=partner_choices(svc.store), message=message,
                values=values or {}, jobs=mine, limit=svc.settings.max_upload_bytes,
                file_limit=svc.settings.max_file_bytes, max_files=MAX_FILES)


@router.get("/ingest")
def ingest_form(request: Request, svc: Services, who: Signed) -> Response:
    own_analyst(who)
    return _form_page(request, svc, who)


@router.post("/ingest")
def submit(request: Request, svc: Services, form: Form, who: Checked) -> Response:
    tlp = form.get("tlp")
    tlp = tlp.strip() if isinstance(tlp, str) else ""
    recipients = [r for r in form.getlist("recipient") if isinstance(r, str) and r.strip()][:200]
    title = form.get("title")
    values = {"tlp": tlp, "recipients": set(recipients), "title": title if isinstance(title, str) else "",
              "text": form.get("text") if isinstance(form.get("text"), str) else ""}
    marking = None
    try:
        if tlp:
            marking = marking_of(svc, tlp, recipients)
        elif recipients:
            raise ValueError("Recipients need a marking: choose TLP:AMBER+STRICT or TLP:RED.")
    except ValueError as exc:
        return _form_page(request, svc, who, 400, str(exc), values)
    uploads = _from_form(form)
    if not uploads:
        return _form_page(request, svc, who, 400, "Paste some text or choose one or more files.", values)
    root = svc.settings.home / "uploads"
    _sweep(root)
    try:
        written, folders = _write(root, uploads)
    except OSError as exc:
        return error_page(503, "The upload could not be stored", f"Cannot write to {root}: {exc.strerror or exc}. "
                          "Check that the home folder is writable.")
    job = Job(uuid.uuid4().hex, who.name, len(written), [], clock.now())
    IngestJobs(svc.store).add(job.id, job.owner, job.total, job.record())
    threading.Thread(target=_run, args=(job, written, folders, svc.settings, svc.store, marking),
                     name=f"ingest-{job.id[:8]}", daemon=True).start()
    return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)


def _job(svc: Any, who: Any, job_id: str) -> Job | None:  # noqa: ANN401
    """The job, read from the store (whichever server process runs it), if this user started it."""
    row = IngestJobs(svc.store).get(job_id, who.name) if JOB_ID.fullmatch(job_id) else None
    return Job.from_row(row) if row is not None else None


def _no_job() -> Response:
    return error_page(404, "No such ingest", "No ingest of yours has this number (jobs are kept 30 days); "
                      "the documents you stored are on the dashboard.")


@router.get("/ingest/jobs/{job_id}")
def job_page(request: Request, svc: Services, who: Signed, job_id: str) -> Response:
    own_analyst(who)
    job = _job(svc, who, job_id)
    if job is None:
        return _no_job()
    return page(request, "ingest_job.html", who, job=job)


@router.get("/ingest/jobs/{job_id}/status")
def job_status(request: Request, svc: Services, who: Signed, job_id: str) -> Response:
    """The status fragment the job's page polls; when one document landed cleanly, htmx goes to it."""
    own_analyst(who)
    job = _job(svc, who, job_id)
    if job is None:
        return _no_job()
    response = page(request, "ingest_status.html", who, job=job)
    if (request.headers.get("hx-request") and job.finished and not job.error and len(job.files) == 1
            and job.landed and not job.failed and not job.files[0].warnings and not job.notes):
        response.headers["HX-Redirect"] = f"/documents/{job.landed[0].document_id}"
    return response
