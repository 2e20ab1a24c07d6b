"""Each document version records the encoding its bytes were read in, and how sure that was.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: versions stored before this revision were decoded without recording it.
    with op.batch_alter_table("document_versions") as batch:
        batch.add_column(sa.Column("encoding", sa.String(32), nullable=True))
        batch.add_column(sa.Column("encoding_confidence", sa.Float, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("encoding_confidence")
        batch.drop_column("encoding")
