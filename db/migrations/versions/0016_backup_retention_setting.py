"""backup retention setting

Issue 15 ("Backup and restore"): the server's scheduler takes a backup of the office every day
(core.backup); backup.keep_days says how many days each is kept, seeded with core.office.defaults' value.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 20:35:00.000000
"""
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_SETTINGS = {"backup.keep_days": 14}
SETTINGS = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text),
                    sa.column("updated_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    op.bulk_insert(SETTINGS, [{"key": k, "value": json.dumps(v), "updated_at": datetime.now(UTC)}
                              for k, v in NEW_SETTINGS.items()])


def downgrade() -> None:
    op.execute(SETTINGS.delete().where(SETTINGS.c.key.in_(list(NEW_SETTINGS))))
