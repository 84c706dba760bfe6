"""The archive's search terms (C-1): what a customer is found by in the search box, kept in
`customer_search_terms` and rewritten in the same transaction as every write that changes them (`reindex`).

A customer is found by
- any part of the name that starts a word or (in Chinese) a character: 张伟 by 张伟 and 伟, "Acme Tools" by
  "acme" and "tools";
- the pinyin initials and the full pinyin of a Chinese name (张伟 → zw, zhangwei), every reading of a
  character with several (曾 is ceng and zeng, 单 dan, shan and chan), up to MAX_READINGS combinations;
- the contact persons' names the same way;
- the digits of the customer's and the contacts' phones, national (13812345678, 01012345678) and with the
  country code (8613812345678), so a number is found in any spelling (core.phones);
- the products' serial / plate numbers and order numbers, letters and digits only (粤B12345 → 粤b12345, and
  b12345 without the region).
Terms are lower-case and searched by prefix: a range on the primary key, never a LIKE '%…%' scan.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator

import phonenumbers
from pypinyin import Style, pinyin
from sqlalchemy import Engine, case, delete, func, insert, intersect, literal, or_, select, union
from sqlalchemy.orm import Session

from core.inputs import search_term
from core.office.settings import load_office
from core.phones import DEFAULT_REGION, canonical, spellings
from db.models import Complaint, Contact, Customer, CustomerSearchTerm, Product, WorkOrder

TERM_MAX = 80  # the column
NAME_SUFFIXES = 40  # a long company name: its first 40 starting points
MAX_READINGS = 16  # combinations of heteronyms' readings indexed per name
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[^\W_]+")
PLATE_REST = re.compile(r"[a-z0-9]")  # what follows the province of a plate


def normal(text: str) -> str:
    """Lower case, inner blanks made one (what terms and queries are compared in)."""
    return " ".join((text or "").lower().split())


def name_terms(name: str) -> set[str]:
    """Every suffix of the name that starts a word or a Chinese character, and its pinyin (see the module)."""
    text = normal(name)
    starts = [m.start() for m in WORD.finditer(text)]
    starts += [i for i, ch in enumerate(text) if CJK.match(ch)]
    out = {text[i:i + TERM_MAX].strip() for i in sorted(set(starts))[:NAME_SUFFIXES]}
    return {t for t in out if t} | pinyin_terms(text)


def pinyin_terms(text: str) -> set[str]:
    """The initials and the full pinyin of the Chinese characters of `text`, every reading of heteronyms
    (曾 → c…/z…), at most MAX_READINGS combinations each (the rest take their first reading)."""
    chars = CJK.findall(text)
    if not chars:
        return set()
    out = set()
    for style in (Style.FIRST_LETTER, Style.NORMAL):
        readings = [_readings(ch, style) for ch in chars]
        out |= {"".join(c)[:TERM_MAX] for c in _combinations(readings)}
    return out


@functools.cache
def _readings(char: str, style: Style) -> tuple[str, ...]:
    """Every reading of one character in `style`, the commonest first (a few thousand characters: cached, the
    bulk rebuild would otherwise spend most of its time here)."""
    return tuple(dict.fromkeys(pinyin(char, style=style, heteronym=True)[0]))


def _combinations(readings: list[tuple[str, ...]]) -> Iterable[tuple[str, ...]]:
    """Every combination of the characters' readings while they number at most MAX_READINGS; beyond, the later
    characters keep only their first reading (the surname, which comes first, keeps all of its)."""
    kept, count = [], 1
    for options in readings:
        if count * len(options) > MAX_READINGS:
            options = options[:1]
        kept.append(options)
        count *= len(options)
    return itertools.product(*kept)


def phone_terms(stored: str | None) -> set[str]:
    """The digits a stored phone is typed as: national (with the trunk 0 of a landline) and international."""
    if not stored:
        return set()
    digits = re.sub(r"\D", "", stored)
    out = {digits} if digits else set()
    try:
        number = phonenumbers.parse(stored, None if stored.startswith("+") else "CN")
    except phonenumbers.NumberParseException:
        return out
    national = re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return out | {national, str(number.national_number), f"{number.country_code}{number.national_number}"}


def code_terms(code: str | None) -> set[str]:
    """A serial, plate or order number: its letters and digits, lower case, whole and, when a Latin letter or a
    digit follows a leading Chinese region character, without it (粤b12345 and b12345; a name typed in the
    box, 靳桂英, keeps its surname: 桂英 alone would find every 桂英)."""
    text = "".join(WORD.findall(normal(code or "")))[:TERM_MAX]
    if not text:
        return set()
    return {text} | ({text[1:]} if CJK.match(text[0]) and PLATE_REST.match(text[1:]) else set())


def terms_of(s: Session, customer_ids: list[int]) -> dict[int, set[str]]:
    """Each customer's terms, read from the customer, their contacts and their products."""
    out: dict[int, set[str]] = {cid: set() for cid in customer_ids}
    for cid, term in term_rows(s.execute, lambda column: column.in_(customer_ids)):
        out[cid].add(term)
    return out


def term_rows(execute, within) -> Iterator[tuple[int, str]]:
    """(customer id, term) of the customers whose id column satisfies `within(column)`, from the customer,
    their contacts and their products; `execute` is a Session's or a Connection's (repeats possible)."""
    for cid, name, phone in execute(select(Customer.id, Customer.name, Customer.phone).where(within(Customer.id))):
        yield from ((cid, t) for t in name_terms(name) | phone_terms(phone))
    for cid, name, phone in execute(select(Contact.customer_id, Contact.name, Contact.phone)
                                    .where(within(Contact.customer_id))):
        yield from ((cid, t) for t in name_terms(name) | phone_terms(phone))
    for cid, serial, order_no in execute(select(Product.customer_id, Product.serial_no, Product.order_no)
                                         .where(within(Product.customer_id))):
        yield from ((cid, t) for t in code_terms(serial) | code_terms(order_no))


CHUNK = 500


def reindex(s: Session, customer_ids: Iterable[int]) -> None:
    """Rewrite the terms of these customers from what the session holds now (call it after the write, in the
    same transaction, so the index never disagrees with the records)."""
    ids = sorted(set(customer_ids))
    s.flush()
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at:at + CHUNK]
        s.execute(delete(CustomerSearchTerm).where(CustomerSearchTerm.customer_id.in_(chunk)))
        rows = [{"term": term, "customer_id": cid} for cid, terms in terms_of(s, chunk).items() for term in terms]
        if rows:
            s.execute(insert(CustomerSearchTerm), rows)


def next_prefix(prefix: str) -> str:
    """The least string greater than every string that starts with `prefix` (bytewise order, as the term
    column compares: C collation on PostgreSQL, BINARY on SQLite)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def starting_with(prefix: str):
    """Terms that start with `prefix`: a range on the primary key."""
    term = CustomerSearchTerm.term
    return (term >= prefix) & (term < next_prefix(prefix))


PHONE_LIKE = re.compile(r"^\+?[0-9 ()\-./]{3,}$")
MIN_QUERY = 2  # letters or digits a token needs: one would range over a large share of the index


def long_enough(token: str) -> bool:
    """A token worth a range on the index: MIN_QUERY letters or digits, or one Chinese character (a character
    is as selective as a word; `1` or `z` starts a large share of 300,000 customers' terms)."""
    return len(token) >= MIN_QUERY or bool(CJK.search(token))


def too_short(query: str) -> bool:
    """The query has text but no token long enough (`long_enough`): it finds nothing, and the page asks for
    MIN_QUERY characters (search.too_short) rather than sorting a large share of the archive."""
    text = normal(query)
    return bool(text) and not any(long_enough(t) for t in text.split(" "))


def query_terms(query: str, region: str = "CN") -> list[set[str]]:
    """What a typed query looks for, as alternatives per token (every token must match): a phone-like query
    is one token, its digits as typed and as the number means in the office's region (`+86 138-1234-5678`,
    `0086 138…` and `138 1234 5678` all look for 13812345678); other text is split on blanks, each token
    lower-cased (and letters and digits only, for serials and plates); a token too short (`long_enough`) is
    left out, so `li n` looks for `li` while it is being typed, and `z` alone looks for nothing."""
    text = normal(query)
    if not text:
        return []
    if PHONE_LIKE.match(text):
        digits = re.sub(r"\D", "", text)
        alternatives = {digits, digits[2:]} if text.startswith("00") else {digits}
        stored = canonical(text, region)
        return [{a for a in alternatives | (phone_terms(stored) if stored else set()) if a}]
    tokens = []
    for token in [t for t in text.split(" ") if long_enough(t)][:5]:
        alternatives = {token[:TERM_MAX]} | code_terms(token)
        tokens.append({a for a in alternatives if a and long_enough(a)})  # 粤b: not b alone
    return [t for t in tokens if t]


def matching_ids(query: str, region: str = "CN"):
    """A select of the ids of the customers the query finds (None when it looks for nothing): every token
    must start one of the customer's terms; a whole query may also start a customer code, a work order's or a
    complaint's number (their own unique indexes)."""
    found = term_ids(query, region)
    if found is None:
        return None
    whole = query.strip().upper()[:TERM_MAX]
    upper = next_prefix(whole)
    return union(
        found,
        select(Customer.id).where(Customer.code >= whole, Customer.code < upper),
        select(WorkOrder.customer_id).where(WorkOrder.number >= whole, WorkOrder.number < upper),
        select(Complaint.customer_id).where(Complaint.number >= whole, Complaint.number < upper))


def term_ids(query: str, region: str = "CN"):
    """A select of the ids of the customers whose terms the query's tokens all start (None when it looks for
    nothing): the customer part of another list's search, which matches its own numbers itself."""
    tokens = query_terms(query, region)
    if not tokens:
        return None
    found = [select(CustomerSearchTerm.customer_id).where(or_(*(starting_with(a) for a in sorted(alternatives))))
             for alternatives in tokens]
    if len(found) == 1:
        return found[0]
    every = intersect(*found).subquery()  # a compound inside a compound: SQLite wants it as a subquery
    return select(every.c.customer_id)


def exact_first(query: str, region: str = DEFAULT_REGION):
    """An order key putting first the customers the query names exactly (their whole name, any case; their
    phone in any spelling; their code), the rest after: computed on the matched rows only."""
    if search_term(query, len(query)) is None:  # a control character or a lone surrogate: nothing matched
        return literal(1)
    text, stored = normal(query), canonical(query, region)
    phones = set(spellings(query)) | ({stored} if stored else set())
    exact = [func.lower(Customer.name) == text, Customer.code == query.strip().upper()[:TERM_MAX]]
    exact += [Customer.phone.in_(sorted(phones))] if phones else []
    return case((or_(*exact), 0), else_=1)


def phone_region(engine: Engine) -> str:
    """The region a phone typed without its country code belongs to (setting office.phone_region)."""
    return str(load_office(engine).get("office.phone_region") or DEFAULT_REGION)


def search_region(engine: Engine, text: str) -> str:
    """The region a list's search `text` reads phones in: the office's when there is a search (read once per
    list), else the default (nothing is searched, so no read)."""
    return phone_region(engine) if text.strip() else DEFAULT_REGION
