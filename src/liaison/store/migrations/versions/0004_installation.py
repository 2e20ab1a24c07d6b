"""This installation's organisation identity (one row); where each collection object came from.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("identity_id", sa.String(128), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("modified", sa.String(32), nullable=False),
    )
    with op.batch_alter_table("collection_objects") as batch:
        batch.add_column(sa.Column("origin", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("collection_objects") as batch:
        batch.drop_column("origin")
    op.drop_table("installation")
