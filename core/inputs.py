"""The one input policy (STYLE habit 5, issue 9): every value a person types passes here before anything is
written, and each violation is Invalid with a catalog key and the offending field.

- Lengths come from the columns (`limit_of(User.display_name)` reads its String(100)); a Text column is
  held to TEXT_MAX, a page of text.
- NUL, other control characters (C0, DEL, C1) and lone surrogates are refused everywhere; a multi-line
  text (Kind.TEXT) may hold newlines and tabs. Line and paragraph separators are refused in one-line fields.
- Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused in every
  text: they make text display as something else ("adm\u202eni" shows as a second "admin"). Names and
  identifiers (Kind.NAME) refuse every invisible format character too (zero-width joiners and spaces,
  direction marks, soft hyphens, byte-order marks).
- Whole numbers and money are ints (never bools, floats, NaN or infinity) within bounds (counts and scores:
  core.checks.whole_number with the rule's range); money is held to MONEY_MAX_CENTS, so any sum of a year
  of amounts still fits a BIGINT.
- Search terms are not refused: a term that no stored value can contain matches nothing (`search_term`).
- Email addresses are checked by email-validator (syntax only: no network look-up).

The safety net: `refuse_unstorable` runs before every flush of every Session and refuses, with the generic
`input.unstorable`, a NUL, a lone surrogate or an over-long value in any String column (a Text column past
NET_TEXT_MAX) of a new or changed row, so an input a use case forgot still cannot be stored half-valid on
SQLite and crash on PostgreSQL. It sees what the ORM flushes; core.versioning.save_versioned, which writes
with an UPDATE statement, passes its values through the same net (`refuse_unstorable_values`)."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from core.errors import Invalid

TEXT_MAX = 4000  # a Text column: a page of typed text
NET_TEXT_MAX = 100_000  # the safety net's bound for a Text column (settings hold lists): no megabyte is stored
MONEY_MAX_CENTS = 10**12  # ten billion in the office currency: far above any sale, far below a BIGINT's sum
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\u2028\u2029")
MULTILINE = frozenset("\n\r\t")


class Kind(StrEnum):
    NAME = "name"  # a name or an identifier: one line, nothing invisible
    LINE = "line"  # one line of free text: an address, a city, a source
    TEXT = "text"  # several lines: newlines and tabs allowed


def limit_of(column) -> int:
    """The most characters `column` (a mapped attribute such as User.display_name) holds: its String(n),
    or TEXT_MAX for a Text column."""
    length = getattr(column.property.columns[0].type, "length", None)
    return length or TEXT_MAX


def _refused_char(ch: str, kind: Kind) -> str | None:
    """The catalog key refusing `ch` in a text of `kind`, or None when it may stay."""
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs"):
        return None if kind == Kind.TEXT and ch in MULTILINE else "input.control_chars"
    if ch in LINE_BREAKS:
        return None if kind == Kind.TEXT else "input.control_chars"
    if ch in BIDI_CONTROLS or (kind == Kind.NAME and category == "Cf"):
        return "input.invisible_chars"
    return None


def check_chars(value: str, field: str, kind: Kind = Kind.LINE) -> str:
    """`value` unchanged, or Invalid naming the field for the first character the policy refuses."""
    for ch in value:
        key = _refused_char(ch, kind)
        if key:
            raise Invalid(key, field=field)
    return value


def text(value: object, field: str, max_len: int, kind: Kind = Kind.LINE, *, too_long: str = "input.too_long",
         **params: object) -> str | None:
    """The text as typed, trimmed of surrounding blanks; None when blank. Invalid when it is not text,
    holds a refused character anywhere (its blanks too), or is longer than `max_len` characters (`too_long`,
    with the caller's `params`, else `limit`): a one-line text counted trimmed, a multi-line text (Kind.TEXT,
    which use cases store verbatim) as typed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("input.not_text", field=field)
    trimmed = value.strip()
    if not trimmed:
        return None
    check_chars(value, field, kind)  # as typed: str.strip also drops some controls (\x1c-\x1f, \x85)
    if len(value if kind == Kind.TEXT else trimmed) > max_len:  # several lines are kept verbatim (CB-7)
        raise Invalid(too_long, field=field, **(params or {"limit": max_len}))
    return trimmed


def required(value: object, field: str, max_len: int, kind: Kind = Kind.LINE, *, missing: str = "input.required",
             **params: object) -> str:
    """`text`, and Invalid(`missing`) when blank."""
    clean = text(value, field, max_len, kind, **params)
    if clean is None:
        raise Invalid(missing, field=field)
    return clean


def money_cents(value: object, field: str, key: str = "input.bad_amount") -> int:
    """A positive amount in whole cents (Invalid(`key`) else), at most MONEY_MAX_CENTS (input.amount_too_large)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(key, field=field)
    if value > MONEY_MAX_CENTS:
        raise Invalid("input.amount_too_large", field=field, max=MONEY_MAX_CENTS // 100)
    return value


def email(value: object, field: str, max_len: int, key: str = "input.bad_email") -> str | None:
    """The address as typed (trimmed), None when blank; Invalid(`key`) unless it is a well-formed address
    with a domain that can exist (email-validator, no DNS look-up)."""
    address = text(value, field, max_len, Kind.NAME)
    if address is None:
        return None
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(key, field=field) from None
    return address


def search_term(value: str | None, longest: int) -> str | None:
    """The term to search for, trimmed; "" when blank. None when no stored value can contain it, so the
    search matches nothing rather than failing: longer than `longest` (the longest searched column), or
    holding a control character or a lone surrogate, which the policy never lets into the database."""
    term = (value or "").strip()
    if len(term) > longest or any(_refused_char(ch, Kind.LINE) == "input.control_chars" for ch in term):
        return None
    return term


def storable(value: str, length: int | None) -> bool:
    """Whether any database stores `value` as it is: no NUL, no lone surrogate, within `length`."""
    return "\x00" not in value and (length is None or len(value) <= length) and \
        not any(unicodedata.category(ch) == "Cs" for ch in value)


def refuse_unstorable(session: Session, _context, _instances) -> None:
    """Before a flush: refuse the new or changed values of String columns that no database stores as given."""
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            for value in state.attrs[attr.key].history.added:
                _refuse_if_unstorable(attr, value)


def refuse_unstorable_values(model, values: dict[str, object]) -> None:
    """The same net for an UPDATE statement (core.versioning.save_versioned), which no flush sees."""
    attrs = inspect(model).column_attrs
    for key, value in values.items():
        _refuse_if_unstorable(attrs[key], value)


def _refuse_if_unstorable(attr, value: object) -> None:
    column_type = attr.columns[0].type
    if isinstance(column_type, String) and isinstance(value, str) \
            and not storable(value, column_type.length or NET_TEXT_MAX):
        raise Invalid("input.unstorable", field=attr.key)


if not event.contains(Session, "before_flush", refuse_unstorable):
    event.listen(Session, "before_flush", refuse_unstorable)
