"""How fusion's reads and writes are cut to the database's limits: ids a statement at a time, and
block keys fitted to their column."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

CHUNK = 500  # ids per IN (...) clause: well under SQLite's and PostgreSQL's parameter limits
BLOCK_CHARS = 255  # the block columns' width (entity_blocks, event_blocks)


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def fit(key: str) -> str:
    """A blocking key as its column holds it: a key too long for it is stored as its digest."""
    if len(key) <= BLOCK_CHARS:
        return key
    return "sha1:" + hashlib.sha1(key.encode()).hexdigest()
