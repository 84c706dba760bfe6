"""The Settings page: every setting grouped by subject and explained in the user's language, the database, the demo
flag; the admin's form shows every refused value beside its field."""

import pandas as pd
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
from tests.ui.marks import error_under
from ui.settings_form import GROUPS


def _frames(at) -> pd.DataFrame:
    return pd.concat([d.value for d in at.dataframe], ignore_index=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_settings_page_groups_every_setting_by_subject_in_plain_words_in_each_language(open_page, lang):
    """Issue 10: subjects in the user's language, each setting named in words (never its key), its meaning."""
    at = open_page("pages/settings.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.settings", lang)
    assert [h.value for h in at.subheader] == [t(f"settings.group.{g}", lang) for g in GROUPS]
    df = _frames(at)
    keys = [k for keys in GROUPS.values() for k in keys]
    assert sorted(keys) == sorted(DEFAULTS)  # every setting, once
    assert list(df[t("settings.col.key", lang)]) == [t(f"settings.label.{k}", lang) for k in keys]
    assert list(df[t("settings.col.about", lang)]) == [t(f"settings.about.{k}", lang) for k in keys]
    assert t("settings.col.rule", lang) not in df  # issue 10: rule ids are for developers, not on screen
    shown = " ".join(df.astype(str).to_numpy().ravel()) + " ".join(m.value for m in [*at.markdown, *at.caption])
    assert not any(raw in shown for raw in (*DEFAULTS, "least_load", "round_robin"))


def test_settings_page_shows_the_backend_and_the_demo_flag_but_no_credentials(open_page, demo_url):
    at = open_page("pages/settings.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("settings.database", "en")] == "SQLite"
    assert metrics[t("settings.is_demo", "en")] == t("common.no", "en")  # DATABASE_URL names this office
    assert all(demo_url not in str(e.value) for e in [*at.caption, *at.metric])


def test_word_values_are_translated(open_page):
    at = open_page("pages/settings.py", "zh")
    df = _frames(at)
    assert t("settings.value.least_load", "zh") in set(df[t("settings.col.value", "zh")])
    grades = dict(zip(df[t("settings.col.key", "zh")], df[t("settings.col.value", "zh")], strict=True))
    assert grades[t("settings.label.callback.care_grades", "zh")] == ", ".join(  # C-2: the grades named, not coded
        enum_label(g, "zh") for g in (CustomerGrade.VIP, CustomerGrade.KEY))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_admin_edits_the_settings_grouped_with_translated_labels_and_choices(open_page, lang):
    """Issue 10: the admin's form has the same subjects, each field named in words, select boxes offering
    translated options (never `least_load` or `week`), and the meaning and default as help."""
    at = open_page("pages/settings.py", lang, Role.ADMIN)
    assert not at.exception
    assert [h.value for h in at.subheader][:len(GROUPS)] == [t(f"settings.group.{g}", lang) for g in GROUPS]
    assignment = at.selectbox(key="set_callback.assignment")
    assert assignment.label == t("settings.label.callback.assignment", lang)
    assert assignment.options == [t(f"settings.value.{v}", lang) for v in ("least_load", "round_robin")]
    assert at.selectbox(key="set_recheck.period").options == [t(f"settings.value.{v}", lang) for v in ("week", "month")]
    period = at.selectbox(key="set_recheck.period")
    assert t("settings.about.recheck.period", lang) in as_read(period.help)
    labels = [w.label for w in [*at.number_input, *at.text_input, *at.text_area, *at.selectbox, *at.multiselect]]
    assert sorted(labels) == sorted(t(f"settings.label.{k}", lang) for k in DEFAULTS)


def test_every_refused_setting_is_shown_beside_its_field_at_once_and_nothing_is_saved(open_page, demo_url):
    """Issue 10: three bad values, three messages, each under its own field, in the admin's language; the
    typed values stay and no setting changes."""
    engine = make_engine(demo_url)
    keys = ("callback.holidays", "recheck.l2_rate_pct", "office.timezone", "callback.assignment")
    with restoring_settings(engine, *keys):
        at = open_page("pages/settings.py", "zh", Role.ADMIN)
        at.text_area(key="set_callback.holidays").input("01-01, 02-30")
        at.number_input(key="set_recheck.l2_rate_pct").set_value(5)
        at.text_input(key="set_office.timezone").input("Mars/Olympus")
        at.selectbox(key="set_callback.assignment").set_value("round_robin")  # a good change, not saved either
        at.button(key=f"FormSubmitter:settings_edit-{t('settings_form.save', 'zh')}").click().run()
        assert not at.exception
        name = {k: t(f"settings.label.{k}", "zh") for k in keys}
        assert error_under(at, "set_callback.holidays") == t(
            "setting_edit.bad_holidays", "zh", setting=name["callback.holidays"], entry="02-30")
        assert error_under(at, "set_recheck.l2_rate_pct") == t(
            "setting_edit.out_of_range", "zh", setting=name["recheck.l2_rate_pct"], low=10, high=100)
        assert error_under(at, "set_office.timezone") == t(
            "setting_edit.bad_timezone", "zh", setting=name["office.timezone"])
        assert error_under(at, "set_callback.assignment") is None
        assert as_read(at.error[-1].value) == t("form.marked", "zh", count=3)
        assert [load_office(engine).get(k) for k in keys] == [DEFAULTS[k] for k in keys]
        assert at.text_input(key="set_office.timezone").value == "Mars/Olympus"
        assert at.number_input(key="set_recheck.l2_rate_pct").value == 5
    engine.dispose()


def test_an_admin_sets_the_holidays_and_care_grades_and_a_bad_holiday_is_refused_cb_2_c_2(open_page, demo_url):
    """CB-2 / C-2: the holidays greeted and the grades that get care calls are edited in Settings; an entry
    that is not a date is named in the admin's language and nothing is saved."""
    engine = make_engine(demo_url)
    keys = ("callback.holidays", "callback.care_grades")
    with restoring_settings(engine, *keys):
        at = open_page("pages/settings.py", "zh", Role.ADMIN)
        at.text_area(key="set_callback.holidays").input("01-01, 02-30")
        at.button(key=f"FormSubmitter:settings_edit-{t('settings_form.save', 'zh')}").click().run()
        refused = t("setting_edit.bad_holidays", "zh", setting=t("settings.label.callback.holidays", "zh"),
                    entry="02-30")
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
    assert t("settings_window.pending", "zh", setting=t(f"settings.label.{setting}", "zh"), days=1,
             moving=expected.moving, overdue=expected.fall_overdue) in [as_read(w.value) for w in at.warning]
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
