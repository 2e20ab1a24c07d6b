"""How a SQLite store's connections are set up: the pragmas every connection gets."""

from __future__ import annotations

from pathlib import Path

from liaison.store import open_store
from liaison.store.database import SQLITE_CACHE_KIB


def test_every_sqlite_connection_has_the_large_page_cache_and_wal(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        for _ in range(2):  # a fresh connection and one back from the pool
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -SQLITE_CACHE_KIB
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        store.engine.dispose()
