"""The KPI charts are written with ui.vl, Vega-Lite dicts in Altair's words, because Altair's object model took most
of a cold dashboard area's drawing (issue 14). What the browser receives must not change: every chart of every
area, in both languages, over a short and a long period, and the complaint log's charts, sent as the page sends
them, equal the same code drawn by Altair and converted by st.altair_chart's own conversion (spec, data and
selection); only the generated name of the layer a selection picks on may differ."""

from __future__ import annotations

import json

import altair
import pytest
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
from streamlit.testing.v1 import AppTest

import ui.charts
import ui.complaint_log
import ui.kpi.callbacks
import ui.kpi.leads
import ui.kpi.specs
import ui.kpi.staff
from db.enums import Role
from ui import vl
from ui.kpi.filters import AREAS

DRAWING = (ui.charts, ui.kpi.callbacks, ui.kpi.leads, ui.kpi.staff)


def _as_altair(monkeypatch) -> None:
    """The same chart code, drawn by Altair: its `vl` is altair, and the page converts the chart as
    st.altair_chart does."""
    for module in DRAWING:
        monkeypatch.setattr(module, "vl", altair)
    for module in (ui.kpi.specs, ui.complaint_log):
        monkeypatch.setattr(module, "vega_spec", _convert_altair_to_vega_lite_spec)


def _views(spec, names: dict) -> object:
    """The spec with each selection's view renamed by order of appearance (Altair numbers them per process)."""
    if isinstance(spec, dict):
        out = {}
        for k, v in spec.items():
            if k == "name" and isinstance(v, str) and v.startswith("view_"):
                v = names.setdefault(v, f"view#{len(names)}")
            elif k == "views":
                v = [names.setdefault(n, f"view#{len(names)}") for n in v]
            out[k] = _views(v, names)
        return out
    return [_views(v, names) for v in spec] if isinstance(spec, list) else spec


def _sent(at: AppTest) -> list[tuple[dict, dict, list]]:
    """Each chart as the browser gets it: its spec, its datasets (name → Arrow bytes) and selection mode."""
    return [(_views(json.loads(c.proto.spec), {}), {d.name: d.data.data for d in c.proto.datasets},
             list(c.proto.selection_mode)) for c in at.get("vega_lite_chart")]


def _both(run) -> tuple[list, list]:
    with pytest.MonkeyPatch.context() as mp:
        st.cache_data.clear()
        ours = run()
        st.cache_data.clear()
        _as_altair(mp)
        theirs = run()
    st.cache_data.clear()
    return ours, theirs


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("area", AREAS)
def test_every_kpi_chart_is_sent_as_altair_would_send_it(open_page, area, lang):
    for period in ("last_12_weeks", "this_week", "last_12_months"):
        def run(period=period):
            at = open_page("pages/kpis.py", lang)
            at.query_params.update({"area": area, "period": period})
            at.run()
            assert not at.exception
            return _sent(at)

        ours, theirs = _both(run)
        assert ours, (area, period)
        assert ours == theirs, (area, period)


def _log_script():
    from ui import clock
    from ui.auth import page_guard
    from ui.complaint_log import log_view

    log_view(page_guard("complaints"), clock.now())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_complaint_logs_charts_are_sent_as_altair_would_send_them(sign_in_as, lang):
    def run():
        sign_in_as(Role.MANAGER)
        at = AppTest.from_function(_log_script, default_timeout=60)
        at.session_state["lang"] = lang
        at.query_params["period"] = ["2026-01-01", "2026-06-30"]
        at.run()
        assert not at.exception
        return _sent(at)

    ours, theirs = _both(run)
    assert ours and ours == theirs


def test_a_layer_without_rows_is_drawn_and_a_shared_frame_is_lifted_to_the_top():
    """Two edge cases the pages may not meet on the demo office: one layer alone (its frame lifted, as Altair
    does) and a column without a type in its shorthand whose values are all missing (nominal, as Altair says)."""
    import pandas as pd

    frame = pd.DataFrame({"week": ["a", "b"], "count": [1, 2], "note": [None, None]})

    def draw(lib):
        chart = lib.Chart(frame).mark_point(filled=True).encode(x="week:O", y=lib.Y("count:Q", axis=None),
                                                                tooltip=[lib.Tooltip("note"), lib.Tooltip("count")])
        picked = chart.add_params(lib.selection_point(name="pick", fields=["week"]))
        return lib.layer(picked, title="t").resolve_scale(y="independent")

    mine = ui.charts.vega_spec(draw(vl))
    altairs = _convert_altair_to_vega_lite_spec(draw(altair))
    assert "data" in mine and "data" not in mine["layer"][0]
    assert _views(mine, {}) == _views(altairs, {})


def test_a_selection_added_to_a_layered_chart_is_its_first_layers_as_in_altair():
    import pandas as pd

    frame = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})

    def draw(lib):
        both = lib.layer(lib.Chart(frame).mark_bar().encode(x="a:N", y="b:Q"),
                         lib.Chart(frame).mark_point().encode(x="a:N", y="b:Q"))
        return both.add_params(lib.selection_point(name="pick", fields=["a"])).properties(title="T")

    mine = ui.charts.vega_spec(draw(vl))
    assert mine["params"][0]["views"] == [mine["layer"][0]["name"]]
    assert "width" not in draw(vl).properties(width=vl.Undefined).to_dict()  # a property left out
    assert _views(mine, {}) == _views(_convert_altair_to_vega_lite_spec(draw(altair)), {})


def test_a_column_whose_type_altair_would_guess_otherwise_must_be_given_one():
    import pandas as pd

    for column in (pd.Series(pd.Categorical(["b", "a"], ordered=True), name="c"),
                   pd.Series(pd.to_timedelta([1, 2], unit="s"), name="d")):
        with pytest.raises(ValueError):
            vl.field_type(column)
    assert vl.field_type(pd.Series(pd.Categorical(["b", "a"]), name="e")) == "nominal"
