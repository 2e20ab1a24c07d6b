"""Events by confidence, then date, document and index: the web UI's events page sorted by
confidence (either direction) is an index walk that stops after its rows, not a sort of every
event (100,000 documents: 0.9-4.9 s -> 17-39 ms a page, bench/web_bench.py).

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Made only where missing: the bench's store and an operator may have made it by hand first.
    op.create_index("ix_events_confidence", "events", ["confidence", "date_start", "document_id", "idx"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_events_confidence", table_name="events")
