"""STIX objects are stored as their JSON text.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite keeps a JSON column as TEXT already; PostgreSQL converts in place.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("stix_objects", "object", type_=sa.Text, postgresql_using="object::text")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("stix_objects", "object", type_=sa.JSON, postgresql_using="object::json")
