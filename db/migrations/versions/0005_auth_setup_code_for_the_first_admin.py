"""auth: setup code for the first admin

A new real office's first administrator needs a one-time code that the server prints to its own
console at start (issue 9); the row holds its SHA-256 and counts wrong guesses like failed sign-ins.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('setup_codes',
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('purpose', name=op.f('pk_setup_codes'))
    )


def downgrade() -> None:
    op.drop_table('setup_codes')
