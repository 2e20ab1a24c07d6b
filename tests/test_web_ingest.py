"""The ingest page: pasted text and several files at once land as documents through the pipeline, bad
files get the command line's one-line messages while the good ones land, progress is polled, the
upload folder is emptied, and only this installation's analysts may ingest."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from liaison.share.app import create_app
from liaison.store.schema import DocumentRow, DocumentVersionRow
from liaison.web import ingest as ingest_page
from liaison.web.ingest import safe_name, shown_name
from webkit import WebWorld, csrf_of, sign_in, world_fixture

world = world_fixture(examples=False)

ARTICLE = ("MOGADISHU, March 3, 2025 - Al-Shabaab fighters attacked an army base near Afgooye on Monday, "
           "killing 12 soldiers, the Somali National Army said.")
OTHER = ("BAGHDAD, May 5, 2025 - Iraqi forces arrested three Islamic State suspects in Mosul on Sunday, "
         "the interior ministry said.")
JOB = re.compile(r"^/ingest/jobs/([0-9a-f]{32})$")
DOC_LINK = re.compile(r'href="/documents/([0-9a-f]{32})"')


def _post(client: TestClient, data: dict | None = None, files: list | None = None, token: str | None = None):  # noqa: ANN202
    token = token or csrf_of(client.get("/ingest").text)
    return client.post("/ingest", data={"csrf_token": token, **(data or {})}, files=files, follow_redirects=False)


def _finished(client: TestClient, res, timeout: float = 120.0) -> str:  # noqa: ANN001
    """The status fragment of the job a POST started, once it is done."""
    assert res.status_code == 303, (res.status_code, res.text[:500])
    where = res.headers["location"]
    assert JOB.match(where), where
    deadline = time.monotonic() + timeout
    while True:
        fragment = client.get(where + "/status")
        assert fragment.status_code == 200
        if "hx-trigger" not in fragment.text:
            return fragment.text
        assert time.monotonic() < deadline, "the ingest did not finish"
        time.sleep(0.1)


def _title_of(world: WebWorld, did: str) -> str | None:
    d, v = DocumentRow.__table__, DocumentVersionRow.__table__
    with world.store.engine.connect() as conn:
        return conn.execute(select(v.c.title).join(d, (v.c.document_id == d.c.id) & (v.c.version == d.c.current_version))
                            .where(d.c.id == did)).scalar_one_or_none()


def test_the_page_offers_paste_several_files_a_marking_and_recipients(world: WebWorld):
    page = world.client("analyst").get("/ingest")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert re.search(r'<input id="ingest-files" name="files" type="file" multiple', page.text)
    for control in ('for="ingest-text"', 'for="ingest-title"', 'for="ingest-tlp"', 'name="recipient" value="alpha"'):
        assert control in page.text, control


def test_pasted_text_lands_as_a_document_with_its_title_and_marking(world: WebWorld):
    client = world.client("analyst")
    res = _post(client, {"title": "Base attack near Afgooye", "text": ARTICLE.replace(" - ", " -\r\n"),
                         "tlp": "amber+strict", "recipient": ["alpha"]})
    done = _finished(client, res)
    assert "Done: 1 of 1 document" in done
    (did,) = DOC_LINK.findall(done)
    assert _title_of(world, did) == "Base attack near Afgooye"
    with world.store.engine.connect() as conn:
        assert conn.execute(select(DocumentRow.stem).where(DocumentRow.id == did)).scalar_one() == "Base_attack_near_Afgooye"
    with world.store.engine.connect() as conn:
        tlp, recipients = conn.execute(select(DocumentRow.tlp, DocumentRow.recipients)
                                       .where(DocumentRow.id == did)).one()
    assert tlp == "amber+strict" and recipients and "identity--" in recipients
    page = client.get(f"/documents/{did}")
    assert page.status_code == 200 and "Afgooye" in page.text and "\r" not in page.text
    assert world.client("alpha-member").get(f"/documents/{did}").status_code == 200  # a named recipient
    assert world.client("bravo-member").get(f"/documents/{did}").status_code == 404


def test_one_clean_document_is_landed_on_directly(world: WebWorld):
    client = world.client("analyst")
    res = _post(client, {"text": OTHER})
    _finished(client, res)
    status = client.get(res.headers["location"] + "/status", headers={"HX-Request": "true"})
    assert re.fullmatch(r"/documents/[0-9a-f]{32}", status.headers["hx-redirect"])


def test_several_files_at_once_land_and_each_bad_one_gets_the_cli_message(world: WebWorld):
    client = world.client("analyst")
    limit = world.settings.max_file_bytes
    files = [("files", ("good one.txt", ARTICLE.encode(), "text/plain")),
             ("files", ("page.html", f"<html><head><title>Mosul arrests</title></head><body><article><p>{OTHER}"
                                     "</p></article></body></html>".encode(), "text/html")),
             ("files", ("empty.txt", b"", "text/plain")),
             ("files", ("binary.txt", bytes(range(256)) * 40, "application/octet-stream")),
             ("files", ("bad.json", b"{not json", "application/json")),
             ("files", ("huge.txt", b"a " * (limit // 2 + 10), "text/plain")),
             ("files", ("slides.pdf", b"%PDF-1.4", "application/pdf"))]
    done = _finished(client, _post(client, {"tlp": "green"}, files))
    assert "Done: 7 of 7 documents" in done
    assert len(DOC_LINK.findall(done)) == 2
    assert ">good one.txt</a>" in done and ">page.html</a>" in done
    expected = {"empty.txt": "file is empty (empty.txt). Remove it or give it some text.",
                "binary.txt": "file is binary, not text (binary.txt). Give a .txt, .json or .html document.",
                "bad.json": "invalid JSON at line 1 column 2: Expecting property name enclosed in double quotes "
                            "(bad.json). Fix the JSON syntax.",
                "huge.txt": f"file is {2 * (limit // 2 + 10)} bytes, over the limit of {limit} (huge.txt). "
                            "Raise LIAISON_MAX_FILE_BYTES or split the file.",
                "slides.pdf": "unsupported file type &#39;.pdf&#39; (slides.pdf). Use one of .txt, .json, .html, .htm."}
    for name, line in expected.items():
        assert f'<strong>{name}</strong>: <span class="message">{line}</span>' in done, (name, done)
    assert not list((world.settings.home / "uploads").glob("*/*")), "the uploaded files were not removed"


def test_a_wrongly_encoded_file_lands_with_the_cli_warning(world: WebWorld):
    client = world.client("analyst")
    text = "KABUL, Nov. 12, 2025 - L'arrêté du ministère a été publié.".encode("cp1252")
    done = _finished(client, _post(client, files=[("files", ("latin.txt", text, "text/plain"))]))
    assert len(DOC_LINK.findall(done)) == 1
    assert "Warning: text encoding guessed as" in done and "(latin.txt)" in done


def test_file_names_are_sanitised_and_nothing_is_written_outside_the_upload_folder(world: WebWorld):
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\a b<script>.TXT") == "a_b_script.txt"
    assert safe_name("") == "upload" and safe_name(".bashrc") == "upload.bashrc"
    assert shown_name("dir/\x00evil\u202e.txt") == "evil.txt"
    client = world.client("analyst")
    done = _finished(client, _post(client, files=[("files", ("../../escape.txt", OTHER.encode() + b" Again.",
                                                             "text/plain"))]))
    assert len(DOC_LINK.findall(done)) == 1
    assert not (world.settings.home / "escape.txt").exists() and not (world.folder / "escape.txt").exists()
    twice = [("files", ("same.txt", ARTICLE.encode() + b" Twice.", "text/plain"))] * 2
    done = _finished(client, _post(client, files=twice))
    assert len(DOC_LINK.findall(done)) == 1 and "The same file as one above in this upload: ingested once." in done


def test_upload_folders_a_stopped_server_left_behind_are_removed(world: WebWorld):
    import os

    left = world.settings.home / "uploads" / "0123456789abcdef"
    left.mkdir(parents=True)
    (left / "a.txt").write_text("left behind", encoding="utf-8")
    os.utime(left, (time.time() - 7 * 3600, time.time() - 7 * 3600))
    client = world.client("analyst")
    _finished(client, _post(client, {"text": ARTICLE + " Swept."}))
    assert not left.exists()


def test_progress_is_polled_until_the_documents_are_done(world: WebWorld):
    client = world.client("analyst")
    with ingest_page._ONE_AT_A_TIME:  # another ingest is running: this one waits its turn
        res = _post(client, files=[("files", ("a.txt", ARTICLE.encode() + b" One.", "text/plain")),
                                   ("files", ("b.txt", OTHER.encode() + b" Two.", "text/plain"))])
        page = client.get(res.headers["location"])
        assert page.status_code == 200 and "0 of 2 documents done" in page.text
        assert f'hx-get="{res.headers["location"]}/status" hx-trigger="every 1s"' in page.text
        assert '<meta http-equiv="refresh"' in page.text  # without scripts, the page reloads itself
    done = _finished(client, res)
    assert "Done: 2 of 2 documents" in done and 'value="2"' in done
    assert "2 landed" in client.get("/ingest").text  # the recent ingests


def test_nothing_to_ingest_or_a_marking_the_cli_refuses_gets_a_message(world: WebWorld):
    client = world.client("analyst")
    res = _post(client, {"title": "only a title"})
    assert res.status_code == 400 and "Paste some text or choose" in res.text and 'value="only a title"' in res.text
    res = _post(client, {"text": ARTICLE, "recipient": ["alpha"]})
    assert res.status_code == 400 and "Recipients need a marking" in res.text
    res = _post(client, {"text": ARTICLE, "tlp": "red", "recipient": ["nobody"]})
    assert res.status_code == 400 and "No such partner: nobody" in res.text


def test_an_upload_over_the_limit_is_refused_before_it_is_read(world: WebWorld):
    client = TestClient(create_app(world.settings.model_copy(update={"max_upload_bytes": 4096})),
                        raise_server_exceptions=False)
    sign_in(client, "analyst")
    res = _post(client, files=[("files", ("big.txt", b"a " * 4000, "text/plain"))])
    assert res.status_code == 413 and "over the limit of 4096 bytes" in res.text


def test_partner_members_may_not_ingest(world: WebWorld):
    analyst = world.client("analyst")
    started = _post(analyst, {"text": ARTICLE + " Partners."})
    job = started.headers["location"]
    _finished(analyst, started)
    for who in ("alpha-member", "bravo-member"):
        client = world.client(who)
        token = csrf_of(client.get("/").text)
        assert client.get("/ingest").status_code == 403
        res = client.post("/ingest", data={"csrf_token": token, "text": ARTICLE},
                          files=[("files", ("x.txt", b"text", "text/plain"))])
        assert res.status_code == 403 and "analysts" in res.text
        assert client.get(job).status_code == 403 and client.get(job + "/status").status_code == 403
        assert 'href="/ingest"' not in client.get("/").text


def test_a_forged_token_starts_no_ingest_and_another_analysts_job_is_not_found(world: WebWorld):
    client = world.client("analyst")
    before = len(getattr(world.app.state, "ingest_jobs", {}))
    res = _post(client, {"text": ARTICLE + " Forged."}, token="forged")
    assert res.status_code == 403 and "out of date" in res.text
    assert len(getattr(world.app.state, "ingest_jobs", {})) == before
    started = _post(client, {"text": ARTICLE + " Mine."})
    job = started.headers["location"]
    _finished(client, started)
    admin = world.client("admin")
    assert admin.get(job).status_code == 404 and admin.get(job + "/status").status_code == 404
    assert admin.get("/ingest/jobs/not-a-job").status_code == 404


def test_an_ingest_that_stops_altogether_says_why_in_one_line(world: WebWorld, monkeypatch):
    from liaison.errors import StoreError

    def unwritable(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise StoreError("cannot write to the store: disk full", "sqlite:///x.db", "Free some space")

    monkeypatch.setattr("liaison.pipeline.ingest", unwritable)
    client = world.client("analyst")
    done = _finished(client, _post(client, {"text": ARTICLE + " Full."}))
    assert "cannot write to the store: disk full (sqlite:///x.db). Free some space." in done
    assert not list((world.settings.home / "uploads").glob("*/*"))


def test_another_server_process_of_the_same_store_shows_the_job(world: WebWorld):
    """With `liaison serve --workers N` the job's page may be asked of a process that did not take
    the upload: the job is in the store, so each process shows it alike."""
    first = world.client("analyst")
    res = _post(first, {"text": OTHER.replace("three", "five"), "title": "Second worker"})
    other = TestClient(create_app(world.settings), raise_server_exceptions=False)  # a second server process
    sign_in(other, "analyst")
    where = res.headers["location"]
    done = _finished(other, res)
    assert "Done: 1 of 1 document (1 new" in done
    assert where in other.get("/ingest").text  # listed among the user's recent ingests there too
    sign_in(stranger := TestClient(create_app(world.settings), raise_server_exceptions=False), "admin")
    assert stranger.get(where).status_code == 404  # another user's job is as missing as none


def test_a_job_whose_server_stopped_reads_as_interrupted(world: WebWorld):
    import datetime as dt

    from sqlalchemy import update

    from liaison.clock import now
    from liaison.store.jobs import JOBS, IngestJobs

    jobs = IngestJobs(world.store)
    jobs.add("0" * 32, "analyst", 3, {"files": [], "notes": [], "counts": {}})
    jobs.save("0" * 32, state="running", done=1, error="", record={"files": [], "notes": [], "counts": {}})
    analyst = world.client("analyst")
    assert "Ingesting: 1 of 3" in analyst.get("/ingest/jobs/" + "0" * 32 + "/status").text  # alive: its beat is fresh
    with world.store.writing() as conn:  # no beat for an hour: its server stopped mid-way
        conn.execute(update(JOBS).where(JOBS.c.id == "0" * 32)
                     .values(beat_at=now() - dt.timedelta(hours=1)))
    status = analyst.get("/ingest/jobs/" + "0" * 32 + "/status").text
    assert "The server stopped during this ingest" in status and "hx-trigger" not in status
