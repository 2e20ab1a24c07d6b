"""The command line a newcomer meets: narrow terminals, JSON listings, checks before changes, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import LIAISON, free_port, run_cli

LISTINGS = [["documents"], ["entities"], ["events"], ["organisation"], ["partners", "list"],
            ["collections", "list"], ["audit"]]


def test_every_listing_prints_its_rows_as_json_with_json(cli_env, tmp_path):
    doc = tmp_path / "a.json"
    doc.write_text(json.dumps({"text": "MOGADISHU, March 3, 2025 - Somali soldiers arrested two al-Shabaab "
                                       "suspects in Mogadishu, the army said."}))
    assert run_cli(["ingest", str(doc)], cli_env).returncode == 0
    assert run_cli(["partners", "add", "cell-a", "--name", "Cell A"], cli_env).returncode == 0
    assert run_cli(["collections", "add", "reports", "--from-store"], cli_env).returncode == 0
    from liaison.settings import Settings
    from liaison.store import open_store
    from liaison.store.sharing import Sharing

    store = open_store(Settings(database_url=cli_env["LIAISON_DATABASE_URL"]).resolved_database_url())
    Sharing(store).audit(None, partner_id="cell-a", remote="127.0.0.1", method="GET", path="/taxii2/",
                         collection_id=None, status=200, objects=0)  # what a TAXII request records
    store.engine.dispose()
    expected = {"documents": "stem", "entities": "name", "events": "type", "organisation": "identity",
                "partners list": "id", "collections list": "alias", "audit": "request"}
    for command in LISTINGS:
        res = run_cli([*command, "--json"], cli_env)
        assert res.returncode == 0, res.stderr.decode()
        rows = json.loads(res.stdout)
        assert rows and all(isinstance(r, dict) and expected[" ".join(command)] in r for r in rows), (command, rows)


def test_at_80_columns_a_stix_identity_is_shown_whole_on_one_line(cli_env):
    env = dict(cli_env, COLUMNS="80")
    identity = json.loads(run_cli(["organisation", "--json"], env).stdout)[0]["identity"]
    for command in (["organisation"], ["partners", "list"]):
        if command == ["partners", "list"]:
            run_cli(["partners", "add", "a-partner-with-a-long-id", "--name", "A partner with a long name"], env)
        res = run_cli(command, env)
        assert res.returncode == 0
        lines = res.stdout.decode().splitlines()
        assert all(len(line) <= 80 for line in lines), res.stdout.decode()
        wanted = identity if command == ["organisation"] else "identity--"
        assert any(wanted in line for line in lines), res.stdout.decode()
        for line in lines:  # every identity id shown is whole: 'identity--' and 36 characters of uuid
            for start in [i for i in range(len(line)) if line.startswith("identity--", i)]:
                assert len(line[start + 10 : start + 46].replace(" ", "")) == 36, line


def test_a_bad_expiry_adds_no_partner(cli_env):
    res = run_cli(["partners", "add", "cell-b", "--name", "Cell B", "--expires-in", "0"], cli_env)
    assert res.returncode == 1
    assert res.stderr.decode().startswith("Error: --expires-in must be at least 1")
    listed = json.loads(run_cli(["partners", "list", "--json"], cli_env).stdout)
    assert [p["id"] for p in listed] == []


def test_adding_an_existing_partner_if_missing_keeps_its_token(cli_env):
    first = run_cli(["partners", "add", "demo", "--name", "Demo", "--if-missing"], cli_env)
    assert b"liaison_" in first.stdout
    again = run_cli(["partners", "add", "demo", "--name", "Demo", "--if-missing"], cli_env)
    assert again.returncode == 0 and b"liaison_" not in again.stdout
    assert json.loads(run_cli(["partners", "list", "--json"], cli_env).stdout)[0]["live_tokens"] == 1


@pytest.mark.parametrize("variable, value", [("LIAISON_PAGE_SIZE", "0"), ("LIAISON_PORT", "70000"),
                                             ("LIAISON_WORKERS", "-1"), ("LIAISON_DATABASE_URL", "mysql://x")])
def test_a_bad_setting_is_one_line_naming_the_variable(cli_env, variable, value):
    res = run_cli(["serve", "--check"], dict(cli_env, **{variable: value}))
    assert res.returncode == 1
    lines = res.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and lines[0].startswith("Error: invalid setting"), lines


def test_serve_check_reports_a_taken_port_in_one_line(cli_env):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        res = run_cli(["serve", "--check", "--port", str(port)], cli_env)
    assert res.returncode == 1
    assert res.stderr.decode().strip() == (f"Error: cannot listen: Address already in use (127.0.0.1:{port}). "
                                           "Choose another --port/--host or stop the program using it.")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_serve_without_a_traceback(cli_env, workers):
    port = free_port()
    # Its own process group, as a terminal makes: Ctrl-C reaches the server and every process it started.
    proc = subprocess.Popen([LIAISON, "serve", "--port", str(port), "--workers", str(workers)], env=cli_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/taxii2/", timeout=2)
        except urllib.error.HTTPError:
            break  # 401: it answers
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("liaison serve did not answer")
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    text = stderr.decode()
    assert proc.returncode == 0, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text


@pytest.mark.parametrize("args, message", [
    (["collections", "add", "two words"], "Error: a collection alias is 1-128 letters"),
    (["collections", "add", "reports", "--default-tlp", "mauve"], "Error: unknown TLP level 'mauve'"),
    (["partners", "add", "cell a", "--name", "Cell A"], "Error: a partner id is 1-64 letters"),
    (["partners", "add", "cell-a", "--name", " "], "Error: a partner needs a name"),
    (["partners", "add", "cell-a", "--name", "A", "--identity", "identity--nope"], "Error: not a STIX identity id"),
    (["audit", "--limit", "0"], "Error: --limit must be at least 1"),
    (["ingest", "--workers", "0", "x.txt"], "Error: --workers must be at least 1"),
    (["serve", "--port", "0", "--check"], "Error: --port must be 1-65535"),
    (["pull", "http://127.0.0.1:9/taxii2/", "--into", "a/b"], "Error: a collection alias is 1-128 letters"),
])
def test_a_bad_argument_is_refused_before_anything_changes(cli_env, args, message):
    res = run_cli(args, cli_env)
    assert res.returncode == 1
    assert res.stderr.decode().startswith(message), res.stderr.decode()
    assert json.loads(run_cli(["partners", "list", "--json"], cli_env).stdout) == []
    assert json.loads(run_cli(["collections", "list", "--json"], cli_env).stdout) == []
