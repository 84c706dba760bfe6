"""Both languages carry every text: same keys, every enum value translated, placeholders alike."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

import db.enums
from core.i18n import catalog, enum_label, lang_from_locale, t

ENUMS = [v for v in vars(db.enums).values() if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum]


def test_english_and_chinese_catalogs_have_the_same_keys():
    assert set(catalog("en")) == set(catalog("zh"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_enum_value_has_a_label(lang):
    missing = [f"{e.__name__}.{m.value}" for e in ENUMS for m in e if enum_label(m, lang).startswith("enum.")]
    assert missing == []


def test_placeholders_match_between_languages():
    fields = lambda s: sorted(re.findall(r"{(\w+)}", s))  # noqa: E731
    en, zh = catalog("en"), catalog("zh")
    assert [k for k in en if fields(en[k]) != fields(zh[k])] == []


def test_chinese_texts_are_really_chinese_for_the_navigation():
    assert t("nav.work_orders", "zh") == "工单"


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("zh-Hans-CN", "zh"), ("zh_TW", "zh"),
                                              ("en-US", "en"), ("de-DE", "en"), (None, "en"), ("", "en")])
def test_the_browser_locale_picks_the_language(locale, lang):
    assert lang_from_locale(locale) == lang


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_callback_kind_has_its_script_line_on_the_call_screen(lang):
    """CB-2 (and WO-11's progress call): the call screen asks each kind's question in the user's language."""
    missing = [kind.value for kind in db.enums.CallbackKind if f"callscreen.ask.{kind.value}" not in catalog(lang)]
    assert missing == []
