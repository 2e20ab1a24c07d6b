"""Sharing: partners and their tokens, TAXII collections, grants, collection objects with their
TLP level and recipients, POST statuses, the audit log, and pull positions.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("identity_id", sa.String(128), nullable=False, unique=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("partner_id", sa.String(64), sa.ForeignKey("partners.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=True),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    op.create_table(
        "collections",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("alias", sa.String(128), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("default_tlp", sa.String(16), nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("follows_store", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "grants",
        sa.Column("collection_id", sa.String(64), sa.ForeignKey("collections.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("partner_id", sa.String(64), sa.ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("can_read", sa.Boolean, nullable=False),
        sa.Column("can_write", sa.Boolean, nullable=False),
    )
    op.create_table(
        "collection_objects",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("collection_id", sa.String(64), sa.ForeignKey("collections.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("object_id", sa.String(128), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("spec_version", sa.String(8), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("date_added", sa.String(32), nullable=False),
        sa.Column("tlp", sa.Integer, nullable=False),
        sa.Column("producer", sa.String(128), nullable=True),
        sa.Column("object", sa.Text, nullable=False),
        sa.UniqueConstraint("collection_id", "object_id", "version", name="uq_collection_object_version"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_collection_objects_added", "collection_objects", ["collection_id", "date_added"])
    op.create_index("ix_collection_objects_type", "collection_objects", ["collection_id", "type", "seq"])
    op.create_index("ix_collection_objects_seq", "collection_objects", ["collection_id", "seq"])
    op.create_table(
        "collection_object_recipients",
        sa.Column("seq", _SEQ, sa.ForeignKey("collection_objects.seq", ondelete="CASCADE"), primary_key=True),
        sa.Column("identity_id", sa.String(128), primary_key=True),
    )
    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("collection_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=True),
        sa.Column("request_timestamp", sa.String(32), nullable=False),
        sa.Column("total_count", sa.Integer, nullable=False),
        sa.Column("success_count", sa.Integer, nullable=False),
        sa.Column("failure_count", sa.Integer, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("at", _TS, nullable=False, index=True),
        sa.Column("partner_id", sa.String(64), nullable=True, index=True),
        sa.Column("remote", sa.String(64), nullable=True),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("collection_id", sa.String(64), nullable=True),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("objects", sa.Integer, nullable=False),
    )
    op.create_table(
        "pull_state",
        sa.Column("url", sa.String(512), primary_key=True),
        sa.Column("collection", sa.String(128), primary_key=True),
        sa.Column("added_after", sa.String(40), nullable=True),
        sa.Column("pulled_at", _TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("pull_state", "audit", "taxii_statuses", "collection_object_recipients", "collection_objects",
                  "grants", "collections", "tokens", "partners"):
        op.drop_table(table)
