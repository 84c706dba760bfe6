"""The complaints area (K-3): complaints closed by the promised deadline, the average times to first response
and to close, the shares found ours, with corrective action verified, repeated and reopened; complaints by
channel and status, by product model and by cause. One cached aggregate (kpi.complaint_counts) feeds every
figure but the first chart and the first headline; each headline's "show records" lists its denominator."""

from __future__ import annotations

from core import kpi
from core.i18n import enum_label
from core.kpi.complaints import NO_PRODUCT, UNDECIDED
from db.enums import ComplaintCause, ComplaintChannel, ComplaintStatus
from ui.charts import bars, compute, enum_order, key, labelled
from ui.context import lang, tr
from ui.kpi.specs import Chart, Headline, area


def _counts(f, c):
    return compute(kpi.complaint_counts, f, c.tz, c.now)


def _records(fn) -> tuple[str, dict]:
    return fn.__name__, {"part": "denominator"}


def _model(raw: str) -> str:
    return tr("kpi.cp.no_product") if raw == NO_PRODUCT else raw  # a model's name is data, shown as typed


def _cause(raw: str) -> str:
    return tr("kpi.cp.undecided") if raw == UNDECIDED else enum_label(ComplaintCause(raw), lang())


def _named(column: str, name):
    """The frame with `column`'s raw values named for the reader (`name`), the raw values kept beside them."""
    return lambda frame, c: frame.assign(**{column: [name(v) for v in frame[column]], key(column): frame[column]})


def _ranked(data, chart: str, column: str):
    """Bars in the frame's own order (most first; the undecided or no-product group where the KPI puts it)."""
    return bars(data, f"kpi.chart.{chart}", (column, f"kpi.cp.{column}", list(data[column])))


def _share(fn, fmt: str = "percent", lower_is_better: bool = False) -> Headline:
    return Headline(fn, lambda f, c: fn(_counts(f, c)), fmt=fmt, drill=_records(fn), lower_is_better=lower_is_better)


HEADLINES = [
    Headline(kpi.complaints_closed_by_deadline, lambda f, c: compute(kpi.complaints_closed_by_deadline, f, c.tz, c.now),
             drill=_records(kpi.complaints_closed_by_deadline)),
    _share(kpi.complaint_response_hours, "score", lower_is_better=True),
    _share(kpi.complaint_close_days, "score", lower_is_better=True),
    _share(kpi.complaint_ours_share),
    _share(kpi.complaint_capa_verified),
    _share(kpi.complaint_repeat_share, lower_is_better=True),
    _share(kpi.complaint_reopen_rate, lower_is_better=True),
]

CHARTS = [
    Chart(kpi.complaints_by_channel, lambda f, c: compute(kpi.complaints_by_channel, f, c.tz),
          lambda data, f, c: bars(data, "kpi.chart.complaints_by_channel",
                                  ("channel", "kpi.axis.channel", enum_order(ComplaintChannel)),
                                  ("status", "kpi.axis.status", enum_order(ComplaintStatus))),
          label=lambda frame, c: labelled(labelled(frame, "channel", ComplaintChannel), "status", ComplaintStatus)),
    Chart(kpi.complaints_by_model, lambda f, c: kpi.complaints_by_model(_counts(f, c)),
          lambda data, f, c: _ranked(data, "complaints_by_model", "model"),
          label=_named("model", _model)),
    Chart(kpi.complaints_by_cause, lambda f, c: kpi.complaints_by_cause(_counts(f, c)),
          lambda data, f, c: _ranked(data, "complaints_by_cause", "cause"),
          label=_named("cause", _cause)),
]


def render(f: kpi.KpiFilter, ctx) -> None:
    area(HEADLINES, CHARTS, f, ctx)
