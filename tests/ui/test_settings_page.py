"""The Settings page (read-only): every setting explained in the user's language, the database, the demo flag."""

import pytest

from core.i18n import t
from db.office_settings import DEFAULTS


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_settings_page_lists_every_setting_with_its_meaning_in_each_language(open_page, lang):
    at = open_page("pages/settings.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.settings", lang)
    df = at.dataframe[0].value
    assert list(df[t("settings.col.key", lang)]) == list(DEFAULTS)
    assert list(df[t("settings.col.about", lang)]) == [t(f"settings.about.{k}", lang) for k in DEFAULTS]
    assert dict(zip(df[t("settings.col.key", lang)], df[t("settings.col.rule", lang)], strict=True))[
        "work_order.dispatch_target_minutes"] == "WO-3"


def test_settings_page_shows_the_backend_and_the_demo_flag_but_no_credentials(open_page, demo_url):
    at = open_page("pages/settings.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("settings.database", "en")] == "SQLite"
    assert metrics[t("settings.is_demo", "en")] == t("common.no", "en")  # DATABASE_URL names this office
    assert all(demo_url not in str(e.value) for e in [*at.caption, *at.metric])


def test_word_values_are_translated(open_page):
    at = open_page("pages/settings.py", "zh")
    df = at.dataframe[0].value
    assert t("settings.value.least_load", "zh") in set(df[t("settings.col.value", "zh")])
