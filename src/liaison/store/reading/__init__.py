"""What the web UI's pages read, one module per page, each function taking the viewer's ``Actor``.

Every query here puts the one access rule (liaison.store.access) into its SQL: documents through
``visible_documents``, rows drawn from documents through ``visible_rows``, STIX objects through
``served``. So a partner member's page, count, search hit, map point or graph node is built only
from rows the TAXII API would let that partner read, by the same conditions. Each list is paginated
(``Page``) and served by indexed queries: no page reads a whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_
from sqlalchemy.sql.elements import ColumnElement

from liaison.store.schema import DocumentRow

_DOCS = DocumentRow.__table__

#: The most rows one page of any list shows.
MAX_PAGE = 200


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, where it starts, and whether there is more after it (found by
    asking for one row more than shown, so no list is counted in full to paginate it)."""

    rows: list[dict[str, Any]]
    offset: int
    limit: int
    more: bool
    total: int | None = None  # when the list is cheap to count
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.more else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset else None


def current(table: Table, version: ColumnElement | None = None) -> ColumnElement[bool]:
    """Join condition with ``documents``: ``table``'s rows (entities, mentions, events, roles, versions)
    of each document's current version. Extractions are kept per version; pages show the current one."""
    return and_(_DOCS.c.id == table.c.document_id,
                _DOCS.c.current_version == (version if version is not None else table.c.version))


def bounded(offset: int, limit: int) -> tuple[int, int]:
    return max(0, offset), max(1, min(limit, MAX_PAGE))


def page_of(rows: list[dict[str, Any]], offset: int, limit: int, total: int | None = None) -> Page:
    """The page from rows fetched with ``limit + 1``."""
    return Page(rows[:limit], offset, limit, len(rows) > limit, total)
