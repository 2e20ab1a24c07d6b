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


def test_the_pool_hands_back_the_connection_used_last_whose_cache_is_warm(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with store.engine.connect() as first, store.engine.connect() as second:
            first_id, second_id = id(first.connection.dbapi_connection), id(second.connection.dbapi_connection)
        # "second" closes first, then "first": the one given back last is "first"
        with store.engine.connect() as again:
            assert id(again.connection.dbapi_connection) == first_id != second_id
    finally:
        store.engine.dispose()


def test_an_in_memory_store_still_opens():
    store = open_store("sqlite:///:memory:")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1
