"""drill-down lists walk an index in their order

Issue 14 ("a drill-down list ≤ 100 ms"): the records behind a callback chart, newest due first, read in the order
of an index instead of a sort of every callback of the range; a specialist's checklist-scored attempts (1% of
them) from an index of their own instead of all of the specialist's attempts (a million: 7 s → 0.1 s); the
lead contacts of one result (the sales) likewise (1.5 s → 0.15 s). Measured at the large office (4M callbacks): the
callbacks due over two years 50 s → 0.2 s; one specialist's (a quarter of them) 15 s → 0.15 s. An index of more
columns (due_end, status, customer_id) would spare the count its row reads, but no longer holds the rows in
(due_end, id) order: the page sorted each due time's ties again (0.6 s).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 09:35:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index('ix_callbacks_due', ['due_end'], unique=False)
        batch_op.create_index('ix_callbacks_assignee_due', ['assignee_id', 'due_end'], unique=False)
    with op.batch_alter_table('call_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_call_attempts_qa_caller_at', ['caller_id', 'attempted_at'], unique=False,
                              sqlite_where=sa.text('qa_score IS NOT NULL'),
                              postgresql_where=sa.text('qa_score IS NOT NULL'))
    with op.batch_alter_table('lead_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_lead_contacts_result_at', ['result', 'contacted_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lead_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_contacts_result_at')
    with op.batch_alter_table('call_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_call_attempts_qa_caller_at')
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_callbacks_assignee_due')
        batch_op.drop_index('ix_callbacks_due')
