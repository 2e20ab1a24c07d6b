"""Indexes the web UI's pages need at 100,000 documents (bench/web_bench.py; figures in bench/RESULTS.md).

* events in date order, undated last, then by document and index (the events page's, timeline's
  and map list's default order, liaison.store.reading.events._order): the page is an index walk
  that stops after its rows instead of a sort of every event; the access rule is asked only of
  the rows walked. The same with a type first, for the type filter in that order.
* documents by when they were last ingested (the dashboard's latest documents), and document
  versions by when they were stored (what changed since the last visit).
* mentions by entity key: search confirms each name it proposes with "a visible document writes
  this name for this key" (liaison.store.reading.search._confirmed), which without it is a scan of
  every mention (a quarter to a third of a second each at 100,000 documents, 0.2 ms with it).

The first two are on expressions, ``(date_start IS NULL)`` exactly as the query's ORDER BY writes it,
which SQLite (3.9+) and PostgreSQL both index and match.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UNDATED = sa.text("(date_start IS NULL)")


def upgrade() -> None:
    op.create_index("ix_events_by_date", "events", [UNDATED, "date_start", "document_id", "idx"])
    op.create_index("ix_events_type_by_date", "events", ["type", UNDATED, "date_start", "document_id", "idx"])
    op.create_index("ix_documents_last_ingested", "documents", ["last_ingested"])
    op.create_index("ix_document_versions_ingested_at", "document_versions", ["ingested_at"])
    op.create_index("ix_mentions_entity_key", "mentions", ["entity_key"])


def downgrade() -> None:
    op.drop_index("ix_mentions_entity_key", table_name="mentions")
    op.drop_index("ix_document_versions_ingested_at", table_name="document_versions")
    op.drop_index("ix_documents_last_ingested", table_name="documents")
    op.drop_index("ix_events_type_by_date", table_name="events")
    op.drop_index("ix_events_by_date", table_name="events")
