"""Names, companies and addresses for the demo office, drawn once from a seeded Faker into pools.

Faker is far too slow to call per row at a few million rows, so it fills pools of a few
thousand entries and the generators sample them with their own seeded `random.Random`.
Phones, e-mail addresses and plate numbers are composed directly (cheap and varied enough).
"""

from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass
from functools import cache
from random import Random

from faker import Faker

from core.phones import canonical
from demo import text_en as demo_text_en
from demo import text_zh as demo_text_zh

FAKER_LOCALES = {"zh": "zh_CN", "en": "en_US"}
ZH_MOBILE = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
             "158", "159", "177", "180", "186", "187", "188", "189")
US_AREAS = (201, 212, 213, 305, 312, 415, 503, 617, 702, 713, 808, 917)  # area codes in use: valid numbers
PHONE_REGIONS = {"zh": "CN", "en": "US"}  # where each demo's numbers are written (core.phones reads them there)
ZH_PLATE_REGIONS = "京沪粤苏浙鲁川鄂湘豫闽皖"
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


@dataclass(frozen=True)
class Pools:
    """Sampled text for one locale; `text` holds the office's phrases (demo.text_zh / demo.text_en)."""

    locale: str
    text: dict
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]
    companies: tuple[str, ...]
    regions: tuple[tuple[str, str, tuple[str, ...]], ...]  # (province or state, its city, districts or ZIP prefixes)
    streets: tuple[str, ...]
    user_names: tuple[str, ...]
    email_domains: tuple[str, ...]

    def person(self, rng: Random) -> str:
        given = self.given_names[int(rng.random() * len(self.given_names))]
        family = self.family_names[int(rng.random() * len(self.family_names))]
        return f"{family}{given}" if self.locale == "zh" else f"{given} {family}"

    def company(self, rng: Random) -> str:
        return self.companies[int(rng.random() * len(self.companies))]

    def address(self, rng: Random) -> tuple[str, str]:
        """(address, city): a city of its own province (state), a district of that city (a ZIP code of its
        area), so an address reads as a real one ("广东省深圳市南山区…", "…, Austin, TX 78704")."""
        region, city, parts = self.regions[int(rng.random() * len(self.regions))]
        street = self.streets[int(rng.random() * len(self.streets))]
        n = rng.randrange(1, 400)
        part = parts[int(rng.random() * len(parts))]
        if self.locale == "zh":
            return f"{'' if region == city else region}{city}{part}{street}{n}号", city
        return f"{n} {street}, {city}, {region} {part}{rng.randrange(100):02d}", city

    def phone(self, rng: Random) -> str:
        if self.locale == "zh":
            return f"{ZH_MOBILE[int(rng.random() * len(ZH_MOBILE))]}{rng.randrange(100_000_000):08d}"
        area = US_AREAS[rng.randrange(201, 990) % len(US_AREAS)]  # one draw, as ever: later rows do not shift
        return f"({area}) {rng.randrange(200, 1000)}-{rng.randrange(10_000):04d}"

    def stored_phone(self, typed: str) -> str:
        """C-1: the archive's canonical form of a number this demo wrote (its numbers are all valid)."""
        return canonical(typed, PHONE_REGIONS[self.locale]) or typed

    def email(self, rng: Random) -> str:
        name = self.user_names[int(rng.random() * len(self.user_names))]
        domain = self.email_domains[int(rng.random() * len(self.email_domains))]
        return f"{name}{rng.randrange(100)}@{domain}"

    def plate(self, rng: Random) -> str:
        tail = "".join(rng.choices(PLATE_CHARS, k=5))
        if self.locale == "zh":
            return f"{rng.choice(ZH_PLATE_REGIONS)}{rng.choice(LETTERS)}{tail}"
        return f"{tail[:3]}-{rng.randrange(1000, 10_000)}"


def pick(rng: Random, items):
    """One of `items`, uniformly (cheaper than rng.choice in the hot loops)."""
    return items[int(rng.random() * len(items))]


def weighted(rng: Random, cumulative: list[float]) -> int:
    """The index drawn from cumulative weights (see itertools.accumulate)."""
    return bisect(cumulative, rng.random() * cumulative[-1])


@cache
def make_pools(locale: str, seed: int, size: int = 800) -> Pools:
    """Fill the pools for `locale` ("zh" or "en") from Faker seeded with `seed` (once per process)."""
    if locale not in FAKER_LOCALES:
        raise ValueError(f"unknown locale {locale!r}: use one of {sorted(FAKER_LOCALES)}")
    fake = Faker(FAKER_LOCALES[locale])
    fake.seed_instance(seed)
    zh = locale == "zh"
    return Pools(
        locale=locale,
        text=demo_text_zh.TEXT if zh else demo_text_en.TEXT,
        given_names=_unique(fake.first_name, size),
        family_names=_unique(fake.last_name, size),
        companies=_unique(fake.company, size // 2),
        regions=tuple((demo_text_zh.TEXT if zh else demo_text_en.TEXT)["regions"]),
        streets=_unique(fake.street_name, size),
        user_names=_unique(fake.user_name, size),
        email_domains=_unique(fake.free_email_domain, 50),
    )


def _unique(draw, n: int) -> tuple:
    """Up to n distinct draws, in draw order (deterministic, unlike a set)."""
    return tuple(dict.fromkeys(draw() for _ in range(n)))
