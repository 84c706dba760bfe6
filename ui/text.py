"""User text is data, never markup (STYLE habit 5): the one way a page puts text where Streamlit renders
Markdown (st.markdown, st.write, titles, headers, captions, alerts, toasts, and widget labels, radio options,
tabs, expanders, metric values and help texts).

`plain(value)` escapes a value so every character shows as typed: each ASCII punctuation character gets a
backslash (CommonMark lets any of them be escaped), which disarms emphasis, links, images, autolinks, HTML,
headings, lists, `$math$` and the `:red[...]` directives; and an invisible word joiner follows the colon
that opens a `:word:`, because Streamlit turns `:smile:`, `:material_home:` and `:streamlit:` into pictures
after the escapes are read. Where a whole block is user text (several lines), pages use st.text instead.

`phrase(key, **params)` is a catalog text with its parameters escaped, never its template. Both return
`Markdown`, text already safe to render, which `plain` passes unchanged, so nothing is escaped twice.
Places that render no Markdown (st.text, st.dataframe, selectbox and multiselect options) take raw values."""

from __future__ import annotations

import re

import streamlit as st

from ui.context import tr

PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
WORD_JOINER = "\u2060"  # zero width, invisible: keeps ":smile:" from matching Streamlit's shortcode patterns
SHORTCODE = re.compile(r":(?=[A-Za-z0-9_+-]+:)")  # the opening colon of what could read as :smile: or :material_x:
LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


class Markdown(str):
    """Text safe to render as Markdown: a catalog template, or user text already escaped by `plain`."""


def plain(value: object) -> Markdown:
    """`value` as literal text in a Markdown context: None is empty, line breaks become spaces (a heading or
    a label is one line), every ASCII punctuation character is backslash-escaped, and the colon opening a
    `:word:` is followed by a word joiner. A `Markdown` value is returned as it is."""
    if isinstance(value, Markdown):
        return value
    return Markdown(_escaped(LINE_BREAKS.sub(" ", "" if value is None else str(value)).strip()))


def phrase(key: str, **params: object) -> Markdown:
    """The catalog text `key` in the user's language, each parameter shown as plain text."""
    return Markdown(tr(key, **{name: plain(value) for name, value in params.items()}))


def joined(parts: list[object], sep: str = " ") -> Markdown:
    """Several texts as one: `Markdown` parts as they are, any other part escaped; `sep` is a literal."""
    return Markdown(_escaped(sep).join(plain(part) for part in parts))


def _escaped(text: str) -> str:
    return PUNCTUATION.sub(r"\\\1", SHORTCODE.sub(":" + WORD_JOINER, text))


def heading(key: str, **params: object) -> None:
    """A section's small heading: the catalog text `key`, its parameters as plain text."""
    st.markdown("#### " + phrase(key, **params))
