"""The dashboard's filters live in the URL (ui.listing's contract: raw values, never labels), so a refresh keeps
them and a copied link opens the same view: `period` (a preset of core.kpi.periods, or `custom` with `from` and
`to` as ISO dates), `staff` (a user id), `grade`, `type`, `kind`, `channel` (enum values, repeated), `model`
(product models as they are), `area` and `pick` (the drill-down, ui.kpi.drill). A value a hand-edited URL may
not hold is dropped from it, and a small notice says so: never an error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from core import kpi
from core.complaints.queries import product_models
from core.kpi.periods import CUSTOM, DEFAULT, PRESETS, earliest, period
from db.enums import CallbackKind, ComplaintChannel, CustomerGrade, ServiceType
from ui import listing
from ui.charts import compute
from ui.context import tr
from ui.kpi import drill

AREAS = ("callbacks", "complaints", "work_orders", "leads", "staff")
PERIOD, FROM, TO, AREA, PICK = "period", "from", "to", "area", "pick"
DAYS = "kpi_days"  # the custom range's date input, written to the URL as FROM and TO
ENUMS = {"grade": CustomerGrade, "type": ServiceType, "kind": CallbackKind, "channel": ComplaintChannel}
LABELS = {PERIOD: "kpi_ui.period", FROM: "kpi.range", "staff": "kpi.staff", "grade": "kpi.grade",
          "type": "kpi.service_type", "kind": "kpi.callback_kind", "channel": "kpi.complaint_channel",
          "model": "kpi_ui.model", AREA: "kpi_ui.area", PICK: "kpi_ui.show_records"}  # as the screen names them


@dataclass(frozen=True)
class Choices:
    """What the URL's values may be: today's days, the staff and the product models."""

    today: date
    people: dict[int, str]
    models: list[str]


def params(c: Choices) -> dict[str, listing.Param]:
    """Every filter parameter but the custom days (FROM, TO: `custom_days`) and the pick."""
    return {PERIOD: listing.choice(PERIOD, [*PRESETS, CUSTOM], DEFAULT),
            "staff": listing.person("staff", c.people),
            **{name: listing.enums(name, list(cls)) for name, cls in ENUMS.items()},
            "model": listing.texts("model", c.models),
            AREA: listing.choice(AREA, AREAS, AREAS[0])}


def _day(raw: list[str], c: Choices) -> date | None:
    """An ISO day a manager may pick: from the earliest (core.kpi.earliest) to today."""
    try:
        day = date.fromisoformat(raw[-1]) if raw else None
    except ValueError:
        return None
    return day if day is not None and earliest(c.today) <= day <= c.today else None


def unreadable(param: listing.Param, raw: list[str]) -> bool:
    """The URL's values hold one the parameter cannot read (read back, it is gone; its default spelled out
    is no error)."""
    return bool(raw) and not set(raw) <= set(param.dump(param.parse(raw))) | {str(param.parse([]))}


def custom_days(c: Choices) -> tuple[date, date] | None:
    """The URL's custom range (FROM, TO): both days known, in order, between the earliest day and today."""
    start, end = _day(st.query_params.get_all(FROM), c), _day(st.query_params.get_all(TO), c)
    return (start, end) if start and end and start <= end else None


def ignored_labels(names: list[str]) -> list[str]:
    """The parameters `clean_url` touched as the screen labels them, in the user's language (not `period`)."""
    return [tr(LABELS[name]) for name in names]


def clean_url(c: Choices) -> list[str]:
    """Drop from the URL every value its parameter cannot hold (an unknown enum value, someone not on the staff
    list, a day out of range, FROM/TO without `custom`, a pick that reads as no chart's); returns the names of
    the parameters it touched."""
    bad = []
    for name, param in params(c).items():
        raw = st.query_params.get_all(name)
        if unreadable(param, raw):
            bad.append(name)
            listing.put_param(name, param.dump(param.parse(raw)))
    custom = params(c)[PERIOD].value() == CUSTOM
    if (FROM in st.query_params or TO in st.query_params) and (not custom or custom_days(c) is None):
        bad.append(FROM)
        st.query_params.pop(FROM, None)
        st.query_params.pop(TO, None)
    if PICK in st.query_params and drill.parse_pick(st.query_params.get(PICK) or "") is None:
        bad.append(PICK)
        st.query_params.pop(PICK, None)
    return bad


def days(c: Choices) -> tuple[date, date]:
    """The period the URL asks for: its preset's days, or the custom ones (the default preset's without them)."""
    preset = params(c)[PERIOD].value()
    return (custom_days(c) if preset == CUSTOM else None) or period(DEFAULT if preset == CUSTOM else preset, c.today)


def kpi_filter(c: Choices) -> kpi.KpiFilter:
    """The URL's filter (core.kpi.KpiFilter)."""
    p = params(c)
    start, end = days(c)
    return kpi.KpiFilter(start, end, p["staff"].value(), tuple(p["grade"].value()), tuple(p["type"].value()),
                         tuple(p["kind"].value()), tuple(p["channel"].value()), tuple(p["model"].value()))


def choices(today: date) -> Choices:
    return Choices(today, compute(kpi.staff), compute(product_models))


def _days_changed(c: Choices) -> None:
    picked = st.session_state.get(DAYS) or ()
    if len(picked) == 2:
        listing.put_param(FROM, [picked[0].isoformat()])
        listing.put_param(TO, [picked[1].isoformat()])


def _period_changed(c: Choices) -> None:
    """The preset to the URL; "custom" starts from the days the page was showing, written out at once, so a
    link copied before two days are picked still holds a range (it held only `period=custom`)."""
    shown = days(c)
    listing.put_param(PERIOD, params(c)[PERIOD].dump(st.session_state[PERIOD]))
    if st.session_state[PERIOD] != CUSTOM:
        st.query_params.pop(FROM, None)
        st.query_params.pop(TO, None)
    else:
        listing.put_param(FROM, [shown[0].isoformat()])
        listing.put_param(TO, [shown[1].isoformat()])


def period_box(c: Choices) -> None:
    """The period preset, and for `custom` the range of days."""
    listing.bind(params(c)[PERIOD])
    options = [*PRESETS, CUSTOM]
    st.selectbox(tr("kpi_ui.period"), options, key=PERIOD, format_func=lambda p: tr(f"kpi_ui.preset.{p}"),
                 on_change=_period_changed, args=(c,))
    if st.session_state.get(PERIOD) == CUSTOM:
        if len(st.session_state.get(DAYS) or ()) != 1:  # one day clicked: the range is being picked
            st.session_state[DAYS] = days(c)
        st.date_input(tr("kpi.range"), key=DAYS, min_value=earliest(c.today), max_value=c.today,
                      format="YYYY-MM-DD", on_change=_days_changed, args=(c,))


def filter_boxes(c: Choices) -> None:
    """The filters under the period, folded away on a phone; each writes its change to the URL."""
    with listing.filters("staff", *ENUMS, "model"):
        top = st.columns(3)
        with top[0]:
            listing.person_filter("kpi.staff", c.people, "staff")
        with top[1]:
            listing.enum_filter("kpi.grade", CustomerGrade, "grade")
        with top[2]:
            listing.text_filter("kpi_ui.model", c.models, "model")
        bottom = st.columns(3)
        for col, (label, name) in zip(bottom, (("kpi.service_type", "type"), ("kpi.callback_kind", "kind"),
                                               ("kpi.complaint_channel", "channel")), strict=True):
            with col:
                listing.enum_filter(label, ENUMS[name], name)


def _area_changed() -> None:
    listing.put_param(AREA, [] if st.session_state[AREA] in (None, AREAS[0]) else [st.session_state[AREA]])
    st.query_params.pop(PICK, None)  # another area's charts: the pick meant one of this one's


def area_control(c: Choices) -> str:
    """The areas as a segmented control bound to `area`: only the chosen one's code runs."""
    listing.bind(params(c)[AREA])
    chosen = st.segmented_control(tr("kpi_ui.area"), AREAS, key=AREA, format_func=lambda a: tr(f"kpi_ui.areas.{a}"),
                                  label_visibility="collapsed", on_change=_area_changed)
    return chosen or AREAS[0]
