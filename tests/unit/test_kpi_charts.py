"""Targets drawn on KPI charts (issue 14): a labelled dashed rule at the target on the chart's own scale, and a
drillable chart's marks picked by their raw keys and drawn as SVG."""

import json
import re

import pandas as pd

from ui import vl
from ui.charts import PICK, pickable, target_layers

RATES = pd.DataFrame({"week": ["16 Nov", "23 Nov"], "coverage": [0.08, 0.12]})


def _base() -> vl.Chart:
    return vl.Chart(RATES).mark_line().encode(x="week:O", y=vl.Y("coverage:Q", scale=vl.Scale(domain=[0, 1])))


def _rows(spec: dict) -> list[dict]:
    """Every row of the spec's datasets (Arrow bytes, as Streamlit sends them)."""
    import pyarrow as pa

    return [r for d in spec["datasets"].values() for r in pa.ipc.open_stream(d).read_pandas().to_dict("records")]


def test_a_target_is_a_labelled_dashed_rule_at_its_value():
    spec = vl.layer(_base(), *target_layers(0.10, "L2 ≥ 10%")).to_dict()
    rule, text = spec["layer"][1], spec["layer"][2]
    assert rule["mark"]["type"] == "rule" and rule["mark"]["strokeDash"]
    assert rule["encoding"]["y"]["field"] == "target"
    assert text["encoding"]["text"]["field"] == "label"
    assert {"target": 0.1, "label": "L2 ≥ 10%"} in _rows(spec)


def test_a_target_on_horizontal_bars_is_drawn_across_the_x_axis():
    spec = vl.layer(_base(), *target_layers(5, "5 min", axis="x", fmt="d")).to_dict()
    assert spec["layer"][1]["encoding"]["x"]["field"] == "target"


def test_a_drillable_chart_picks_its_raw_keys_on_the_layer_that_holds_the_marks_and_draws_svg():
    layered = pickable(vl.layer(_base(), _base().mark_point()), ["week_key"], layer=-1).to_dict()
    [pick] = layered["params"]  # a layer's selection lifted to the top (as Altair does), naming the views it binds
    assert pick["name"] == PICK and pick["select"]["fields"] == ["week_key"]
    assert pick["views"] == [layered["layer"][1]["name"]] and "name" not in layered["layer"][0]
    assert layered["usermeta"]["embedOptions"]["renderer"] == "svg"


def test_a_kept_spec_sent_as_vega_lite_draws_what_altair_chart_draws():
    """The KPI page keeps each chart's spec a minute and sends it with st.vega_lite_chart (ui.charts.vega_spec):
    the message equals st.altair_chart's for the same chart drawn by Altair, selection included (every KPI chart:
    tests/ui/test_kpi_vl.py)."""
    from streamlit.testing.v1 import AppTest

    def script():
        import altair as alt
        import pandas as pd
        import streamlit as st

        import ui.charts
        from ui import vl
        from ui.charts import pickable, target_layers, vega_spec

        rates = pd.DataFrame({"week": ["16 Nov", "23 Nov"], "coverage": [0.08, 0.12], "week_key": ["a", "b"]})

        def draw(lib):
            ui.charts.vl = lib  # target_layers drawn by the same library
            base = lib.Chart(rates).mark_bar().encode(x="week:O", y="coverage:Q")
            return pickable(lib.layer(base, *target_layers(0.1, "L2 ≥ 10%")), ["week_key"])

        try:
            st.altair_chart(draw(alt), key="altair", on_select="rerun", selection_mode="pick")
            kept = vega_spec(draw(vl))
        finally:
            ui.charts.vl = vl
        st.vega_lite_chart(spec=kept, key="vega", on_select="rerun", selection_mode="pick")

    at = AppTest.from_function(script).run()
    drawn, kept = (c.proto for c in at.get("vega_lite_chart"))
    assert not at.exception
    views = re.compile(r"view_[0-9a-f_]+")  # Altair names the picked layer per process
    assert json.loads(views.sub("view", drawn.spec)) == json.loads(views.sub("view", kept.spec))
    assert [(d.name, d.data.data) for d in drawn.datasets] == [(d.name, d.data.data) for d in kept.datasets]
    assert list(drawn.selection_mode) == list(kept.selection_mode) == ["pick"]


def test_a_chart_the_schema_refuses_is_refused_where_charts_are_checked(monkeypatch):
    """Page tests turn the schema check on (tests/ui/conftest.py): a wrong chart fails there, not in a browser."""
    import pytest
    from jsonschema import ValidationError

    from ui import charts

    wrong = vl.Chart(RATES).mark_bar().encode(x={"field": "week", "type": "weekly"})  # no such type
    charts.vega_spec(wrong)  # the served app draws without the check
    monkeypatch.setattr(charts, "VALIDATE", True)
    with pytest.raises(ValidationError):
        charts.vega_spec(wrong)
    monkeypatch.setattr(charts, "VALIDATE", True)
    charts.vega_spec(_base())  # a right one passes


def test_a_target_on_the_charts_own_axis_keeps_that_axis_and_its_title():
    """Vega-Lite merges the axes of layers that share a scale: a target layer without an axis hid the re-check
    coverage chart's only x axis (its percent scale), and one with its own title would add "target" to it."""
    shared = vl.layer(_base(), *target_layers(0.10, "L2 ≥ 10%", axis="x", title="Coverage")).to_dict()
    for layer in shared["layer"][1:]:
        assert layer["encoding"]["x"]["title"] == "Coverage" and "axis" not in layer["encoding"]["x"]
    own = vl.layer(_base(), *target_layers(0.10, "L2 ≥ 10%")).to_dict()
    assert all(layer["encoding"]["y"]["axis"] is None for layer in own["layer"][1:])


def test_the_partial_week_legend_sits_on_top_where_the_whole_width_is_its():
    """Beside the series legend under a half-width chart, "Partial week (not all its days counted)" was cut at
    the chart's edge (tour): it goes on top, its label whole; no legend when every week is whole."""
    from ui.charts import LEGEND_LABELS, coverage_opacity
    from ui.context import tr

    weeks = pd.DataFrame({"coverage": [tr("kpi.week.full"), tr("kpi.week.partial")]})
    legend = coverage_opacity(weeks).props["legend"]
    assert legend["orient"] == "top" and legend["labelLimit"] == LEGEND_LABELS
    assert coverage_opacity(weeks.iloc[:1]).props["legend"] is None
