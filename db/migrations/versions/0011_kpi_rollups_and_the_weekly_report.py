"""kpi rollups and the weekly report

Issue 14: the KPI dashboard reads narrow rollup tables (per office day x the few dimensions a chart filters
on), kept exact by triggers that mark what a write changed (kpi_marks) in the writer's own transaction; the
weekly office report kept for every week; job leases so that several server processes run a job once.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 05:35:36.815494
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The marks (issue 14, core.kpi.rollups): frozen here as they were at 0011; the DDL of both dialects is
# generated from these two tables. MARKED: a row of `table` counts in `rollup` on the office day of `stamp`;
# a write marks its OLD and NEW stamp (an UPDATE only when one of `columns` changed).
MARKED = (
    ("callback_days", "callbacks", "due_end",
     ("due_end", "status", "completed_at", "assignee_id", "customer_id", "kind", "level")),
    ("attempt_days", "call_attempts", "attempted_at",
     ("attempted_at", "caller_id", "callback_id", "outcome", "score", "satisfaction", "qa_score")),
    ("order_intake_days", "work_orders", "intake_at",
     ("intake_at", "dispatched_at", "technician_id", "customer_id", "service_type", "product_id")),
    ("order_done_days", "work_orders", "completed_at",
     ("completed_at", "intake_at", "accepted_at", "technician_signed_at", "customer_signed_at",
      "manager_countersigned_at", "special_approval_at", "fee_cents", "service_type", "technician_id",
      "customer_id", "product_id")),
    # -- dissatisfaction reasons (issue 14 "Fast at scale", K-2 CB-7) --
    ("dissatisfaction_days", "call_attempts", "attempted_at",
     ("attempted_at", "caller_id", "callback_id", "outcome", "satisfaction", "dissatisfaction_reason")),
    ("complaint_days", "complaints", "received_at",
     ("received_at", "owner_id", "customer_id", "channel", "status", "product_id", "cause", "first_response_at",
      "closed_at", "reply_deadline", "responsibility", "capa_verified_at", "reopen_count")),
    ("lead_contact_days", "lead_contacts", "contacted_at",
     ("contacted_at", "user_id", "lead_id", "result", "sale_amount_cents")),
    ("lead_follow_up_days", "lead_contacts", "contacted_at", ("contacted_at", "lead_id", "new_class")),
)
# CASCADED: an UPDATE of `columns` on `table` changes a dimension of other rows: mark the stamps `rows` selects.
_ATTEMPTS_OF = "SELECT a.attempted_at FROM call_attempts a JOIN callbacks c ON c.id = a.callback_id WHERE c."
CASCADED = (
    ("customers", ("grade",), "callback_days", "SELECT due_end FROM callbacks WHERE customer_id = NEW.id"),
    ("customers", ("grade",), "attempt_days", _ATTEMPTS_OF + "customer_id = NEW.id"),
    ("customers", ("grade",), "order_intake_days", "SELECT intake_at FROM work_orders WHERE customer_id = NEW.id"),
    ("customers", ("grade",), "order_done_days",
     "SELECT completed_at FROM work_orders WHERE customer_id = NEW.id AND completed_at IS NOT NULL"),
    ("products", ("model",), "order_intake_days", "SELECT intake_at FROM work_orders WHERE product_id = NEW.id"),
    ("products", ("model",), "order_done_days",
     "SELECT completed_at FROM work_orders WHERE product_id = NEW.id AND completed_at IS NOT NULL"),
    ("callbacks", ("kind", "level", "customer_id", "work_order_id"), "attempt_days",
     "SELECT attempted_at FROM call_attempts WHERE callback_id = NEW.id"),
    ("work_orders", ("technician_id",), "attempt_days", _ATTEMPTS_OF + "work_order_id = NEW.id"),
    # -- dissatisfaction reasons (issue 14 "Fast at scale", K-2 CB-7) --
    ("customers", ("grade",), "dissatisfaction_days", _ATTEMPTS_OF + "customer_id = NEW.id"),
    ("callbacks", ("kind", "level", "customer_id"), "dissatisfaction_days",
     "SELECT attempted_at FROM call_attempts WHERE callback_id = NEW.id"),
    ("customers", ("grade",), "complaint_days", "SELECT received_at FROM complaints WHERE customer_id = NEW.id"),
    ("products", ("model",), "complaint_days",  # the model of these complaints, and whether they repeat
     "SELECT received_at FROM complaints WHERE customer_id IN "
     "(SELECT customer_id FROM complaints WHERE product_id = NEW.id)"),
    ("customers", ("grade",), "lead_contact_days",
     "SELECT lc.contacted_at FROM lead_contacts lc JOIN leads l ON l.id = lc.lead_id WHERE l.customer_id = NEW.id"),
    ("leads", ("customer_id",), "lead_contact_days", "SELECT contacted_at FROM lead_contacts WHERE lead_id = NEW.id"),
    ("customers", ("grade",), "lead_follow_up_days",
     "SELECT lc.contacted_at FROM lead_contacts lc JOIN leads l ON l.id = lc.lead_id WHERE l.customer_id = NEW.id"),
    ("leads", ("customer_id", "specialist_id", "lead_class"), "lead_follow_up_days",
     "SELECT contacted_at FROM lead_contacts WHERE lead_id = NEW.id"),
)
# SIBLINGS: an INSERT, DELETE or UPDATE of `columns` on `table` changes other rows of it: mark the stamps `rows`
# selects for the OLD row and for the NEW one (ROW stands for either). A complaint is a repeat when its customer
# complained about the same model within 90 days before: a complaint written, moved or removed changes that for
# its customer's later complaints. All the customer's complaints are marked (a handful): a condition on
# received_at would let SQLite's planner pick the received_at index and scan the table on every write.
SIBLINGS = (
    ("complaints", ("received_at", "customer_id", "product_id"), "complaint_days",
     "SELECT received_at FROM complaints WHERE customer_id = ROW.customer_id"),
    # a lead contact is due after the lead's previous one, in the class the contacts before it left
    ("lead_contacts", ("contacted_at", "lead_id", "new_class"), "lead_follow_up_days",
     "SELECT contacted_at FROM lead_contacts WHERE lead_id = ROW.lead_id"),
)


def _changed(columns, dialect: str) -> str:
    differ = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {differ} NEW.{c}" for c in columns)


def _mark(rollup: str, rows: str) -> str:
    return "INSERT INTO kpi_marks (rollup, at) " + rows.replace("SELECT ", f"SELECT '{rollup}', ", 1)


def _sqlite_triggers() -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER) pairs: three per marked table and rollup, one per cascade."""
    out = []
    for rollup, table, stamp, columns in MARKED:
        name = f"kpi_{rollup}_{table}"
        old = f"SELECT OLD.{stamp} WHERE OLD.{stamp} IS NOT NULL"
        new = f"SELECT NEW.{stamp} WHERE NEW.{stamp} IS NOT NULL"
        out += [
            (f"{name}_ins", f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} BEGIN {_mark(rollup, new)}; END"),
            (f"{name}_upd", f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} WHEN {_changed(columns, 'sqlite')} "
                            f"BEGIN {_mark(rollup, old)}; {_mark(rollup, new)} AND NEW.{stamp} IS NOT OLD.{stamp}; END"),
            (f"{name}_del", f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} BEGIN {_mark(rollup, old)}; END"),
        ]
    for i, (table, columns, rollup, rows) in enumerate(CASCADED):
        name = f"kpi_{rollup}_via_{table}_{i}"
        out.append((name, f"CREATE TRIGGER {name} AFTER UPDATE ON {table} WHEN {_changed(columns, 'sqlite')} "
                          f"BEGIN {_mark(rollup, rows)}; END"))
    for i, (table, columns, rollup, rows) in enumerate(SIBLINGS):
        name = f"kpi_{rollup}_siblings_{i}"
        old, new = _mark(rollup, rows.replace("ROW.", "OLD.")), _mark(rollup, rows.replace("ROW.", "NEW."))
        out += [
            (f"{name}_ins", f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} BEGIN {new}; END"),
            (f"{name}_upd", f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} WHEN {_changed(columns, 'sqlite')} "
                            f"BEGIN {old}; {new}; END"),
            (f"{name}_del", f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} BEGIN {old}; END"),
        ]
    return out


def _postgres_triggers() -> list[tuple[str, str, list[str]]]:
    """(name, table, statements): a plpgsql function and its triggers per marked table and rollup, per cascade."""
    out = []
    for rollup, table, stamp, columns in MARKED:
        name = f"kpi_{rollup}_{table}"
        body = (f"IF TG_OP <> 'INSERT' AND OLD.{stamp} IS NOT NULL THEN "
                f"INSERT INTO kpi_marks (rollup, at) VALUES ('{rollup}', OLD.{stamp}); END IF; "
                f"IF TG_OP <> 'DELETE' AND NEW.{stamp} IS NOT NULL AND (TG_OP = 'INSERT' OR "
                f"NEW.{stamp} IS DISTINCT FROM OLD.{stamp}) THEN "
                f"INSERT INTO kpi_marks (rollup, at) VALUES ('{rollup}', NEW.{stamp}); END IF;")
        out.append((name, table, [
            _pg_function(name, body),
            f"CREATE TRIGGER {name}_ins_del AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({_changed(columns, 'postgresql')}) EXECUTE FUNCTION {name}()",
        ]))
    for i, (table, columns, rollup, rows) in enumerate(CASCADED):
        name = f"kpi_{rollup}_via_{table}_{i}"
        out.append((name, table, [
            _pg_function(name, f"{_mark(rollup, rows)};"),
            f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({_changed(columns, 'postgresql')}) EXECUTE FUNCTION {name}()",
        ]))
    for i, (table, columns, rollup, rows) in enumerate(SIBLINGS):
        name = f"kpi_{rollup}_siblings_{i}"
        body = (f"IF TG_OP <> 'INSERT' THEN {_mark(rollup, rows.replace('ROW.', 'OLD.'))}; END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_mark(rollup, rows.replace('ROW.', 'NEW.'))}; END IF;")
        out.append((name, table, [
            _pg_function(name, body),
            f"CREATE TRIGGER {name}_ins_del AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({_changed(columns, 'postgresql')}) EXECUTE FUNCTION {name}()",
        ]))
    return out


def _pg_function(name: str, body: str) -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$")


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for _, create in _sqlite_triggers():
            op.execute(create)
        return
    for _, _, statements in _postgres_triggers():
        for statement in statements:
            op.execute(statement)


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, _ in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for name, _, _ in _postgres_triggers():
        op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")  # its triggers with it


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('job_leases',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_leases'))
    )
    op.create_table('kpi_attempt_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('reached', sa.Integer(), nullable=False),
    sa.Column('wrong_number', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.BigInteger(), nullable=False),
    sa.Column('scored', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('neutral', sa.Integer(), nullable=False),
    sa.Column('dissatisfied', sa.Integer(), nullable=False),
    sa.Column('qa_sum', sa.BigInteger(), nullable=False),
    sa.Column('qa_n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_attempt_days'))
    )
    with op.batch_alter_table('kpi_attempt_days', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_attempt_days_day', ['day', 'caller_id'], unique=False)

    op.create_table('kpi_callback_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('due', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_callback_days'))
    )
    with op.batch_alter_table('kpi_callback_days', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_callback_days_day', ['day', 'assignee_id'], unique=False)

    op.create_table('kpi_order_done_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('service_type', sa.String(length=4), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('complete_s_sum', sa.BigInteger(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('accepted_signed', sa.Integer(), nullable=False),
    sa.Column('accepted_special', sa.Integer(), nullable=False),
    sa.Column('fee_sum', sa.BigInteger(), nullable=False),
    sa.Column('fee_n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_order_done_days'))
    )
    with op.batch_alter_table('kpi_order_done_days', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_order_done_days_day', ['day', 'technician_id'], unique=False)

    op.create_table('kpi_order_intake_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('service_type', sa.String(length=4), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('opened', sa.Integer(), nullable=False),
    sa.Column('dispatched', sa.Integer(), nullable=False),
    sa.Column('dispatch_s_sum', sa.BigInteger(), nullable=False),
    sa.Column('within_1', sa.Integer(), nullable=False),
    sa.Column('within_3', sa.Integer(), nullable=False),
    sa.Column('within_12', sa.Integer(), nullable=False),
    sa.Column('undispatched', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_order_intake_days'))
    )
    with op.batch_alter_table('kpi_order_intake_days', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_order_intake_days_day', ['day', 'technician_id'], unique=False)

    op.create_table('kpi_complaint_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('cause', sa.String(length=16), nullable=False),
    *[sa.Column(n, sa.BigInteger() if n.endswith('_ms') else sa.Integer(), nullable=False) for n in (
        'received', 'responded', 'response_ms', 'closed', 'close_ms', 'closed_promised', 'open_promised', 'kept',
        'judged', 'ours', 'verified', 'repeat', 'reopened', 'ever_closed')],
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_complaint_days'))
    )
    with op.batch_alter_table('kpi_complaint_days', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_complaint_days_day', ['day', 'owner_id'], unique=False)

    op.create_table('kpi_lead_contact_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=12), nullable=False),
    *[sa.Column(n, sa.Integer(), nullable=False) for n in (
        'dialed', 'completed', 'appointments', 'recommendations', 'sales')],
    sa.Column('sales_amount_cents', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_lead_contact_days'))
    )
    with op.batch_alter_table('kpi_lead_contact_days', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_lead_contact_days_day', ['day', 'user_id'], unique=False)
    op.create_table('kpi_lead_follow_up_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('specialist_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('lead_class', sa.String(length=4), nullable=False),
    sa.Column('due', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_lead_follow_up_days'))
    )
    with op.batch_alter_table('kpi_lead_follow_up_days', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_lead_follow_up_days_day', ['day', 'specialist_id'], unique=False)
    # open complaints (closed_at null) by reply deadline: the live "not due yet" count reads only those not due
    op.create_index('ix_lead_contacts_lead_at', 'lead_contacts', ['lead_id', 'contacted_at'], unique=False)
    op.create_index('ix_complaints_open_deadline', 'complaints', ['reply_deadline', 'received_at'], unique=False,
                    sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))

    op.create_table('kpi_marks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rollup', sa.String(length=24), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_marks'))
    )
    op.create_table('kpi_rollup_state',
    sa.Column('rollup', sa.String(length=24), nullable=False),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('rollup', name=op.f('pk_kpi_rollup_state'))
    )
    op.create_table('weekly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mailed_to', sa.Text(), nullable=True),
    sa.Column('mail_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_reports')),
    sa.UniqueConstraint('week_start', name=op.f('uq_weekly_reports_week_start'))
    )
    # ### end Alembic commands ###
    # -- dissatisfaction reasons (issue 14 "Fast at scale", K-2 CB-7) --
    op.create_table('kpi_dissatisfaction_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_dissatisfaction_days'))
    )
    with op.batch_alter_table('kpi_dissatisfaction_days', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_dissatisfaction_days_day', ['day', 'caller_id'], unique=False)
    # -- the drill of a dissatisfaction reason (issue 14 "Fast at scale", K-2 CB-7): a covering index --
    with op.batch_alter_table('call_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_call_attempts_dissatisfied',
                              ['satisfaction', 'outcome', 'attempted_at', 'dissatisfaction_reason'], unique=False)
    # -- the work order backlog (issue 14 "Fast at scale", K-4 WO-7): a covering index for its range counts --
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index('ix_work_orders_open_cover',
                              ['status', 'intake_at', 'technician_id', 'service_type', 'customer_id'], unique=False)
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    # -- the drill of a dissatisfaction reason (issue 14 "Fast at scale", K-2 CB-7) --
    with op.batch_alter_table('call_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_call_attempts_dissatisfied')
    # -- the work order backlog (issue 14 "Fast at scale", K-4 WO-7) --
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_open_cover')
    # -- dissatisfaction reasons (issue 14 "Fast at scale", K-2 CB-7) --
    with op.batch_alter_table('kpi_dissatisfaction_days', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_dissatisfaction_days_day')
    op.drop_table('kpi_dissatisfaction_days')
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('weekly_reports')
    op.drop_index('ix_complaints_open_deadline', table_name='complaints')
    op.drop_index('ix_lead_contacts_lead_at', table_name='lead_contacts')
    op.drop_table('kpi_lead_follow_up_days')
    op.drop_table('kpi_lead_contact_days')
    op.drop_table('kpi_complaint_days')
    op.drop_table('kpi_rollup_state')
    with op.batch_alter_table('kpi_order_intake_days', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_order_intake_days_day')

    op.drop_table('kpi_order_intake_days')
    with op.batch_alter_table('kpi_order_done_days', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_order_done_days_day')

    op.drop_table('kpi_order_done_days')
    with op.batch_alter_table('kpi_callback_days', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_callback_days_day')

    op.drop_table('kpi_callback_days')
    with op.batch_alter_table('kpi_attempt_days', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_attempt_days_day')

    op.drop_table('kpi_attempt_days')
    op.drop_table('kpi_marks')
    op.drop_table('job_leases')
    # ### end Alembic commands ###
