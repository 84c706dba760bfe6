"""When L1 callbacks fall due (CB-2, CB-11), as pure functions: time and the office time zone are
arguments, nothing here reads a clock or a database.

A window [due_start, due_end] is a pair of UTC datetimes cut from office-local days: a day runs from
local midnight to its last second, so an event at 23:30 in Shanghai (15:30 UTC) belongs to that
Shanghai day. Each planned callback carries a deterministic `source_key` naming its event
(`new_customer:product:123`, `birthday:2026:customer:5`, `holiday:2026-10-01:customer:5`), made by the
one key function per trigger below, which the demo office calls too; so planning again finds it instead of
making a second one.

A callback keeps the window length it was planned with (`window_days`, the setting of `WINDOW_SETTING` then):
a changed setting applies to callbacks planned after the change, never silently to open ones (issue 9);
`rewindowed` gives an open callback the window another length would give it, for the admin's explicit
"apply to open callbacks too" and for planning again with the stored length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.clock import office_day
from core.scheduling.care import DEFAULT_HOLIDAYS, Holidays, care_grades, leap
from db.enums import CallbackKind, CallbackStatus, CustomerGrade, LeadClass, ServiceType

K = CallbackKind
LOOKBACK_MARGIN_DAYS = 7  # an event is still planned up to a week after its window ended (a missed sweep)
CARE_KINDS = frozenset({K.BIRTHDAY, K.HOLIDAY})


@dataclass(frozen=True)
class Windows:
    """CB-2 window lengths in office days and the care-call settings (settings `callback.*`)."""

    first_call_delay_days: int = 1
    new_customer_window_days: int = 7
    after_repair_window_days: int = 3
    complaint_window_days: int = 7
    missed_call_window_days: int = 0
    holiday_lead_days: int = 3  # holiday greetings: the office days before the holiday (closed on it)
    holidays: Holidays = field(default_factory=lambda: DEFAULT_HOLIDAYS)
    care_grades: tuple[CustomerGrade, ...] = (CustomerGrade.VIP, CustomerGrade.KEY)

    @classmethod
    def from_settings(cls, get: Callable[[str], object]) -> Windows:
        days_ = {name: int(get(f"callback.{name}")) for name in cls.__dataclass_fields__ if name.endswith("_days")}
        return cls(**days_, holidays=Holidays.parse(str(get("callback.holidays"))),
                   care_grades=care_grades(str(get("callback.care_grades"))))


@dataclass(frozen=True)
class Planned:
    """A callback the office owes: its source event's key, kind, customer, window and links."""

    source_key: str
    kind: CallbackKind
    customer_id: int
    due_start: datetime
    due_end: datetime
    product_id: int | None = None
    work_order_id: int | None = None
    complaint_id: int | None = None
    window_days: int | None = None  # the setting its window was cut with (WINDOW_SETTING); None: no setting


@dataclass(frozen=True)
class Existing:
    """A callback already stored under a source key."""

    id: int
    status: CallbackStatus
    due_start: datetime
    due_end: datetime
    window_days: int | None = None


@dataclass
class Events:
    """Recent events as plain dicts: products {id, customer_id, effective_date, delivery_date};
    work_orders {id, customer_id, product_id, completed_at, service_type}; complaints {id, customer_id, product_id,
    received_at}; incoming_calls {id, customer_id, received_at, answered, resolved}; care_customers
    {id, birthday} (valid VIP/key customers, C-2, C-3)."""

    products: list[dict] = field(default_factory=list)
    work_orders: list[dict] = field(default_factory=list)
    complaints: list[dict] = field(default_factory=list)
    incoming_calls: list[dict] = field(default_factory=list)
    care_customers: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    create: list[Planned]
    move: list[tuple[Existing, Planned]]  # the stored callback and its new window
    skipped: int  # wanted callbacks that exist already and stay as they are


# --- office days ------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)  # a sweep asks for the same few dozen days over and over
def day_start(day: date, tz: str) -> datetime:
    """Office-local midnight starting `day`, in UTC (DST-aware)."""
    return datetime.combine(day, time.min, ZoneInfo(tz)).astimezone(UTC)


def day_end(day: date, tz: str) -> datetime:
    """The last second of office-local `day`, in UTC."""
    return day_start(day + timedelta(days=1), tz) - timedelta(seconds=1)


def days(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    return day_start(first, tz), day_end(last, tz)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


# --- CB-2 / CB-11 source keys: one function per trigger ----------------------------------------------
# Stored keys are looked up by these strings (the sweep, the register, the demo office): never change one.

def first_call_key(product_id: int) -> str:
    return f"first:product:{product_id}"


def new_customer_key(product_id: int) -> str:
    return f"new_customer:product:{product_id}"


def after_repair_key(work_order_id: int) -> str:
    return f"after_repair:work_order:{work_order_id}"


def complaint_call_key(complaint_id: int, n: int = 0) -> str:
    """The complaint call's source key; a complaint's later calls (a reopened round, another try) count on."""
    return f"complaint:complaint:{complaint_id}" + (f":{n}" if n else "")


def missed_call_key(call_id: int) -> str:
    """The source key of an incoming call's CB-11 call-back (the sweep, the register and the demo use it)."""
    return f"missed_call:incoming_call:{call_id}"


def birthday_key(year: int, customer_id: int) -> str:
    return f"birthday:{year}:customer:{customer_id}"


def holiday_key(holiday: date, customer_id: int) -> str:
    return f"holiday:{holiday.isoformat()}:customer:{customer_id}"


# --- CB-2 / CB-11: one function per trigger ---------------------------------------------------------

def first_call(product_id: int, customer_id: int, effective: date, tz: str, w: Windows) -> Planned:
    """CB-2 first call: the whole office day `first_call_delay_days` after the order takes effect."""
    due = effective + timedelta(days=w.first_call_delay_days)
    return Planned(first_call_key(product_id), K.FIRST, customer_id, *days(due, due, tz), product_id=product_id,
                   window_days=w.first_call_delay_days)


def new_customer_call(product_id: int, customer_id: int, delivery: date, tz: str, w: Windows) -> Planned:
    """CB-2 new-customer call: from the day after delivery to the end of delivery + 7 days (002)."""
    window = days(delivery + timedelta(days=1), delivery + timedelta(days=w.new_customer_window_days), tz)
    return Planned(new_customer_key(product_id), K.NEW_CUSTOMER, customer_id, *window, product_id=product_id,
                   window_days=w.new_customer_window_days)


def after_repair_call(work_order_id: int, customer_id: int, completed_at: datetime, tz: str, w: Windows,
                      product_id: int | None = None) -> Planned:
    """CB-2 / WO-10: from completion to the end of the 3rd office day after it."""
    end = day_end(office_day(completed_at, tz) + timedelta(days=w.after_repair_window_days), tz)
    return Planned(after_repair_key(work_order_id), K.AFTER_REPAIR, customer_id, _utc(completed_at),
                   end, product_id=product_id, work_order_id=work_order_id, window_days=w.after_repair_window_days)


def complaint_call(complaint_id: int, customer_id: int, received_at: datetime, tz: str, w: Windows,
                   product_id: int | None = None, n: int = 0) -> Planned:
    """CB-2 / CP-2: from the complaint (or its reopening, the n-th call) to the end of the 7th office day after."""
    end = day_end(office_day(received_at, tz) + timedelta(days=w.complaint_window_days), tz)
    return Planned(complaint_call_key(complaint_id, n), K.COMPLAINT, customer_id, _utc(received_at), end,
                   product_id=product_id, complaint_id=complaint_id, window_days=w.complaint_window_days)


def missed_call_callback(call_id: int, customer_id: int, received_at: datetime, tz: str, w: Windows) -> Planned:
    """CB-11 / CB-2: a missed or unresolved incoming call is called back the same office day."""
    end = day_end(office_day(received_at, tz) + timedelta(days=w.missed_call_window_days), tz)
    return Planned(missed_call_key(call_id), K.MISSED_CALL, customer_id, _utc(received_at), end,
                   window_days=w.missed_call_window_days)


def birthday_in(born: date, year: int) -> date:
    """The birthday kept in `year`; 29 February is kept on 28 February in other years."""
    if (born.month, born.day) == (2, 29) and not leap(year):
        return date(year, 2, 28)
    return date(year, born.month, born.day)


def birthday_call(customer_id: int, born: date, year: int, tz: str) -> Planned:
    """CB-2 birthday care: the whole office day of the customer's birthday in `year`."""
    day = birthday_in(born, year)
    return Planned(birthday_key(year, customer_id), K.BIRTHDAY, customer_id, *days(day, day, tz))


def holidays_between(first: date, last: date, holidays: Holidays | None = None) -> list[date]:
    """The greeted holidays (the office's setting; the default list if none given) in [first, last]."""
    return (holidays or DEFAULT_HOLIDAYS).between(first, last)


def holiday_call(customer_id: int, holiday: date, tz: str, lead_days: int = 3) -> Planned:
    """CB-2 holiday care: the `lead_days` office days before the holiday (3 by default)."""
    window = days(holiday - timedelta(days=lead_days), holiday - timedelta(days=1), tz)
    return Planned(holiday_key(holiday, customer_id), K.HOLIDAY, customer_id, *window, window_days=lead_days)


def next_lead_follow_up(contacted_at: datetime, lead_class: LeadClass, intervals: Mapping[LeadClass, int]) -> datetime:
    """L-1: the next follow-up falls due the class's interval (A 2, B 7, C 30 days) after a contact."""
    return _utc(contacted_at) + timedelta(days=intervals[lead_class])


# --- the window a callback was planned with ---------------------------------------------------------

WINDOW_SETTING = {  # the Windows field (setting `callback.<field>`) that cuts each kind's window
    K.FIRST: "first_call_delay_days", K.NEW_CUSTOMER: "new_customer_window_days",
    K.AFTER_REPAIR: "after_repair_window_days", K.COMPLAINT: "complaint_window_days",
    K.MISSED_CALL: "missed_call_window_days", K.HOLIDAY: "holiday_lead_days",
}
# How many office days each edge moves per day more of its setting: a later first call moves the whole
# day; a longer window moves the end; more lead days before a holiday move the start earlier.
EDGE_SHIFT = {K.FIRST: (1, 1), K.HOLIDAY: (-1, 0)}
END_ONLY = (0, 1)


def rewindowed(kind: CallbackKind, due_start: datetime, due_end: datetime, from_days: int, to_days: int,
               tz: str) -> tuple[datetime, datetime]:
    """The window [due_start, due_end], cut with `from_days` of its setting, as `to_days` would cut it:
    the same event, the other length (CB-2). An edge at an event's instant (a completion) stays put."""
    start_shift, end_shift = EDGE_SHIFT.get(kind, END_ONLY)
    delta = to_days - from_days
    start = day_start(office_day(due_start, tz) + timedelta(days=start_shift * delta), tz) if start_shift else due_start
    end = day_end(office_day(due_end, tz) + timedelta(days=end_shift * delta), tz) if end_shift else due_end
    return _utc(start), _utc(end)


def as_stored(p: Planned, old: Existing, tz: str) -> Planned:
    """`p` cut with the length the stored callback was planned with, so a changed setting moves nothing."""
    if old.window_days is None or p.window_days is None or old.window_days == p.window_days:
        return p
    start, end = rewindowed(p.kind, p.due_start, p.due_end, p.window_days, old.window_days, tz)
    return replace(p, due_start=start, due_end=end, window_days=old.window_days)


# --- planning ---------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def reach(now: datetime, tz: str, horizon_days: int, kind: CallbackKind) -> tuple[datetime, datetime]:
    """The span a window must touch to be planned now: from a week back (today for care calls: a late
    greeting is pointless) to the end of the horizon."""
    today = office_day(now, tz)
    back = 0 if kind in CARE_KINDS else LOOKBACK_MARGIN_DAYS
    return day_start(today - timedelta(days=back), tz), day_end(today + timedelta(days=horizon_days), tz)


def wanted_callbacks(events: Events, now: datetime, tz: str, w: Windows, horizon_days: int) -> list[Planned]:
    """Every callback the events call for whose window touches the reach, in a stable order."""
    wanted = [p for p in _from_events(events, now, tz, w, horizon_days) if touches(p, now, tz, horizon_days)]
    return sorted({p.source_key: p for p in wanted}.values(), key=lambda p: (p.due_start, p.source_key))


def touches(p: Planned, now: datetime, tz: str, horizon_days: int) -> bool:
    """Whether the window of `p` overlaps the span planned now (see `reach`)."""
    lo, hi = reach(now, tz, horizon_days, p.kind)
    return p.due_end >= lo and p.due_start <= hi


def _from_events(e: Events, now: datetime, tz: str, w: Windows, horizon_days: int) -> Iterable[Planned]:
    for p in e.products:
        if p.get("effective_date"):
            yield first_call(p["id"], p["customer_id"], p["effective_date"], tz, w)
        if p.get("delivery_date"):
            yield new_customer_call(p["id"], p["customer_id"], p["delivery_date"], tz, w)
    for o in e.work_orders:
        if o.get("service_type") == ServiceType.INTERNAL:  # WO-2 internal work has no customer to ask
            continue
        yield after_repair_call(o["id"], o["customer_id"], o["completed_at"], tz, w, o.get("product_id"))
    for c in e.complaints:
        yield complaint_call(c["id"], c["customer_id"], c["received_at"], tz, w, c.get("product_id"))
    for c in e.incoming_calls:
        if c.get("customer_id") and not (c["answered"] and c["resolved"]):
            yield missed_call_callback(c["id"], c["customer_id"], c["received_at"], tz, w)
    yield from _care(e.care_customers, now, tz, w, horizon_days)


def _care(customers: list[dict], now: datetime, tz: str, w: Windows, horizon_days: int) -> Iterable[Planned]:
    today = office_day(now, tz)
    holidays = w.holidays.between(today, today + timedelta(days=horizon_days + w.holiday_lead_days))
    for c in customers:
        for year in {today.year, (today + timedelta(days=horizon_days)).year}:
            if c.get("birthday"):
                yield birthday_call(c["id"], c["birthday"], year, tz)
        for day in holidays:
            yield holiday_call(c["id"], day, tz, w.holiday_lead_days)


def plan_callbacks(events: Events, existing: Mapping[str, Existing], now: datetime, tz: str, w: Windows,
                   horizon_days: int) -> Plan:
    """What a sweep writes for these events (see `plan_wanted`)."""
    return plan_wanted(wanted_callbacks(events, now, tz, w, horizon_days), existing, tz)


def plan_wanted(wanted: Iterable[Planned], existing: Mapping[str, Existing], tz: str) -> Plan:
    """New callbacks for keys not stored yet; a new window for a stored OPEN callback whose event
    changed (e.g. a corrected delivery date), cut with the length it was planned with (a changed setting
    alone moves nothing: issue 9); nothing for the rest, so a callback being worked or finished is never
    touched, and planning again after writing a plan creates and moves nothing."""
    create, move, skipped = [], [], 0
    for p in wanted:
        old = existing.get(p.source_key)
        if old is None:
            create.append(p)
            continue
        p = as_stored(p, old, tz)
        if old.status == CallbackStatus.OPEN and (old.due_start, old.due_end) != (p.due_start, p.due_end):
            move.append((old, p))
        else:
            skipped += 1
    return Plan(create, move, skipped)
