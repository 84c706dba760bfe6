"""weekly report settings

Issue 14: the weekly office report's language and its mail server (host, port, STARTTLS, sender,
recipients), seeded with core.office.defaults' values: no host, so nothing is mailed until an admin sets one.
The SMTP password is no setting (the server's environment, SMTP_PASSWORD).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 05:50:00.000000
"""
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_SETTINGS = {"report.language": "zh", "report.smtp_host": "", "report.smtp_port": 587,
                "report.smtp_starttls": "on", "report.smtp_sender": "", "report.recipients": ""}
SETTINGS = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text),
                    sa.column("updated_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    op.bulk_insert(SETTINGS, [{"key": k, "value": json.dumps(v), "updated_at": datetime.now(UTC)}
                              for k, v in NEW_SETTINGS.items()])


def downgrade() -> None:
    op.execute(SETTINGS.delete().where(SETTINGS.c.key.in_(list(NEW_SETTINGS))))
