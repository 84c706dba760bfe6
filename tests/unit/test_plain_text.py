"""User text is data, never markup (STYLE habit 5, issue 9): ui.text escapes it for every place Streamlit
renders Markdown, and no page or ui module hands such a place a text that did not go through it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.helpers import as_read
from ui.text import Markdown, joined, phrase, plain

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    "![p](http://host/x.png) [link](http://host/) **B** :red[R]",
    "<img src=x onerror=alert(1)>",
    ":material/home: :material_home: :streamlit: :smile: :+1:",
    "$x^2$ $$y$$",
    "# head\n- item\n1. one\n> quote\n    code",
    "http://host/x www.host.com mail@host.com <http://host/>",
    "`code` ~strike~ _it_ | a | b | &amp; \\*",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_leaves_no_markdown_syntax_unescaped(text):
    """Every ASCII punctuation character carries a backslash, so no Markdown or Streamlit syntax stays live."""
    shown = plain(text)
    assert re.search(r"(?<!\\)[!-/:-@\[-`{-~]", re.sub(r"\\.", "", shown)) is None
    assert as_read(shown) == " ".join(part.strip() for part in text.splitlines())


@pytest.mark.parametrize("code", [":material_home:", ":smile:", ":streamlit:", ":+1:"])
def test_plain_breaks_the_shortcodes_streamlit_matches_after_reading_escapes(code):
    """Streamlit replaces `:smile:`, `:material_x:` and `:streamlit:` in the text it has already unescaped;
    a word joiner after each colon keeps its patterns from matching."""
    unescaped = re.sub(r"\\(.)", r"\1", plain(code))
    assert re.search(r":[\w+-][\w+-]*:", unescaped) is None
    assert re.search(r":material_\w+:", unescaped) is None


def test_plain_leaves_times_and_plain_colons_without_joiners():
    assert plain("due 18 May 2026 23:59, note: call") == r"due 18 May 2026 23\:59\, note\: call"


def test_plain_is_one_line_and_never_escapes_twice():
    once = plain("a\n\nb **c**")
    assert isinstance(once, Markdown) and "\n" not in once
    assert plain(once) == once
    assert plain(None) == "" and plain(42) == "42"


def test_a_catalog_text_escapes_its_parameters_not_its_template():
    shown = phrase("incoming.known_caller", name="**B**", code="C-1", specialist=":red[R]")
    assert shown.startswith("Known customer: ") and r"\*\*B\*\*" in shown and r"\:" in shown
    assert joined([shown, "**x**"]) == f"{shown} \\*\\*x\\*\\*"


# ---- the guard: every Markdown-rendering call in pages/ and ui/ gets only safe texts -------------------------

# Streamlit 1.67 renders Markdown in these calls' first argument (body or label) and in the keywords below:
# text elements, alerts, toasts, and every widget label, help text, radio option and metric value.
MARKDOWN_CALLS = {
    "markdown", "write", "title", "header", "subheader", "caption", "info", "success", "warning", "error", "toast",
    "button", "form_submit_button", "link_button", "download_button", "page_link", "checkbox", "toggle", "radio",
    "expander", "popover", "tabs", "metric", "text_input", "text_area", "number_input", "date_input",
    "time_input", "selectbox", "multiselect", "slider", "select_slider", "pills", "segmented_control",
    "color_picker", "file_uploader", "camera_input", "status", "dialog",
}
MARKDOWN_KEYWORDS = {"body", "label", "help", "value", "delta", "captions", "title"}
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control"}  # their options' labels (format_func) are Markdown too
METRIC_POSITIONS = 3  # st.metric(label, value, delta): all three are Markdown
HELPERS = {"plain", "phrase", "joined", "enum_label",  # enum_label: a catalog text, as tr(key) is
           "delta_text", "help_text"}  # ui.kpi.specs: a KPI's change and help, catalog texts and figures only
NOT_STREAMLIT = re.compile(r"\blog(ger|ging)?\b")


class _Module:
    """What one module binds to each name: the assigned expressions, or None where the value is unknown
    (a parameter, a loop variable); a name is safe only when every binding is."""

    def __init__(self, tree: ast.Module) -> None:
        self.bindings: dict[str, list[ast.expr | None]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value)
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr):
                self._bind(node.target, node.value)
            elif isinstance(node, ast.AugAssign):
                self._bind(node.target, None)
            elif isinstance(node, ast.arg):
                self.bindings.setdefault(node.arg, []).append(None)
            elif isinstance(node, ast.For | ast.comprehension):
                self._bind(node.target, None)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                self._bind(node.optional_vars, None)

    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.bindings.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._bind(element, None)

    def safe(self, node: ast.expr | None, seen: frozenset[str] = frozenset()) -> bool:
        """A literal, a catalog-only tr(key) (no parameters), a ui.text helper's result, or built of those."""
        match node:
            case ast.Constant():
                return True
            case ast.Call(func=ast.Name(id="tr" | "t"), keywords=[]):
                return True
            case ast.Call(func=ast.Name(id=name) | ast.Attribute(attr=name)) if name in HELPERS:
                return True
            case ast.JoinedStr(values=values):
                return all(self.safe(v.value if isinstance(v, ast.FormattedValue) else v, seen) for v in values)
            case ast.BinOp(op=ast.Add(), left=left, right=right):
                return self.safe(left, seen) and self.safe(right, seen)
            case ast.IfExp(body=body, orelse=orelse):
                return self.safe(body, seen) and self.safe(orelse, seen)
            case ast.BoolOp(values=values) | ast.List(elts=values) | ast.Tuple(elts=values):
                return all(self.safe(v, seen) for v in values)
            case ast.ListComp(elt=elt) | ast.Lambda(body=elt):  # a lambda: a format_func, safe by what it returns
                return self.safe(elt, seen)
            case ast.Dict(values=values):  # a lookup table of labels, used as table.get or table[key]
                return all(self.safe(v, seen) for v in values)
            case ast.DictComp(value=value):
                return self.safe(value, seen)
            case ast.Attribute(value=table, attr="get") | ast.Subscript(value=table):
                return self.safe(table, seen)
            case ast.Name(id=name) if name not in seen:
                values = self.bindings.get(name) or [None]
                return all(self.safe(v, seen | {name}) for v in values)
        return False


def _markdown_texts(call: ast.Call) -> list[ast.expr]:
    """The arguments of a Streamlit call that Streamlit renders as Markdown."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in MARKDOWN_CALLS:
        return []
    if NOT_STREAMLIT.search(ast.unparse(func.value)):
        return []
    positions = METRIC_POSITIONS if func.attr == "metric" else 1
    keywords = MARKDOWN_KEYWORDS - ({"value"} if func.attr != "metric" else set())
    options = [k.value for k in call.keywords if k.arg == "format_func" and func.attr in MARKDOWN_OPTIONS]
    return [*call.args[:positions], *(k.value for k in call.keywords if k.arg in keywords), *options]


def unsafe_markdown(source: str, name: str = "<source>") -> list[str]:
    """`file:line: text` of each Markdown argument that is not known to be safe."""
    tree = ast.parse(source)
    module = _Module(tree)
    return [f"{name}:{arg.lineno}: {ast.unparse(arg)}" for call in ast.walk(tree) if isinstance(call, ast.Call)
            for arg in _markdown_texts(call) if not module.safe(arg)]


def _app_files() -> list[Path]:
    return [ROOT / "streamlit_app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]


def test_no_page_or_ui_module_renders_user_text_as_markdown():
    """Issue 9: a customer name, a finding, a display name... never reaches a Markdown-rendering call
    except through ui.text (plain, phrase, joined); catalog-only texts (tr(key) without parameters) pass."""
    found = [line for path in _app_files()
             for line in unsafe_markdown(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert found == []


@pytest.mark.parametrize("source", [
    "st.subheader(detail['customer']['name'])",
    "st.markdown(f\"**{head}**\")",
    "st.info(tr('incoming.known_caller', name=c['name']))",
    "st.caption(f\"{actor.display_name} ({actor.username})\")",
    "col.metric(tr('k'), counts[name])",
    "st.tabs([tr(f'cu.tab_{n}', total=t) for n in names])",
    "st.toggle(tr('k'), help=note)",
    "def show(message):\n    st.toast(message)",
    "head = tr('k', customer=c)\nst.markdown(head)",
    "st.sidebar.write(task['finding'])",
    "names = {c['id']: c['name'] for c in found}\nst.radio(tr('k'), list(names), format_func=names.get)",
    "st.radio(tr('k'), rows, format_func=lambda r: r['name'])",
])
def test_the_guard_catches_user_text_in_markdown(source):
    assert unsafe_markdown(source) != []


@pytest.mark.parametrize("source", [
    "st.title(tr('nav.x'))",
    "st.markdown(f\"#### {tr('cb.attempts')}\")",
    "st.subheader(plain(detail['customer']['name']))",
    "st.info(phrase('incoming.known_caller', name=c['name']))",
    "head = phrase('k', customer=c)\nlate = f\" · {tr('m')}\" if x else ''\nst.markdown(f'**{head}**{late}')",
    "col.metric(tr(f'kpi.metric.{n}'), plain(v), help=tr(f'kpi.def.{n}'))",
    "log.exception('page %s failed', nav.url_path)",
    "st.text(task['finding'])",
    "st.radio(tr('k'), list(Channel), format_func=lambda m: enum_label(m, lg))",
    "yes_no = {True: tr('common.yes'), False: tr('no')}\nst.radio(tr('k'), [True, False], format_func=yes_no.get)",
    "st.selectbox(tr('k'), rows, format_func=lambda r: r['name'])",
])
def test_the_guard_lets_catalog_texts_and_helpers_pass(source):
    assert unsafe_markdown(source) == []
