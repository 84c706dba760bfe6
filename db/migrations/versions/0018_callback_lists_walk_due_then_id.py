"""callback lists walk due time then id

Issue 14 ("a drill-down list ≤ 100 ms", the same on PostgreSQL): a callback drill lists newest due first, then by
id. SQLite's index on due_end holds each row's id after it (the rowid), so the order was the index's own; a
PostgreSQL index on due_end alone gave the 35,000 callbacks that share a day's end unsorted, and each page read and
sorted all of them (callbacks per week 345-743 ms, one specialist's 178-358 ms at the benchmark office). The two
indexes that walk callbacks by due time now carry the id, on both databases (SQLite stores it once either way).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 02:10:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index('ix_callbacks_due_id', ['due_end', 'id'], unique=False)
        batch_op.create_index('ix_callbacks_assignee_due_id', ['assignee_id', 'due_end', 'id'], unique=False)
        batch_op.drop_index('ix_callbacks_due')
        batch_op.drop_index('ix_callbacks_assignee_due')


def downgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index('ix_callbacks_due', ['due_end'], unique=False)
        batch_op.create_index('ix_callbacks_assignee_due', ['assignee_id', 'due_end'], unique=False)
        batch_op.drop_index('ix_callbacks_due_id')
        batch_op.drop_index('ix_callbacks_assignee_due_id')
