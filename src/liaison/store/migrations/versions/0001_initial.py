"""Initial store: documents and versions, extractions, STIX object versions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_VERSION_FK = (["document_id", "version"], ["document_versions.document_id", "document_versions.version"])


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source_key", sa.Text, nullable=False, unique=True),
        sa.Column("stem", sa.String(255), nullable=False, index=True),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("first_ingested", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_ingested", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "document_versions",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("published_from", sa.String(16)),
        sa.Column("extraction_method", sa.String(64), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "entities",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("canonical", sa.Text, nullable=False),
        sa.Column("type", sa.String(32), nullable=False, index=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.ForeignKeyConstraint(*_VERSION_FK, ondelete="CASCADE"),
    )
    op.create_index("ix_entities_key", "entities", ["key"])
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("entity_key", sa.String(512), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(*_VERSION_FK, ondelete="CASCADE"),
    )
    op.create_index("ix_mentions_doc", "mentions", ["document_id", "version"])
    op.create_table(
        "events",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("type", sa.String(64), nullable=False, index=True),
        sa.Column("subtype", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("date_value", sa.String(32)),
        sa.Column("date_start", sa.Date, index=True),
        sa.Column("date_end", sa.Date),
        sa.Column("confidence", sa.Integer, nullable=False),
        sa.Column("evidence_start", sa.Integer, nullable=False),
        sa.Column("evidence_end", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.ForeignKeyConstraint(*_VERSION_FK, ondelete="CASCADE"),
    )
    op.create_table(
        "event_roles",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("entity_key", sa.String(512), primary_key=True),
        sa.ForeignKeyConstraint(["document_id", "version", "idx"], ["events.document_id", "events.version",
                                                                    "events.idx"], ondelete="CASCADE"),
    )
    op.create_index("ix_event_roles_entity", "event_roles", ["entity_key"])
    op.create_table(
        "stix_objects",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("modified", sa.String(32), primary_key=True),
        sa.Column("type", sa.String(64), nullable=False, index=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(64), index=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("object", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("stix_objects", "event_roles", "events", "mentions", "entities", "document_versions", "documents"):
        op.drop_table(table)
