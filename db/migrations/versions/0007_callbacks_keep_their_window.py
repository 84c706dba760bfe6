"""cbfix: callbacks keep the window length they were planned with

A changed window setting (CB-2) applies to callbacks planned after the change; open ones move only when
an admin applies it to them (issue 9). Each callback stores the length its kind's setting had when it was
planned; rows stored before this revision are stamped by the next sweep (core.scheduling.sweep).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('callbacks') as batch:
        batch.add_column(sa.Column('window_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('callbacks') as batch:
        batch.drop_column('window_days')
