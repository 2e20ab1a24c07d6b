"""Indexes the entity, graph and search pages need at 100,000 documents (bench/web_bench.py).

* entity links by entity, then document and key: every read of "the entity's nodes" (the entity
  page's sample and document count, search's document counts, the events an entity takes part
  in) is then a walk of this index alone. ix_entity_links_entity (entity only) sends each of its
  entries back to the table row, which carries the node's JSON: a frequent entity (28,000
  documents) cost a quarter of a second to count, a few milliseconds with this one.
* event roles by entity key, then the event: the events of a key fusion has not linked (and the
  events page's entity filter) found without visiting each role's table row.

Both are created only where missing, so a store that was given them by hand reads the same.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entity_links_entity_document", "entity_links", ["entity", "document_id", "entity_key"],
                    if_not_exists=True)
    op.create_index("ix_event_roles_entity_event", "event_roles", ["entity_key", "document_id", "version", "idx"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_event_roles_entity_event", table_name="event_roles")
    op.drop_index("ix_entity_links_entity_document", table_name="entity_links")
