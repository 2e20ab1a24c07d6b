"""Fusion's decisions: entity links with their evidence, blocking keys, analysts' overrides, event
stories and the claims of each story (docs/fusion.md).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_links",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("entity_key", sa.String(512), primary_key=True),
        sa.Column("entity", sa.String(600), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("against_document", sa.String(64), nullable=True),
        sa.Column("against_key", sa.String(512), nullable=True),
        sa.Column("mention", sa.Text, nullable=False),
    )
    op.create_index("ix_entity_links_entity", "entity_links", ["entity"])
    op.create_table(
        "entity_blocks",
        sa.Column("block", sa.String(255), primary_key=True),
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("entity_key", sa.String(512), primary_key=True),
    )
    op.create_index("ix_entity_blocks_document_id", "entity_blocks", ["document_id"])
    op.create_table(
        "entity_overrides",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("keys", sa.Text, nullable=False),
        sa.Column("alias", sa.Text, nullable=True),
        sa.Column("document_id", sa.String(64), nullable=True),
        sa.Column("made_by", sa.String(128), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "event_stories",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("story", sa.String(128), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("against_document", sa.String(64), nullable=True),
        sa.Column("against_idx", sa.Integer, nullable=True),
        sa.Column("report", sa.Text, nullable=False),
    )
    op.create_index("ix_event_stories_story", "event_stories", ["story"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("story", sa.String(128), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("published", sa.Date, nullable=True),
        sa.Column("conflict", sa.Boolean, nullable=False),
    )
    op.create_index("ix_claims_story", "claims", ["story"])
    op.create_index("ix_claims_document_id", "claims", ["document_id"])
    op.create_index("ix_claims_conflict", "claims", ["conflict"])


def downgrade() -> None:
    for table in ("claims", "event_stories", "entity_overrides", "entity_blocks", "entity_links"):
        op.drop_table(table)
