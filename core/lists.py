"""Lists are filtered, counted and paginated in SQL; a page holds plain rows, never ORM objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, false, func, or_, select
from sqlalchemy.orm import Session

from core.customers.search import term_ids, too_short
from core.inputs import limit_of, search_term
from core.phones import DEFAULT_REGION, spellings
from db.models import Customer

PAGE_SIZES = (25, 50, 100)
SEARCH_MAX = limit_of(Customer.name)  # the longest column a search looks in: a longer term matches nothing
STREAM_CHUNK = 1_000  # rows a streamed list fetches from the database at a time
Consumer = Callable[[Iterator[dict]], int]
_STREAM: ContextVar[Consumer | None] = ContextVar("list_stream", default=None)


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def paginate(session: Session, stmt: Select, page: int, page_size: int, count: Select | None = None,
             enrich: Callable[[list[dict]], list[dict]] | None = None) -> Page:
    """Count the filtered rows and fetch one page of them; `page` is clamped into range.
    `count` is a cheaper statement counting the same rows (the base table with the filters, no joins
    for display columns); without it the listed statement is counted as a subquery. `enrich` completes the
    fetched rows (a page, or each chunk of a streamed list: see `stream`), e.g. with a flag or a second query.
    Inside `stream`, the whole statement is handed to the stream's consumer instead."""
    consume = _STREAM.get()
    if consume is not None:
        return _streamed(session, stmt, consume, enrich)
    count = count if count is not None else select(func.count()).select_from(stmt.order_by(None).subquery())
    total = session.scalar(count) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = [dict(r) for r in session.execute(stmt.limit(page_size).offset((page - 1) * page_size)).mappings()]
    return Page(enrich(rows) if enrich else rows, total, page, page_size)


def streaming() -> bool:
    """True inside `stream`: a list that pages in its own way (the callback queue) hands `paginate` one
    statement of its whole order instead."""
    return _STREAM.get() is not None


def stream(fetch: Callable[[int, int], Page], consume: Consumer) -> int:
    """Every row of a list, in its own order, handed to `consume` as an iterator while the database still
    sends them: `fetch` is the list's own page function (its permission check, filters and sort run as for a
    page), but its `paginate` streams the whole statement instead of counting and cutting one page. No OFFSET
    paging (quadratic at a million rows) and nothing held in memory but a chunk. Returns what `consume`
    returns (the rows it took)."""
    taken: list[int] = []
    token = _STREAM.set(lambda rows: taken.append(consume(rows)) or taken[0])
    try:
        fetch(1, STREAM_CHUNK)
    finally:
        _STREAM.reset(token)
    return taken[0] if taken else consume(iter(()))  # a list that read nothing (no rows at all) still gets its file


def _streamed(session: Session, stmt: Select, consume: Consumer,
              enrich: Callable[[list[dict]], list[dict]] | None) -> Page:
    """The whole statement through a server-side cursor (yield_per: PostgreSQL's named cursor; SQLite's own
    cursor steps row by row), chunk by chunk, each row a plain dict, consumed before the list's session
    closes."""
    _STREAM.set(None)  # a second list read in the same call (a lookup) pages as usual
    result = session.execute(stmt, execution_options={"yield_per": STREAM_CHUNK}).mappings()

    def rows() -> Iterator[dict]:
        for chunk in result.partitions():
            batch = [dict(r) for r in chunk]
            yield from enrich(batch) if enrich else batch
    return Page([], consume(rows()), 1, STREAM_CHUNK)


def sort_of(sort: str | None, allowed: Mapping[str, object]) -> tuple[str, bool] | None:
    """A sort key from the URL, `name` or `-name` (descending), if `name` is one of the `allowed` columns;
    anything else (absent, unknown, raw SQL) is None: the list's own default order."""
    if not sort:
        return None
    name, descending = (sort[1:], True) if sort.startswith("-") else (sort, False)
    return (name, descending) if name in allowed else None


def ordered(sort: str | None, columns: Mapping[str, object], tie) -> list | None:
    """ORDER BY clauses for a sort key over the whole filtered list: the chosen column (empty values last in
    either direction), then `tie` (the id) in the same direction so equal values keep a stable order across
    pages. None when the key is not allowed (see `sort_of`)."""
    chosen = sort_of(sort, columns)
    if chosen is None:
        return None
    name, descending = chosen
    column = columns[name]
    if descending:
        return [column.desc().nulls_last(), tie.desc()]
    return [column.asc().nulls_last(), tie.asc()]


def enum_rank(column, enum_cls: type[Enum]):
    """An enum column sorted in its declared order (open, in progress, done ...), not by its stored text."""
    return case({m.value: i for i, m in enumerate(enum_cls)}, value=column, else_=len(enum_cls))


def day_bounds_utc(start: date | None, end: date | None, tz: str) -> tuple[datetime | None, datetime | None]:
    """An inclusive range of office-local days as a half-open UTC interval [from, to)."""
    zone = ZoneInfo(tz)
    lo = datetime.combine(start, time.min, zone) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, zone) if end else None
    return lo, hi


def within(stmt: Select, column, start: date | None, end: date | None, tz: str) -> Select:
    lo, hi = day_bounds_utc(start, end, tz)
    if lo is not None:
        stmt = stmt.where(column >= lo)
    if hi is not None:
        stmt = stmt.where(column < hi)
    return stmt


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def customer_match(text: str, customer_id, *numbers, region: str = DEFAULT_REGION):
    """Free-text search of a list by its customer: the text finds the customer through the search box's index
    (C-1, core.customers.search: a name's word or character, pinyin, a phone in any spelling, a serial, plate
    or order number), or any given number starts with it. `customer_id` is the listed table's customer
    column, so the customers are matched once, in a subquery. A phone typed without its country code is read
    as the office's `region` writes it (setting office.phone_region: core.customers.search.search_region). A
    term no stored value can hold (core.inputs.search_term: past SEARCH_MAX, or a control character) matches
    nothing."""
    text = search_term(text, SEARCH_MAX)
    if not text or too_short(text):  # `1` would range over a large share of the index and of the numbers
        return false()
    prefix = f"{like_escape(text)}%"
    ids = term_ids(text, region)
    found = ([customer_id.in_(ids)] if ids is not None else []) + [n.like(prefix, escape="\\") for n in numbers]
    return or_(*found) if found else false()


def text_or_number(text: str, longest: int, texts: tuple, number):
    """Free-text search of one table: any of `texts` contains the term (whatever its case), or the `number`
    column holds it in one of its spellings (core.phones) or starts with it as typed. A term no stored value
    can hold (core.inputs.search_term, `longest` the longest searched column) matches nothing."""
    term = search_term(text, longest)
    if term is None:
        return false()
    contains, prefix = f"%{like_escape(term)}%", f"{like_escape(term)}%"
    return or_(*[t.ilike(contains, escape="\\") for t in texts], number.in_(spellings(term) or [term]),
               number.like(prefix, escape="\\"))


def as_dict(obj) -> dict:
    """A loaded model's columns as a plain dict, so pages never hold live ORM objects (STYLE habit 5)."""
    return {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}
