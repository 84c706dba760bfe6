"""One row of an import checked on its own (C-1), pure: every mapped cell made the value the archive stores,
each problem with the row (as Excel numbers it), the column (its header in the file) and the reason. The
customer's own fields pass the archive's correction rules (core.customers.rules.clean_customer_changes: the
input policy, the columns' lengths, the birthday between 1900 and today); phones are made canonical in the
office's region; a product is taken only whole (model, order number, purchase date)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from core import inputs
from core.customers.rules import clean_customer_changes
from core.errors import Invalid
from core.imports import rules
from core.imports.fields import FIELDS, PRODUCT_REQUIRED
from core.imports.read import text_of
from db.models import Contact, Customer, Product

CUSTOMER_RULED = ("name", "email", "address", "city", "birthday", "notes")  # the correction's own checks
COLUMNS = {"code": (Customer.code, inputs.Kind.NAME), "contact_name": (Contact.name, inputs.Kind.NAME),
           "model": (Product.model, inputs.Kind.LINE), "spec": (Product.spec, inputs.Kind.LINE),
           "serial_no": (Product.serial_no, inputs.Kind.NAME), "order_no": (Product.order_no, inputs.Kind.NAME),
           "place": (Product.place, inputs.Kind.LINE)}
LATEST_AHEAD = {"delivery_date": timedelta(days=366)}  # a planned delivery may lie ahead (rules.MAX_DAYS_AHEAD)


@dataclass(frozen=True)
class Problem:
    """Why a row (or a cell of it) cannot be taken: `column` is the header as in the file (None for the row
    as a whole), `key` the catalog key of the reason, `params` its placeholders."""

    row: int
    column: str | None
    key: str
    params: dict = field(default_factory=dict)


@dataclass
class Cleaned:
    row: int
    values: dict  # field -> the value to store (customer, contact and product fields)
    problems: list[Problem]
    two_digit_years: set[int] = field(default_factory=set)  # columns where a year had two digits
    serials: set[int] = field(default_factory=set)  # columns where a number was read as an Excel date

    @property
    def product(self) -> dict | None:
        found = {f: self.values[f] for f in FIELDS if FIELDS[f].product and self.values.get(f) is not None}
        return found or None


def header(headers: list[str], index: int) -> str:
    return headers[index] if index < len(headers) and headers[index] else f"#{index + 1}"


def clean_row(row: int, values: list, headers: list[str], mapping: dict[int, str], orders: dict[int, str],
              region: str, today: date) -> Cleaned:
    """The row's values by field and its problems (none: the row can be taken)."""
    out = Cleaned(row, {}, [])
    ruled, columns = {}, {}
    for index, name in sorted(mapping.items()):
        value = rules.unmarked(values[index] if index < len(values) else None)
        if rules.is_formula(value):
            out.problems.append(Problem(row, header(headers, index), "import.formula"))
            continue
        try:
            if name in CUSTOMER_RULED:
                ruled[name], columns[name] = _pre_ruled(out, index, name, value, orders, today), index
            else:
                out.values[name] = _cell(out, index, name, value, orders, region, today)
        except Invalid as err:
            out.problems.append(Problem(row, header(headers, index), err.key, _params(err)))
    _rule_customer(out, ruled, columns, headers, today)
    _require(out, mapping, headers)
    return out


def _params(err: Invalid) -> dict:
    return {k: v for k, v in err.params.items() if k != "field"}


def _pre_ruled(out: Cleaned, index: int, name: str, value, orders: dict[int, str], today: date):
    if name == "birthday":
        return _date(out, index, value, orders, today) if text_of(value) else None
    return value if isinstance(value, str) or value is None else text_of(value)


def _rule_customer(out: Cleaned, ruled: dict, columns: dict, headers: list[str], today: date) -> None:
    try:
        out.values |= clean_customer_changes({k: v for k, v in ruled.items() if k != "name" or v}, today)
    except Invalid as err:
        for name, error in err.errors.items():
            out.problems.append(Problem(out.row, header(headers, columns[name]), error.key, _params(error)))
            ruled.pop(name, None)
        out.values |= {k: v for k, v in ruled.items() if k not in err.errors}


def _cell(out: Cleaned, index: int, name: str, value, orders: dict[int, str], region: str, today: date):
    kind = FIELDS[name].kind
    if kind == "phone":
        return rules.phone(value, region)
    if kind == "date":
        return _date(out, index, value, orders, today + LATEST_AHEAD.get(name, timedelta())) \
            if text_of(value) else None
    if kind == "grade":
        return rules.grade(value)
    if kind == "channel":
        return rules.channel(value)
    if kind == "flag":
        return rules.flag(value)
    if kind == "number":
        return rules.number(value)
    if kind == "specialist":  # a name; the archive's specialist it names is found with the chunk (plan)
        return text_of(value) or None
    column, text_kind = COLUMNS[name]
    return inputs.text(text_of(value) if value is not None else None, name, inputs.limit_of(column), text_kind)


def _date(out: Cleaned, index: int, value, orders: dict[int, str], latest: date) -> date:
    found, two_digits = rules.parse_date(value, orders.get(index), latest)
    if two_digits:
        out.two_digit_years.add(index)
    if isinstance(value, (int, float)) or (isinstance(value, str) and rules.SERIAL.match(value.strip())):
        out.serials.add(index)
    if found > latest:
        raise Invalid("import.future_date")
    return found


def _require(out: Cleaned, mapping: dict[int, str], headers: list[str]) -> None:
    where = {name: index for index, name in mapping.items()}
    refused = {p.column for p in out.problems}
    for name in ("name", "phone"):
        if out.values.get(name) is None and header(headers, where[name]) not in refused:
            out.problems.append(Problem(out.row, header(headers, where[name]), "import.required"))
    if out.product:
        for name in PRODUCT_REQUIRED:
            if out.values.get(name) is None and (name not in where or header(headers, where[name]) not in refused):
                column = header(headers, where[name]) if name in where else None
                out.problems.append(Problem(out.row, column, "import.product_incomplete",
                                            {"field": name}))
        bought, delivered = out.values.get("purchase_date"), out.values.get("delivery_date")
        if bought and delivered and delivered < bought:
            out.problems.append(Problem(out.row, header(headers, where["delivery_date"]),
                                        "import.delivery_before_purchase"))
