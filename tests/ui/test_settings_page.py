"""The Settings page (read-only): every setting explained in the user's language, the database, the demo flag."""

import pytest
from sqlalchemy import func, select, update

from core.accounts.demo import DEMO_ACCOUNTS
from core.accounts.sessions import actor_of
from core.i18n import enum_label, t
from core.office.defaults import DEFAULTS
from core.office.settings import load_office
from core.scheduling import windows
from db.engine import make_engine, session_scope
from db.enums import CallbackKind, CallbackStatus, CustomerGrade, Role
from db.models import Callback, User
from tests.helpers import as_read, restoring_settings, set_setting


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_settings_page_lists_every_setting_with_its_meaning_in_each_language(open_page, lang):
    at = open_page("pages/settings.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.settings", lang)
    df = at.dataframe[0].value
    assert list(df[t("settings.col.key", lang)]) == list(DEFAULTS)
    assert list(df[t("settings.col.about", lang)]) == [t(f"settings.about.{k}", lang) for k in DEFAULTS]
    assert t("settings.col.rule", lang) not in df  # issue 10: rule ids are for developers, not on screen


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
    grades = dict(zip(df[t("settings.col.key", "zh")], df[t("settings.col.value", "zh")], strict=True))
    assert grades["callback.care_grades"] == ", ".join(  # C-2: the grades named, not coded
        enum_label(g, "zh") for g in (CustomerGrade.VIP, CustomerGrade.KEY))


def test_an_admin_sets_the_holidays_and_care_grades_and_a_bad_holiday_is_refused_cb_2_c_2(open_page, demo_url):
    """CB-2 / C-2: the holidays greeted and the grades that get care calls are edited in Settings; an entry
    that is not a date is named in the admin's language and nothing is saved."""
    engine = make_engine(demo_url)
    keys = ("callback.holidays", "callback.care_grades")
    with restoring_settings(engine, *keys):
        at = open_page("pages/settings.py", "zh", Role.ADMIN)
        at.text_area(key="set_callback.holidays").input("01-01, 02-30")
        at.button(key=f"FormSubmitter:settings_edit-{t('settings_form.save', 'zh')}").click().run()
        refused = t("setting_edit.bad_holidays", "zh", setting="callback.holidays", entry="02-30")
        assert as_read(at.error[0].value) == refused
        assert [load_office(engine).get(k) for k in keys] == [DEFAULTS[k] for k in keys]

        at.text_area(key="set_callback.holidays").input("12-25, 2027-02-06")
        at.multiselect(key="set_callback.care_grades").set_value([CustomerGrade.NORMAL])
        at.button(key=f"FormSubmitter:settings_edit-{t('settings_form.save', 'zh')}").click().run()
        assert not at.exception and not at.error
        assert [load_office(engine).get(k) for k in keys] == ["12-25, 2027-02-06", "normal"]
    engine.dispose()


def test_an_admin_applies_a_shortened_window_to_open_callbacks_only_after_the_preview_and_a_tick(
        open_page, demo_url, now):
    """Issue 9 (CB-2): the open after-repair callbacks planned with 3 days stay as they are after the window
    became 1 day, until the admin, shown how many would move and fall overdue, ticks and applies."""
    engine = make_engine(demo_url)
    with engine.begin() as conn:
        conn.execute(update(Callback).where(Callback.kind == CallbackKind.AFTER_REPAIR,
                                            Callback.status == CallbackStatus.OPEN).values(window_days=3))
    set_setting(engine, "callback.after_repair_window_days", 1)
    with session_scope(engine) as s:
        admin = actor_of(s.scalar(select(User).where(User.username == DEMO_ACCOUNTS[Role.ADMIN])))
    [expected] = windows.preview(engine, admin, now)
    assert expected.moving > 0
    at = open_page("pages/settings.py", "zh", Role.ADMIN)
    setting = "callback.after_repair_window_days"
    assert t("settings_window.pending", "zh", setting=setting, days=1, moving=expected.moving,
             overdue=expected.fall_overdue) in [as_read(w.value) for w in at.warning]
    assert at.button(key=f"win_apply_{setting}").disabled
    at.checkbox(key=f"win_sure_{setting}").check().run()
    at.button(key=f"win_apply_{setting}").click().run()
    assert not at.exception
    assert windows.preview(engine, admin, now) == []
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).where(Callback.kind == CallbackKind.AFTER_REPAIR,
                                                   Callback.status == CallbackStatus.OPEN,
                                                   Callback.window_days != 1)) == 0
    engine.dispose()
