"""Vega-Lite specs as plain dicts, written with the part of Altair's API the KPI charts use (Chart, layer, the
encoding channels, Scale, Axis, Legend, value, selection_point), so a chart reads as Altair does.

Why not Altair itself: building an Altair chart, copying it on every call and walking its schema objects in
to_dict took most of a cold dashboard area's drawing (issue 14, "every dashboard area ≤ 200 ms cold"): 200 of
the callbacks area's 290 ms at the small office. These are dicts from the start. What Altair adds and Streamlit
sends is done the same way: a field's type taken from its data when the shorthand has none, the data as named
Arrow datasets (Streamlit's own transformer, so the names are the same content hashes), a layer's shared data and
a layer's selection lifted to the top. tests/ui/test_kpi_vl.py draws every KPI chart both ways and holds the
two specs equal; the weekly report's charts (core.reports.charts) stay on Altair, which vl-convert needs."""

from __future__ import annotations

from copy import copy
from typing import Any

import pandas as pd
from altair.vegalite.v6.schema import SCHEMA_URL  # the Vega-Lite version Altair writes, pinned with it
from pandas.api.types import infer_dtype
from streamlit.elements.vega_charts import _to_arrow_dataset

TYPES = {"Q": "quantitative", "N": "nominal", "O": "ordinal", "T": "temporal"}
_QUANTITATIVE = {"floating", "mixed-integer-float", "integer", "mixed-integer", "complex"}
_TEMPORAL = {"datetime", "datetime64", "timedelta", "timedelta64", "date", "time", "period"}


class _Undefined:
    def __repr__(self) -> str:
        return "Undefined"


Undefined = _Undefined()  # a property left out, as alt.Undefined


def _clean(props: dict) -> dict:
    return {k: _plain(v) for k, v in props.items() if v is not Undefined}


def _plain(value):
    if isinstance(value, _Props):
        return dict(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Props(dict):
    def __init__(self, **props) -> None:
        super().__init__(_clean(props))


class Scale(_Props):
    pass


class Axis(_Props):
    pass


class Legend(_Props):
    pass


def value(v) -> dict:
    return {"value": v}


def field_type(series: pd.Series) -> str:
    """The Vega-Lite type Altair infers for a column given without one (altair.utils.core's rule). An ordered
    category (Altair adds its order) and a duration (Altair refuses it) are not ours to guess: give the type."""
    kind = infer_dtype(series, skipna=False)
    if kind in _QUANTITATIVE:
        return "quantitative"
    if (kind == "categorical" and series.cat.ordered) or kind.startswith("timedelta"):
        raise ValueError(f"give the type of {series.name!r} in its shorthand ({kind})")
    return "temporal" if kind in _TEMPORAL else "nominal"


class _Channel:
    """An encoding channel: its shorthand ("week:O", or a field whose type comes from the data) and properties."""

    def __init__(self, shorthand: str | None = None, **props) -> None:
        self.shorthand = shorthand
        self.props = props

    def spec(self, data) -> dict:
        out = {}
        if self.shorthand is not None:
            name, _, code = self.shorthand.partition(":")
            out = {"field": name, "type": TYPES[code] if code else field_type(data[name])}
        return {**out, **_clean(self.props)}


class X(_Channel):
    pass


class Y(_Channel):
    pass


class XOffset(_Channel):
    pass


class YOffset(_Channel):
    pass


class Color(_Channel):
    pass


class Opacity(_Channel):
    pass


class Order(_Channel):
    pass


class Tooltip(_Channel):
    pass


def _encoding(channel, data):
    if isinstance(channel, list):
        return [_encoding(c, data) for c in channel]
    if isinstance(channel, str):
        return _Channel(channel).spec(data)
    return channel if isinstance(channel, dict) else channel.spec(data)


def selection_point(name: str, fields: list[str]) -> dict:
    return {"name": name, "select": {"type": "point", "fields": list(fields)}}


class _Spec:
    """What a Chart and a LayerChart share: properties (title, usermeta, resolve), params, copy on change."""

    def __init__(self, **props) -> None:
        self.props = {k: v for k, v in props.items() if v is not Undefined}
        self.params: list[dict] = []

    def _with(self, **changes) -> _Spec:
        new = copy(self)
        new.props = dict(self.props)
        new.params = list(self.params)
        for k, v in changes.items():
            setattr(new, k, v)
        return new

    def properties(self, **props) -> _Spec:
        return self._with(props={**self.props, **{k: v for k, v in props.items() if v is not Undefined}})

    def add_params(self, *params: dict) -> _Spec:
        return self._with(params=[*self.params, *params])

    @property
    def usermeta(self):
        return self.props.get("usermeta", Undefined)

    @usermeta.setter
    def usermeta(self, meta: dict) -> None:
        self.props["usermeta"] = meta

    def to_dict(self) -> dict:
        """The spec as Streamlit sends it: data as named Arrow datasets at the top, under the schema."""
        datasets: dict[str, Any] = {}
        spec = self._dict(datasets)
        return {**spec, "$schema": SCHEMA_URL, "datasets": datasets}


class Chart(_Spec):
    def __init__(self, data: pd.DataFrame | None = None, **props) -> None:
        super().__init__(**props)
        self.data = data
        self.mark: dict = {}
        self.encoding: dict = {}

    def _mark(self, kind: str, props: dict) -> Chart:
        return self._with(mark={"type": kind, **_clean(props)})

    def mark_bar(self, **props) -> Chart:
        return self._mark("bar", props)

    def mark_line(self, **props) -> Chart:
        return self._mark("line", props)

    def mark_point(self, **props) -> Chart:
        return self._mark("point", props)

    def mark_rule(self, **props) -> Chart:
        return self._mark("rule", props)

    def mark_text(self, **props) -> Chart:
        return self._mark("text", props)

    def encode(self, **channels) -> Chart:
        return self._with(encoding={**self.encoding, **channels})

    def _dict(self, datasets: dict, name: str | None = None, data: bool = True) -> dict:
        out: dict[str, Any] = {}
        if data and self.data is not None:
            out["data"] = _to_arrow_dataset(self.data, datasets)
        out["mark"] = self.mark
        out["encoding"] = {k: _encoding(v, self.data) for k, v in self.encoding.items()}
        if name:
            out["name"] = name
        elif self.params:
            out["params"] = self.params
        return {**out, **{k: _plain(v) for k, v in self.props.items()}}


class LayerChart(_Spec):
    def __init__(self, layers: list[Chart], **props) -> None:
        super().__init__(**props)
        self.layer = list(layers)

    def _with(self, **changes) -> LayerChart:
        changes.setdefault("layer", list(self.layer))  # a layer replaced in the copy stays there
        return super()._with(**changes)

    def add_params(self, *params: dict) -> LayerChart:
        """As Altair: a selection added to a layered chart is its first layer's (lifted to the top, naming it)."""
        return self._with(layer=[self.layer[0].add_params(*params), *self.layer[1:]])

    def resolve_scale(self, **scales) -> LayerChart:
        return self.properties(resolve={"scale": scales})

    def _dict(self, datasets: dict) -> dict:
        """Altair's layer: data every layer shares (the same frame) and each layer's selection lifted to the
        top, the selection naming the layer it picks on."""
        first = self.layer[0].data if self.layer else None
        shared = first is not None and all(c.data is first for c in self.layer)
        out: dict[str, Any] = {}
        if shared:
            out["data"] = _to_arrow_dataset(first, datasets)
        layers, params = [], list(self.params)
        for i, c in enumerate(self.layer):
            name = f"view_{i + 1}" if c.params else None
            layers.append(c._dict(datasets, name, data=not shared))
            params += [{**p, "views": [name]} for p in c.params]
        out["layer"] = layers
        if params:
            out["params"] = params
        return {**out, **{k: _plain(v) for k, v in self.props.items()}}


def layer(*charts: Chart, **props) -> LayerChart:
    return LayerChart(list(charts), **props)
