"""Event reports filed under their block keys, so that an ingest fuses its events with the
reports they can match, not with every report stored (liaison.store.event_fusion): at 100,000
documents, some 350,000 reports, reading and fusing them all took minutes a document.

The table starts empty: the next fusion of a store that has reports but no blocks fuses them
all once (what every fusion did before), which files them.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_blocks",
        sa.Column("block", sa.String(255), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("block", "document_id", "idx"),
    )
    op.create_index("ix_event_blocks_document_id", "event_blocks", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_event_blocks_document_id", table_name="event_blocks")
    op.drop_table("event_blocks")
