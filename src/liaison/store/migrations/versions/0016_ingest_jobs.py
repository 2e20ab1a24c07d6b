"""Web ingest jobs in the store (so that every server process of one store shows a job's progress,
not only the one running it); the audit log by method, so that the dashboard sees the latest TAXII
DELETE (a deleted report can hide a document) with one index probe.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.create_index("ix_ingest_jobs_owner_created", "ingest_jobs", ["owner", "created_at"])
    op.create_index("ix_audit_method", "audit", ["method", "id"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_audit_method", table_name="audit")
    op.drop_index("ix_ingest_jobs_owner_created", table_name="ingest_jobs")
    op.drop_table("ingest_jobs")
