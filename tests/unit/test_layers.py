"""Imports run one way, pages → ui → core → db, and demo → core: core and db never import streamlit, db
imports nothing of ours above it, pages build no SQL, core never reads the clock."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE_HOLDERS = {"context.py", "web_engine.py"}  # hold the engine; build no query
SQL = re.compile(r"\b(select\(|session\.execute|\.execute\(|text\(|sqlite3|read_sql|\.query\()")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _py(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


# Each layer, and what it may never import: what sits above it, and streamlit below the UI.
FORBIDDEN = {
    "db": {"core", "demo", "cli", "ui", "pages", "streamlit"},
    "core": {"demo", "cli", "ui", "pages", "streamlit"},
    "demo": {"cli", "ui", "pages", "streamlit"},
    "ui": {"demo", "cli", "pages"},
    "pages": {"demo", "cli"},
}


@pytest.mark.parametrize("layer", FORBIDDEN)
def test_each_layer_imports_nothing_above_it(layer):
    assert {str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN[layer])
            for p in _py(layer) if _imports(p) & FORBIDDEN[layer]} == {}


def test_pages_build_no_sql():
    assert [str(p) for p in _py("pages") if SQL.search(p.read_text(encoding="utf-8"))] == []


def test_pages_and_ui_do_not_import_sqlalchemy_models():
    assert [str(p) for p in _py("pages") + _py("ui")
            if _imports(p) & {"sqlalchemy"} and p.name not in ENGINE_HOLDERS] == []


CLOCK_READS = re.compile(r"\b(datetime\.now\(|date\.today\(|datetime\.utcnow\(|time\.time\()")
APP_CLOCK = ROOT / "ui" / "clock.py"  # the app's one outside boundary: read_clock()


def _clock_readers(paths: list[Path]) -> list[str]:
    return [f"{p.relative_to(ROOT)}:{n}" for p in paths
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if CLOCK_READS.search(line)]


def test_core_never_reads_the_clock():
    """Time is an argument in core (STYLE habit 2): the rules give the same answer on any day."""
    assert _clock_readers(_py("core")) == []


def test_pages_and_ui_read_the_clock_only_through_ui_clock():
    """One instant per screen run (ui.clock.now), one place that reads the machine's clock (ui.clock.read_clock),
    so tests pin the app's time by replacing that one function."""
    assert _clock_readers([p for p in _py("pages") + _py("ui") if p != APP_CLOCK]) == []
