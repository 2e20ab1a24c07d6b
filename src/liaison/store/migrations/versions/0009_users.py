"""Users who sign in to the web UI: this installation's analysts and administrators, and members of
partner organisations, with an argon2 hash of their password (docs/users.md).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        # NULL: this installation's own organisation; else the partner the user belongs to.
        sa.Column("organisation", sa.String(64), sa.ForeignKey("partners.id", ondelete="CASCADE"), nullable=True,
                  index=True),
        sa.Column("admin", sa.Boolean, nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("disabled_at", _TS, nullable=True),
        sa.Column("password_set_at", _TS, nullable=False),
        sa.Column("must_change", sa.Boolean, nullable=False),
        sa.Column("failed_signins", sa.Integer, nullable=False),
        sa.Column("last_failed_at", _TS, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("users")
