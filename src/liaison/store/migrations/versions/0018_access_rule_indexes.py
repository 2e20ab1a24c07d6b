"""Indexes that let the access rule and a type filter's walk read indexes alone
(bench/web_bench.py; the figures are in bench/RESULTS.md, "Web UI at 100,000 documents"):

- collection objects by (collection, object, origin, version, tlp, producer, seq): the rule's
  report of a document (its latest ingested version in a collection, its TLP, its producer) is
  answered from the index, not from the row, whose ``origin`` follows the object's whole JSON (a
  report's is often pages long); the "no later version" probe is a range of the same index. A
  partner's map of 1,000 events at 100,000 documents: 7,325 page reads -> 5,163;
- events by type in date order with their version (replacing ix_events_type_by_date, which it
  extends, as 0017 did for the walk without a type): a type filter's walk joins each event's
  document by (document, version) without reading the event's row (its JSON).

Each is made only where missing: the bench's store had them by hand first.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

RULE = ["collection_id", "object_id", "origin", "version", "tlp", "producer", "seq"]
TYPE_BY_DATE = ["type", sa.text("(date_start IS NULL)"), "date_start", "document_id", "idx"]


def upgrade() -> None:
    op.create_index("ix_collection_objects_rule", "collection_objects", RULE, if_not_exists=True)
    op.create_index("ix_events_type_by_date_version", "events", [*TYPE_BY_DATE, "version"], if_not_exists=True)
    op.drop_index("ix_events_type_by_date", table_name="events", if_exists=True)


def downgrade() -> None:
    op.create_index("ix_events_type_by_date", "events", TYPE_BY_DATE)
    op.drop_index("ix_events_type_by_date_version", table_name="events")
    op.drop_index("ix_collection_objects_rule", table_name="collection_objects")
