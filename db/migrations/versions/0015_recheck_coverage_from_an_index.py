"""re-check coverage from an index

Issue 14 ("every dashboard area ≤ 200 ms cold"): K-1's re-check coverage counts, per sample, the callbacks drawn
and those completed. With an index on the sample alone, SQLite read each sampled callback's row from the table
for its status (82,000 at the benchmark office: about 20 ms of the callbacks area's cold run); an index on
(sample, status) answers from the index alone. It serves every look-up by sample the old index did, so that
one goes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 20:20:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index('ix_callbacks_sample_status', ['sample_id', 'status'], unique=False)
        batch_op.drop_index('ix_callbacks_sample_id')


def downgrade() -> None:
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index('ix_callbacks_sample_id', ['sample_id'], unique=False)
        batch_op.drop_index('ix_callbacks_sample_status')
