"""Collection objects indexed by object id alone: the one access rule asks, for a document, whether
its report is in a collection a reader may read (store/access.visible_documents), and without
this index that is a scan of every collection object.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_collection_objects_object", "collection_objects", ["object_id"])


def downgrade() -> None:
    op.drop_index("ix_collection_objects_object", table_name="collection_objects")
