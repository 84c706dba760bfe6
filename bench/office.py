"""The benchmark office: built once with demo.build.build_demo, cached on disk next to a marker.

The marker (a small JSON file beside the database) holds the scale, the demo seed, the alembic head,
a hash of the migration files and one of the demo generator's files, taken before the build starts; the
database is rebuilt only when it is missing or when one of those has changed (or on --rebuild).
"""

from __future__ import annotations

import ast
import hashlib
import json
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from db.config import ROOT
from db.engine import make_engine
from db.migrate import alembic_config, is_empty, upgrade

BENCH_DIR = ROOT / "data" / "bench"


def large_scale():
    from demo.build import Scale

    return Scale(customers=300_000, work_orders=1_000_000, callbacks=3_000_000, complaints=60_000, leads=50_000)


def small_scale():
    from demo.build import Scale

    return Scale(customers=600, work_orders=2_000, callbacks=6_000, complaints=120, leads=100)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _fingerprint(paths) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def schema_fingerprint() -> str:
    """A hash of every migration file: a migration edited in place keeps its revision id, not its hash."""
    return _fingerprint((ROOT / "db" / "migrations" / "versions").glob("*.py"))


def demo_fingerprint() -> str:
    """A hash of the demo generator (demo/*.py) and of the core modules it takes its rules from, directly or
    not (their keys, windows and checklists): an office built by older generator or rule code is stale too."""
    demo = list((ROOT / "demo").glob("*.py"))
    return _fingerprint(demo + sorted(_core_modules_imported_by(demo)))


def _core_modules_imported_by(files) -> set[Path]:
    """The core modules the files import, and the core modules those import, and so on."""
    found, todo = set(), list(files)
    while todo:
        for node in ast.walk(ast.parse(todo.pop().read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("core"):
                module = ROOT.joinpath(*node.module.split("."))
                names = [module / f"{a.name}.py" for a in node.names]  # `from core.x import submodule`
                for f in (module.with_suffix(".py"), module / "__init__.py", *names):
                    if f.exists() and f not in found:
                        found.add(f)
                        todo.append(f)
    return found


def marker_path(db_path: Path) -> Path:
    return db_path.with_suffix(".json")


def wanted_marker(scale) -> dict:
    from demo.build import DEFAULT_SEED

    return {"scale": asdict(scale), "seed": DEFAULT_SEED, "revision": head_revision(),
            "migrations": schema_fingerprint(), "demo": demo_fingerprint()}


def read_marker(db_path: Path) -> dict:
    marker = marker_path(db_path)
    return json.loads(marker.read_text()) if marker.exists() else {}


def is_current(db_path: Path, scale) -> bool:
    """Built at this scale and seed by the current migrations. The build day is not compared: the demo's
    history ends on the day it was built, so an old office has fewer rows due "today" (shown in the report)."""
    marker = read_marker(db_path)
    return db_path.exists() and all(marker.get(k) == v for k, v in wanted_marker(scale).items())


def _remove(db_path: Path) -> None:
    for p in (db_path, marker_path(db_path), *(Path(f"{db_path}{s}") for s in ("-wal", "-shm", "-journal"))):
        p.unlink(missing_ok=True)


def build(db_path: Path, scale, progress: bool = True) -> float:
    """Migrate a fresh file, load the demo office at `scale`, write the marker; returns seconds taken."""
    from demo.build import build_demo

    wanted = wanted_marker(scale)  # of the files as the build starts: an edit during the build makes it stale
    _remove(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    url = sqlite_url(db_path)
    upgrade(url)
    engine = make_engine(url)
    try:
        build_demo(engine, scale=scale, progress=progress)  # loads fast, then ANALYZE and a WAL checkpoint
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    marker = wanted | {"built_on": date.today().isoformat(), "build_seconds": round(seconds, 1)}
    marker_path(db_path).write_text(json.dumps(marker, indent=2))
    return seconds


def ensure(db_path: Path, scale, rebuild: bool = False, progress: bool = True) -> float | None:
    """The office at `db_path`, built when missing, stale or asked for: build seconds, or None when cached."""
    if not rebuild and is_current(db_path, scale):
        return None
    return build(db_path, scale, progress)


def ensure_url(url: str, scale, progress: bool = True) -> float | None:
    """The office in the database at `url` (PostgreSQL, say), migrated, and built at `scale` when it has no
    customers yet: build seconds, or None when one was there. No marker here: an office left by older demo code
    or at another scale is measured as it is (drop the database to build it again)."""
    from demo.build import build_demo

    upgrade(url)
    engine = make_engine(url)
    try:
        if not is_empty(engine):
            return None
        started = time.perf_counter()
        build_demo(engine, scale=scale, progress=progress)  # then the rollups rebuilt and ANALYZE
        return time.perf_counter() - started
    finally:
        engine.dispose()


def row_counts(engine: Engine) -> dict[str, int]:
    names = sorted(t for t in inspect(engine).get_table_names() if t != "alembic_version")
    with engine.connect() as conn:
        return {t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar_one() for t in names}


def describe_url(url: str) -> dict:
    engine = make_engine(url)
    try:
        return {"url": engine.url.render_as_string(hide_password=True), "rows": row_counts(engine)}
    finally:
        engine.dispose()


def describe(db_path: Path) -> dict:
    engine = make_engine(sqlite_url(db_path))
    try:
        return {"path": str(db_path), "size_bytes": db_path.stat().st_size,
                "built_on": read_marker(db_path).get("built_on"), "rows": row_counts(engine)}
    finally:
        engine.dispose()
