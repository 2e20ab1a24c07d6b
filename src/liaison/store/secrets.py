"""Secrets this installation makes for itself, kept in the store so that every server process and
host of one store agrees on them (migration 0011 makes the web session key)."""

from __future__ import annotations

import secrets

from sqlalchemy import insert, select

from liaison.store.database import Store
from liaison.store.schema import InstallationSecretRow

ST = InstallationSecretRow.__table__


def secret(store: Store, name: str) -> str:
    """The secret called ``name``, made at first use when the migration did not make it."""
    with store.engine.connect() as conn:
        found = conn.execute(select(ST.c.value).where(ST.c.name == name)).scalar_one_or_none()
    if found is not None:
        return found
    try:
        with store.writing() as conn:
            conn.execute(insert(ST).values(name=name, value=secrets.token_urlsafe(48)))
    except Exception:  # noqa: BLE001,S110 (another process made it first: read theirs)
        pass
    with store.engine.connect() as conn:
        return conn.execute(select(ST.c.value).where(ST.c.name == name)).scalar_one()
