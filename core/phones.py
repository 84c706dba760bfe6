"""Phone numbers as staff type them and as the archive stores them. The archive keeps numbers the way they
were written (`13812345678`, `(201) 555-0143`, `+86 138 1234 5678`), so a typed number is matched by the
few spellings of the same digits, exactly, through the indexed phone columns: never a LIKE '%…%' scan."""

from __future__ import annotations

import re

import phonenumbers

from core.errors import Invalid

DEFAULT_REGION = "CN"  # the setting office.phone_region's default
PHONE_MAX = 32  # the phone columns (customers, contacts, leads, incoming_calls)
ALLOWED = re.compile(r"^\+?[0-9 ()\-]+$")
MIN_DIGITS, MAX_DIGITS = 5, 20
COUNTRY_OF_LENGTH = {11: "86", 10: "1"}  # mainland mobiles; North America (the English demo's numbers)
GROUPS = {11: (3, 4, 4), 10: (3, 3, 4), 8: (4, 4), 7: (3, 4)}


def clean_phone(typed: str | None) -> str:
    """The number as typed, trimmed, inner runs of blanks made one space."""
    return " ".join((typed or "").split())


def plausible(phone: str) -> bool:
    """Digits, spaces, dashes, parentheses and a leading +; 5 to 20 digits; fits the column."""
    return (len(phone) <= PHONE_MAX and bool(ALLOWED.match(phone))
            and MIN_DIGITS <= len(digits(phone)) <= MAX_DIGITS)


def typed_phone(typed: object, missing: str, bad: str, field: str = "phone") -> str:
    """A phone number a form requires, cleaned; Invalid(`missing`) when blank, Invalid(`bad`) when implausible
    (anything but text is implausible)."""
    phone = clean_phone(typed) if isinstance(typed, str) else "?"
    if not phone:
        raise Invalid(missing, field=field)
    if not plausible(phone):
        raise Invalid(bad, field=field)
    return phone


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _grouped(number: str) -> set[str]:
    """`13812345678` → `138 1234 5678`, `138-1234-5678`; `2015550143` → `(201) 555-0143` and the like."""
    parts, at = [], 0
    for size in GROUPS.get(len(number), ()):
        parts.append(number[at:at + size])
        at += size
    if not parts:
        return set()
    out = {" ".join(parts), "-".join(parts)}
    return out | ({f"({parts[0]}) {parts[1]}-{parts[2]}"} if len(number) == 10 else set())


def _dialled_with(phone: str, number: str, cc: str) -> bool:
    """Whether the number carries country code `cc`: typed with +cc, or 86 before a full mobile number
    (a Chinese mobile itself starts with 1, so a bare leading 1 is not taken for North America's code)."""
    rest = len(number) - len(cc)
    return (number.startswith(cc) and COUNTRY_OF_LENGTH.get(rest) == cc
            and (phone.startswith(f"+{cc}") or cc == "86"))


def spellings(typed: str, region: str | None = None) -> list[str]:
    """Every spelling of the typed number matched exactly against stored numbers: as typed, its bare
    digits, and the usual groupings, with and without the country code, and the archive's canonical form
    (E.164 in `region`, the office's; C-1); empty if it is not plausible."""
    phone = clean_phone(typed)
    if not plausible(phone):
        return []
    number = digits(phone)
    national = {number[len(cc):] for cc in set(COUNTRY_OF_LENGTH.values()) if _dialled_with(phone, number, cc)}
    nationals = national if national and phone.startswith("+") else {number} | national
    out = {phone} | ({stored} if (stored := canonical(phone, region or DEFAULT_REGION)) else set())
    for national in nationals:
        local = {national} | _grouped(national)
        cc = COUNTRY_OF_LENGTH.get(len(national))
        out |= local | ({f"+{cc}{sep}{n}" for sep in ("", " ") for n in local} if cc else set())
    return sorted(s for s in out if len(s) <= PHONE_MAX)


# The archive's canonical form (C-1): customers' and contacts' phones are stored as E.164 (`+8613812345678`),
# parsed by Google's libphonenumber (`phonenumbers`) in the office's region (setting `office.phone_region`), so
# every spelling of a number is one stored value; screens show it grouped the way the region writes it.
def parsed(typed: str, region: str = DEFAULT_REGION):
    """The number `typed` means in `region` (a leading + or 00 names another country), or None when it is no
    valid number there: a mainland mobile, a landline with its area code, a 400/800 number."""
    text = clean_phone(typed)
    if not text or len(text) > PHONE_MAX + 8 or not plausible_digits(text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def plausible_digits(text: str) -> bool:
    """Only what people put in a number: digits, blanks, + ( ) - . and /."""
    return bool(re.fullmatch(r"\+?[0-9 ()\-./]+", text)) and MIN_DIGITS <= len(digits(text)) <= MAX_DIGITS


def canonical(typed: str, region: str = DEFAULT_REGION) -> str | None:
    """The stored form of a valid number: E.164 (`13812345678` → `+8613812345678`, `010-1234 5678` →
    `+861012345678`, `400 123 4567` → `+864001234567`); None when it is not a valid number."""
    number = parsed(typed, region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None


def grouped(stored: str | None, region: str = DEFAULT_REGION) -> str:
    """A stored number as people read it: grouped the region's way (`138 1234 5678`, `010 1234 5678`) for a
    number of the office's region, in international form (`+1 415-872-3301`) for another; anything that is
    not a canonical number (an older spelling) is shown as stored."""
    if not stored or not stored.startswith("+"):
        return stored or ""
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    same = phonenumbers.region_code_for_number(number) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if same else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def readable(phone: str | None, region: str = DEFAULT_REGION) -> str:
    """Any phone column for reading, one look everywhere: a stored canonical number `grouped`; one kept as typed
    (a work order's contact phone, an older spelling) grouped the same way when it reads as a number of
    `region`, else shown as typed."""
    if not phone or phone.startswith("+"):
        return grouped(phone, region)
    number = canonical(phone, region)
    return grouped(number, region) if number else phone
