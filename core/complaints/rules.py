"""The complaint's pure rules: what intake needs (CP-1), what each move of the flow needs and writes (CP-2),
and the deadlines of CP-5. Time and settings are arguments; every refused field is named at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from core import inputs
from core.checks import choice
from core.clock import office_day
from core.errors import Invalid, Refusals, refuse
from core.scheduling.care import Holidays
from core.scheduling.rules import day_end, day_start
from db.enums import Channel, ComplaintCause, ComplaintChannel, ComplaintSeverity
from db.models import Complaint

TEXT_MAX = inputs.limit_of(Complaint.description)
DEPARTMENT_MAX = inputs.limit_of(Complaint.responsible_department)
ORDER_MAX = inputs.limit_of(Complaint.order_no)
QUANTITY_MAX = 1_000_000
SPECIFIC_MIN = 8  # characters: "Broken" or "坏了" says nothing a verifier can check
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class NewComplaint:
    """CP-1 intake as typed: the customer (chosen from the archive), one of their products or an order
    number, the channel, a specific description, quantity and defect rate where they apply, the time it was
    received (None: now)."""

    customer_id: int | None
    channel: ComplaintChannel | str | None
    description: str | None
    product_id: int | None = None
    order_no: str | None = None
    defect_quantity: int | None = None
    defect_rate_pct: str | None = None
    severity: ComplaintSeverity | str = ComplaintSeverity.NORMAL
    received_at: datetime | None = None


@dataclass(frozen=True)
class MoveInput:
    """Everything a move may ask for; each move reads its own fields (MOVE_FIELDS)."""

    owner_id: int | None = None
    severity: ComplaintSeverity | str | None = None
    reply_deadline: datetime | None = None
    verification_note: str | None = None
    cause: ComplaintCause | str | None = None
    explanation: str | None = None
    reply_channel: Channel | str | None = None
    responsible_department: str | None = None
    capa_owner_id: int | None = None
    capa_due: datetime | None = None
    capa_action: str | None = None
    preventive_action: str | None = None
    solution: str | None = None
    replied_at: datetime | None = None
    late_reason: str | None = None
    verification_evidence: str | None = None
    note: str | None = None


def is_specific(text: str) -> bool:
    """CP-1: a description a verifier can check: at least SPECIFIC_MIN characters, and more than one word
    (Chinese is written without spaces: six or more Chinese characters count as more than one word)."""
    clean = text.strip()
    return len(clean) >= SPECIFIC_MIN and (len(clean.split()) > 1 or len(_CJK.findall(clean)) >= 6)


def _description(text: str | None) -> str:
    clean = inputs.required(text, "description", TEXT_MAX, inputs.Kind.TEXT, missing="cp.description_required")
    if not is_specific(clean):
        raise Invalid("cp.description_vague", field="description")
    return clean


def _rate(value: str | None) -> str | None:
    """CP-1 defect rate in percent, 0 < rate <= 100, at most two decimals, stored as typed ("2.5")."""
    text = inputs.text(value, "defect_rate_pct", 16)
    if text is None:
        return None
    try:
        rate = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        raise Invalid("cp.bad_rate", field="defect_rate_pct") from None
    if not rate.is_finite() or not 0 < rate <= 100 or rate.as_tuple().exponent < -2:
        raise Invalid("cp.bad_rate", field="defect_rate_pct")
    return format(rate.normalize(), "f")


def _quantity(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= QUANTITY_MAX:
        raise Invalid("cp.bad_quantity", field=field, high=QUANTITY_MAX)
    return value


def received_time(at: datetime | None, now: datetime, tz: str) -> datetime:
    """CP-1 received at: defaults to now; may be earlier today (office time), never in the future."""
    if at is None:
        return now
    if at.tzinfo is None:
        raise Invalid("cp.received_in_future", field="received_at")
    if at > now:
        raise Invalid("cp.received_in_future", field="received_at")
    if at < day_start(office_day(now, tz), tz):
        raise Invalid("cp.received_before_today", field="received_at")
    return at.astimezone(UTC)


def check_intake(data: NewComplaint, now: datetime, tz: str) -> dict:
    """CP-1: the complaint's intake columns, cleaned; every broken rule at once (FieldErrors)."""
    with Refusals() as check:
        if data.customer_id is None:
            check(refuse, "cp.customer_required", "customer_id")
        check(choice, "channel", data.channel, ComplaintChannel, "cp.channel_required")
        check(choice, "severity", data.severity, ComplaintSeverity, "cp.bad_choice")
        description = check(_description, data.description)
        order_no = check(inputs.text, data.order_no, "order_no", ORDER_MAX, inputs.Kind.NAME)
        quantity = check(_quantity, data.defect_quantity, "defect_quantity")
        rate = check(_rate, data.defect_rate_pct)
        received = check(received_time, data.received_at, now, tz)
    return {"customer_id": data.customer_id, "product_id": data.product_id, "order_no": order_no,
            "channel": ComplaintChannel(data.channel), "severity": ComplaintSeverity(data.severity),
            "description": description, "defect_quantity": quantity, "defect_rate_pct": rate,
            "received_at": received}


def reply_days(severity: ComplaintSeverity | str, settings) -> int:
    """CP-5: days to the promised reply by severity (settings complaint.reply_deadline_days[_critical|_minor])."""
    suffix = {ComplaintSeverity.CRITICAL: "_critical", ComplaintSeverity.MINOR: "_minor"}.get(
        ComplaintSeverity(severity), "")
    return int(settings.get(f"complaint.reply_deadline_days{suffix}"))


def default_reply_deadline(received_at: datetime, severity: ComplaintSeverity | str, settings, tz: str) -> datetime:
    """CP-5: the reply promised by default: by the end of the office day the severity's days after receipt (a
    promise is a date: a reply any time that day keeps it)."""
    return promise_of(office_day(received_at, tz) + timedelta(days=reply_days(severity, settings)), tz)


def reopened_promise(cp: dict, now: datetime, settings, tz: str) -> datetime:
    """CP-5: a reopened complaint's new promised reply: its severity's days from today, to the end of that
    office day (as at intake, counted from the reopening)."""
    return promise_of(office_day(now, tz) + timedelta(days=reply_days(cp["severity"], settings)), tz)


def promise_of(day, tz: str) -> datetime:
    """CP-5: a promised reply date as the instant it runs out: the end of that office day."""
    return day_end(day, tz)


def first_response_due(received_at: datetime, tz: str, working_days: int, holidays: Holidays) -> datetime:
    """CP-5: the first response is due `working_days` working days (Monday to Friday, not the office's
    holidays) after receipt, at the same office time; a complaint received on a day off is due at the end of
    that many working days after it."""
    local = received_at.astimezone(ZoneInfo(tz))
    day, counted = local.date(), 0
    off_day = _off(day, holidays)
    while counted < working_days:
        day += timedelta(days=1)
        counted += not _off(day, holidays)
    if off_day:
        return day_end(day, tz)
    return datetime.combine(day, local.timetz()).astimezone(UTC)


def _off(day, holidays: Holidays) -> bool:
    return day.weekday() >= 5 or bool(holidays.between(day, day))
