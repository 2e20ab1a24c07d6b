"""Indexes for the web UI's pages at 100,000 documents (bench/web_bench.py; the figures are in
bench/RESULTS.md, "Web UI at 100,000 documents"):

- entity_links by (document, key, entity): each (document, name) node's resolved entity read
  from the index alone (the entity page's related entities and roles, the graph's participants),
  not one table-row visit per link (rows carry each node's mention JSON);
- events by (document, version, idx, date): an entity's events put in date order from the index
  alone, then only the page's rows read whole;
- events in date order with their version (replacing ix_events_by_date, which it extends): a
  walk of a frequent entity's events probes each event's roles by (document, version, idx)
  without reading the event's row;
- entities by (key, document, version), replacing ix_entities_key (key), which it extends: the
  rows of one name in documents fusion has not linked, read from the index alone;
- document versions by (document, version, published): the entity page's timeline of months
  read from the index, not from each version's row and its text;
- documents' ``marked_at``, when `liaison mark` or the document page last changed a document's
  marking (with its index): a partner's view changes with it at once, so the web UI's remembered
  counts and maps read its latest value;
- the audit log by partner and by user, newest first: the sharing admin's filtered audit pages
  are an index walk on PostgreSQL too (SQLite's one-column indexes already carry the row id).

Each is made only where missing: the bench's store had them by hand first.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_entity_links_document_key_entity", "entity_links", ["document_id", "entity_key", "entity"]),
    ("ix_events_key_date", "events", ["document_id", "version", "idx", "date_start"]),
    ("ix_entities_key_document", "entities", ["key", "document_id", "version"]),
    ("ix_document_versions_published", "document_versions", ["document_id", "version", "published"]),
    ("ix_audit_partner_newest", "audit", ["partner_id", "id"]),
    ("ix_audit_user_newest", "audit", ["user_name", "id"]),
]


BY_DATE = [sa.text("(date_start IS NULL)"), "date_start", "document_id", "idx"]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)
    op.create_index("ix_events_by_date_version", "events", [*BY_DATE, "version"], if_not_exists=True)
    op.drop_index("ix_events_by_date", table_name="events", if_exists=True)
    op.drop_index("ix_entities_key", table_name="entities", if_exists=True)
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_documents_marked_at", "documents", ["marked_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_marked_at", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("marked_at")
    op.create_index("ix_entities_key", "entities", ["key"])
    op.create_index("ix_events_by_date", "events", BY_DATE)
    op.drop_index("ix_events_by_date_version", table_name="events")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
