"""recheck sample populations per group (part: sample)

CB-4 as written: a sample is drawn per group (delivered, complained; L3's customers), each to its rate, and
what it was drawn from is stored: one row per group and customer of the population, with whether the
customer was drawn for that group. Samples drawn before this revision keep their total population only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:06:42.145687
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recheck_population',
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('sample_group', sa.Enum('delivered', 'complained', 'customers', name='samplegroup', native_enum=False,
                                      create_constraint=True, length=14), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('drawn', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_recheck_population_customer_id_customers')),
    sa.ForeignKeyConstraint(['sample_id'], ['recheck_samples.id'],
                            name=op.f('fk_recheck_population_sample_id_recheck_samples')),
    sa.PrimaryKeyConstraint('sample_id', 'sample_group', 'customer_id', name=op.f('pk_recheck_population'))
    )


def downgrade() -> None:
    op.drop_table('recheck_population')
