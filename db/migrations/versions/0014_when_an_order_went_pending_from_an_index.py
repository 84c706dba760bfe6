"""when an order went pending, from an index

Issue 14 ("a drill-down list ≤ 100 ms"): the orders pending for a reason are listed newest first by when each
last went pending, the latest of its history's steps into pending. With an index on the order alone, each
order's steps were read from the table to find them (36,000 orders pending for parts, ten steps each, at the
benchmark office: 0.25-0.35 s a page); an index on (order, status moved to, time) answers each order with one
seek. It serves every look-up by order the old index did, so that one goes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 16:50:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_events_order_to_at', ['work_order_id', 'to_status', 'at'], unique=False)
        batch_op.drop_index('ix_work_order_events_work_order_id')


def downgrade() -> None:
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_events_work_order_id', ['work_order_id'], unique=False)
        batch_op.drop_index('ix_work_order_events_order_to_at')
