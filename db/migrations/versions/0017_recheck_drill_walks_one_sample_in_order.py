"""re-check drill walks one sample in order

Issue 14 ("a drill-down list ≤ 100 ms", the same on PostgreSQL): the re-check coverage drill lists one
sample's callbacks newest due first. PostgreSQL walked every callback by due time to find the sample's (3.3-3.9 s
a page at the benchmark office); an index on (sample, due time, status) gives one sample's callbacks in that
order, and still answers the coverage counts (drawn, done per sample) from the index alone, so it replaces
0015's (sample, status).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 21:10:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index('ix_callbacks_sample_due', ['sample_id', 'due_end', 'status'], unique=False)
        batch_op.drop_index('ix_callbacks_sample_status')


def downgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index('ix_callbacks_sample_status', ['sample_id', 'status'], unique=False)
        batch_op.drop_index('ix_callbacks_sample_due')
