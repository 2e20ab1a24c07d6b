"""Markings: a document's TLP and recipients; which objects each document yields; analysts' object markings.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("tlp", sa.String(16), nullable=True))
        batch.add_column(sa.Column("recipients", sa.Text, nullable=True))
    op.create_index("ix_documents_tlp", "documents", ["tlp"])  # "is anything marked?" in one probe
    op.create_table(
        "document_objects",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("object_id", sa.String(128), primary_key=True),
    )
    op.create_index("ix_document_objects_object_id", "document_objects", ["object_id"])
    # Documents stored before this migration: the objects their current version's ingest stored.
    op.execute("INSERT INTO document_objects (document_id, object_id) "
               "SELECT DISTINCT document_id, id FROM stix_objects WHERE document_id IS NOT NULL")
    op.create_table(
        "object_markings",
        sa.Column("object_id", sa.String(128), primary_key=True),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("recipients", sa.Text, nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("object_markings")
    op.drop_index("ix_document_objects_object_id", "document_objects")
    op.drop_table("document_objects")
    op.drop_index("ix_documents_tlp", "documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("recipients")
        batch.drop_column("tlp")
