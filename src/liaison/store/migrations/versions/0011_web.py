"""The web UI's part of the store: the secret its session cookies are signed with (made here, once,
so every server process and host of one store signs alike and no operator has to set one), who
made each audit record (a user name for the web, beside the partner of a TAXII request), and when
each user last visited (the dashboard's "since your last visit").

Revision ID: 0011
Revises: 0010
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "installation_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.bulk_insert(table, [{"name": "web_session", "value": secrets.token_urlsafe(48)}])
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("user_name", sa.String(64), nullable=True))
    op.create_index("ix_audit_user_name", "audit", ["user_name"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("this_visit_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("this_visit_at")
        batch.drop_column("last_visit_at")
    op.drop_index("ix_audit_user_name", table_name="audit")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("user_name")
    op.drop_table("installation_secrets")
