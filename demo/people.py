"""Staff, customers (C-1..C-3), their contact persons and the products they own, for the demo office.

Later generators need a few facts per customer and product (phone, specialist, validity,
delivery day...); `People` keeps them in compact arrays indexed by id, so nothing is read back.
"""

from __future__ import annotations

from array import array
from datetime import date
from random import Random
from typing import TYPE_CHECKING

from db.enums import ArchiveValidity, CustomerGrade, Role, SourceChannel

if TYPE_CHECKING:
    from demo.build import Demo

ADMIN, MANAGER, DIRECTOR, FINANCE = 1, 2, 3, 4
SPECIALISTS = (5, 6, 7, 8)
ENGINEERS = (9, 10, 11)
QUALITY = ENGINEERS[2]  # CP-2: engineer3 acts for the quality department (users.quality): verifies complaints
STAFF = (
    ("admin", Role.ADMIN), ("manager", Role.MANAGER), ("director", Role.DIRECTOR), ("finance", Role.FINANCE),
    ("specialist1", Role.SPECIALIST), ("specialist2", Role.SPECIALIST), ("specialist3", Role.SPECIALIST),
    ("specialist4", Role.SPECIALIST), ("engineer1", Role.ENGINEER), ("engineer2", Role.ENGINEER),
    ("engineer3", Role.ENGINEER),
)
SPECIALIST_QUALITY = {5: 0.95, 6: 0.86, 7: 0.91, 8: 0.78, MANAGER: 0.97, DIRECTOR: 0.97}  # CB-9 yes-rate
VALID, UNREACHABLE, INVALID = 0, 1, 2
VALIDITY = (ArchiveValidity.VALID.value, ArchiveValidity.UNREACHABLE.value, ArchiveValidity.INVALID.value)
NORMAL, KEY, VIP = 0, 1, 2
GRADES = (CustomerGrade.NORMAL.value, CustomerGrade.KEY.value, CustomerGrade.VIP.value)
SOURCES = tuple(s.value for s in SourceChannel)
SOURCE_WEIGHTS = (30, 20, 15, 15, 10, 10)
RECENT = 10  # C-5: the demo leaves some of these days' deliveries incomplete (see _left_incomplete)
SHARE_LEFT_INCOMPLETE = 0.08  # ~9 of ~110 at the default scale: a few on each specialist's list (3% left two)

USER_COLUMNS = ("id", "username", "display_name", "role", "password_hash", "active", "phone", "email",
                "failed_logins", "locked_until", "created_at", "version", "quality")
CUSTOMER_COLUMNS = ("id", "code", "name", "is_company", "phone", "email", "address", "city", "birthday",
                    "source_channel", "grade", "validity", "specialist_id", "notes", "created_at", "updated_at",
                    "version")
CONTACT_COLUMNS = ("id", "customer_id", "name", "title", "phone", "email", "is_primary")
PRODUCT_COLUMNS = ("id", "customer_id", "order_no", "model", "spec", "serial_no", "purchase_date",
                   "effective_date", "delivery_date", "place", "usage", "price_cents", "created_at")


def user_of(role: Role) -> int:
    """The id of the first staff member with `role` (core gives a sample's re-checks to the lowest id)."""
    return next(user_id for user_id, (_, r) in enumerate(STAFF, start=1) if r == role)


class People:
    """Per-customer and per-product facts in arrays indexed by id (index 0 unused)."""

    def __init__(self) -> None:
        self.name, self.phone, self.address = [""], [""], [""]
        self.specialist, self.validity, self.grade = bytearray(1), bytearray(1), bytearray(1)
        self.company = bytearray(1)
        self.birthday, self.first_product = array("i", [0]), array("i", [0])
        self.product_customer, self.product_delivery = array("i", [0]), array("i", [0])
        self.product_effective = array("i", [0])
        self.product_purchase, self.product_label = array("i", [0]), [""]
        self.labels: dict[str, str] = {}  # one string per model and spec, shared by the products

    def add_customer(self, name: str, phone: str, address: str, specialist: int, validity: int, grade: int,
                     company: bool, birthday: int | None) -> None:
        for column, value in ((self.name, name), (self.phone, phone), (self.address, address),
                              (self.specialist, specialist), (self.validity, validity), (self.grade, grade),
                              (self.company, company), (self.birthday, birthday or 0),
                              (self.first_product, len(self.product_customer))):
            column.append(value)

    def add_product(self, customer: int, purchase: int, effective: int | None, delivery: int | None,
                    label: str) -> None:
        self.product_customer.append(customer)
        self.product_purchase.append(purchase)
        self.product_effective.append(effective or 0)
        self.product_delivery.append(delivery or 0)
        self.product_label.append(self.labels.setdefault(label, label))

    def order_no(self, pid: int) -> str:
        return order_number(self.product_purchase[pid], pid)

    @property
    def customers(self) -> int:
        return len(self.name) - 1

    def delivered_product(self, rng: Random, by_day: int) -> int:
        """A product delivered on or before `by_day` (a few tries, then any delivered product)."""
        n = len(self.product_customer) - 1
        fallback = 0
        for _ in range(8):
            pid = 1 + int(rng.random() * n)
            delivered = self.product_delivery[pid]
            if delivered and delivered <= by_day:
                return pid
            fallback = pid if delivered else fallback
        return fallback or 1 + int(rng.random() * n)


def write_staff(demo: Demo) -> None:
    """One user per role at least, with fixed usernames, one engineer acting for quality (CP-2); passwords are
    set later (password_hash NULL)."""
    demo.out.declare("users", USER_COLUMNS)
    names, domain = demo.pools.text["staff"], demo.pools.text["staff_email_domain"]
    rng, created = demo.rng("staff"), demo.clock.day_start(demo.clock.start - 30)
    for user_id, (username, role) in enumerate(STAFF, start=1):
        demo.out.add("users", (user_id, username, names[username], role.value, None, True,
                               demo.pools.phone(rng), f"{username}@{domain}", 0, None, created, 1,
                               user_id == QUALITY))


def write_customers(demo: Demo, on_product) -> None:
    """Customers with contacts and products, remembered in `demo.people`; `on_product(rng, product_id)`
    derives the product's callbacks (CB-2) once the product is known."""
    for name, columns in (("customers", CUSTOMER_COLUMNS), ("contacts", CONTACT_COLUMNS),
                          ("products", PRODUCT_COLUMNS)):
        demo.out.declare(name, columns)
    rng = demo.rng("customers")
    for cid in range(1, demo.scale.customers + 1):
        days = _purchase_days(rng, demo.clock)
        city = _customer(demo, rng, cid, days)
        for day in days:
            on_product(rng, _product(demo, rng, cid, day, city))


def _purchase_days(rng: Random, clock) -> list[int]:
    """Old customers bought before the history started, new ones within it; fleets buy several."""
    first = clock.today - rng.randrange(183, 1100) if rng.random() < 0.55 else clock.start - 20 + rng.randrange(203)
    first = min(first, clock.today)
    r = rng.random()
    n = 1 if r < 0.7 else 2 if r < 0.92 else 3
    return sorted([first] + [rng.randint(first, clock.today) for _ in range(n - 1)])


def _customer(demo: Demo, rng: Random, cid: int, days: list[int]) -> str:
    """C-1 identity, C-2 grade (more purchases ⇒ likelier key or VIP), C-3 validity, own specialist;
    returns the customer's city."""
    pools, clock, people = demo.pools, demo.clock, demo.people
    company = rng.random() < 0.12
    name = pools.company(rng) if company else pools.person(rng)
    phone, (address, city) = pools.phone(rng), pools.address(rng)
    birthday = None if company or rng.random() < 0.1 else clock.today - rng.randrange(22 * 365, 70 * 365)
    r = rng.random() / (1 + 0.8 * (len(days) - 1))
    grade = VIP if r < 0.05 else KEY if r < 0.2 else NORMAL
    r = rng.random()
    validity = VALID if r < 0.9 else UNREACHABLE if r < 0.96 else INVALID
    specialist = SPECIALISTS[int(rng.random() * len(SPECIALISTS))]
    created = clock.office(rng, days[0])
    updated = min(clock.now, max(created, clock.office(rng, max(days[-1], rng.randint(clock.start, clock.today)))))
    notes = pools.text["customer_notes"][int(rng.random() * 6)] if rng.random() < 0.1 else None
    demo.out.add("customers", (
        cid, f"C{cid:07d}", name, company, pools.stored_phone(phone),
        pools.email(rng) if company or rng.random() < 0.6 else None,
        address, city, birthday, rng.choices(SOURCES, SOURCE_WEIGHTS)[0], GRADES[grade], VALIDITY[validity],
        specialist, notes, created, updated, 1,
    ))
    people.add_customer(name, phone, address, specialist, validity, grade, company, birthday)
    if company:
        _contacts(demo, rng, cid)
    return city


def _contacts(demo: Demo, rng: Random, cid: int) -> None:
    """C-1: a company has one or two contact persons, the first primary."""
    titles = demo.pools.text["contact_titles"]
    for i in range(1 + (rng.random() < 0.45)):
        demo.out.add("contacts", (demo.out.next_id("contacts"), cid, demo.pools.person(rng),
                                  titles[int(rng.random() * len(titles))],
                                  demo.pools.stored_phone(demo.pools.phone(rng)),
                                  demo.pools.email(rng) if rng.random() < 0.7 else None, i == 0))


def _product(demo: Demo, rng: Random, cid: int, purchase: int, city: str) -> int:
    """C-1: purchase ≤ effective ≤ delivery; dates still ahead of today are not known yet (NULL)."""
    clock, pools, people = demo.clock, demo.pools, demo.people
    pid = demo.out.next_id("products")
    model, specs, low, high = pools.text["models"][int(rng.random() * len(pools.text["models"]))]
    spec = specs[int(rng.random() * len(specs))]
    effective = purchase + rng.randrange(4)
    effective = effective if effective <= clock.today else None
    delivery = effective + rng.randrange(2, 21) if effective else None
    delivery = delivery if delivery and delivery <= clock.today else None
    usage = (clock.today - delivery) * rng.randrange(15, 90) if delivery else None
    price = rng.randrange(low, high + 1, 100) * 100
    order_no = order_number(purchase, pid)
    store = pools.text["places"][pid % len(pools.text["places"])]
    place = f"{city}{store}" if pools.locale == "zh" else f"{city} {store}"
    serial = pools.plate(rng)
    serial = None if _left_incomplete(demo, pid, delivery) else serial
    demo.out.add("products", (pid, cid, order_no, model, spec, serial, purchase, effective, delivery,
                              place, usage, price, clock.office(rng, purchase)))
    people.add_product(cid, purchase, effective, delivery, f"{model} {spec}")
    return pid


def _left_incomplete(demo: Demo, pid: int, delivery: int | None) -> bool:
    """C-5's to-do list is not empty in the demo: a share (SHARE_LEFT_INCOMPLETE) of the last RECENT days'
    deliveries still lack their serial number (so the backfill leaves their records unmarked, due or overdue).
    Drawn from the product's own stream, so the office's other rows stay as they were."""
    recent = bool(delivery) and demo.clock.today - delivery < RECENT
    return recent and Random(f"{demo.seed}:serial:{pid}").random() < SHARE_LEFT_INCOMPLETE


def order_number(purchase: int, pid: int) -> str:
    """C-1 order numbers: the purchase month and the product id, so they are unique."""
    d = date.fromordinal(purchase)
    return f"SO{d.year}{d.month:02d}{pid:07d}"

