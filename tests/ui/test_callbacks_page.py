import pytest
from sqlalchemy import func, select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import CallbackStatus
from db.models import CallAttempt, Callback
from tests.factories import reader
from tests.helpers import open_by_url


def _query(demo_url, stmt):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        value = s.execute(stmt).first()
    engine.dispose()
    return value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_callbacks_page_lists_the_demo_queue_in_each_language(open_page, lang):
    at = open_page("pages/callbacks.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.callbacks", lang)
    df = at.dataframe[0].value
    assert len(df) == 25
    assert t("cb.due_end", lang) in df.columns and t("cb.overdue", lang) in df.columns
    assert any(c.value.startswith(t("list.count", lang).split("{total}")[0]) for c in at.caption)


def test_a_specialists_queue_opens_on_their_open_work_with_its_counts_at_the_top(open_page, demo_url, now):
    """The queue: open and in-progress work by default, and the overdue / due today / upcoming counts."""
    from core.callbacks.queries import OPEN_STATUSES, CallbackFilter, queue_counts
    from db.enums import Role

    at = open_page("pages/callbacks.py", "zh", Role.SPECIALIST)
    assert at.multiselect(key="status").value == list(OPEN_STATUSES)
    statuses = set(at.dataframe[0].value[t("cb.status", "zh")])
    assert statuses <= {t(f"enum.CallbackStatus.{s.value}", "zh") for s in OPEN_STATUSES}
    shown = [at.button(key=f"tile_{b}").label for b in ("overdue", "today", "later")]
    engine = make_engine(demo_url)
    me = at.selectbox(key="who").value
    counts = queue_counts(engine, reader(), CallbackFilter(OPEN_STATUSES, assignee_id=me), "Asia/Shanghai", now)
    engine.dispose()
    assert shown == [t(f"cb.tile_{k}", "zh", count=n) for k, n in counts.items()] and counts["overdue"] > 0


def test_overdue_callbacks_lead_the_queue(open_page):
    """CB-3: the default order puts overdue open callbacks first."""
    at = open_page("pages/callbacks.py")
    mark = t("cb.overdue_mark", "en")
    marks = list(at.dataframe[0].value[t("cb.overdue", "en")])
    assert marks[0] == mark
    assert marks == sorted(marks, key=lambda m: m != mark)


def test_filtering_callbacks_by_status_narrows_the_list(open_page, demo_url):
    (done,) = _query(demo_url, select(func.count()).where(Callback.status == CallbackStatus.COMPLETED))
    at = open_page("pages/callbacks.py")
    at.multiselect(key="status").set_value([CallbackStatus.COMPLETED]).run()
    assert not at.exception
    df = at.dataframe[0].value
    assert set(df[t("cb.status", "en")]) == {t("enum.CallbackStatus.completed", "en")}
    assert set(df[t("cb.overdue", "en")]) == {""}
    assert any(c.value.startswith(f"Rows: {done} ·") for c in at.caption)


def test_opening_a_callback_shows_its_customer_card_and_attempts(open_page, demo_url):
    """CB-7: the attempts are listed with what the customer said; the latest finished callback heads
    the completed list."""
    cb_id, attempts = _query(demo_url, select(
        Callback.id, select(func.count()).where(CallAttempt.callback_id == Callback.id).scalar_subquery(),
    ).where(Callback.status == CallbackStatus.COMPLETED).order_by(Callback.completed_at.desc(), Callback.id.desc()))
    at = open_page("pages/callbacks.py")
    at.multiselect(key="status").set_value([CallbackStatus.COMPLETED]).run()
    open_by_url(at, cb_id)
    assert not at.exception
    assert at.subheader[0].value
    headings = [m.value for m in at.markdown]
    assert any(t("cb.customer_card", "en") in h for h in headings)
    assert any(t("cb.attempts", "en") in h for h in headings)
    assert attempts > 0
    assert sum(c.value.startswith(t("cb.attempt.attempted_at", "en")) for c in at.caption) == attempts


def test_a_specialist_is_not_offered_reassignment(open_page):
    from db.enums import Role

    at = open_page("pages/callbacks.py", "en", Role.SPECIALIST)
    assert not any(e.label == t("cb.reassign.title", "en") for e in at.expander)


def test_the_managers_own_queue_holds_the_re_check_sample_shown_with_its_coverage_cb4(open_page, demo_url, now):
    from core.scheduling.daily import run_daily
    from db.enums import Role
    from db.models import User

    engine = make_engine(demo_url)
    run_daily(engine, now, "Asia/Shanghai")
    engine.dispose()
    with session_scope(make_engine(demo_url)) as s:
        manager = s.scalar(select(User.id).where(User.username == "manager"))
    at = open_page("pages/callbacks.py", "en", Role.MANAGER)
    at.selectbox(key="who").set_value(manager).run()
    assert not at.exception
    levels = set(at.dataframe[0].value[t("cb.level", "en")])
    assert levels == {t("enum.CallbackLevel.L2", "en")}  # the manager's own queue: the L2 re-checks
    assert any(m.value.startswith(f"#### {t('sampling.title', 'en')}") for m in at.markdown)
    coverage = at.dataframe[-1].value
    levels = [t(f"enum.CallbackLevel.{lv}", "en") for lv in ("L2", "L2", "L3")]  # delivered, complained; customers
    assert list(coverage[t("sampling.level", "en")]) == levels


def test_a_specialists_queue_opens_on_their_own_calls(open_page, demo_url):
    from db.enums import Role
    from db.models import User

    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        me = s.scalar(select(User.display_name).where(User.username == "specialist1"))
    engine.dispose()
    at = open_page("pages/callbacks.py", "en", Role.SPECIALIST)
    assert set(at.dataframe[0].value[t("cb.assignee", "en")]) == {me}


def test_a_manager_plans_a_questionnaire_campaign_for_vip_customers(open_page, demo_url, now):
    from datetime import timedelta

    from core.clock import office_day
    from db.enums import CallbackKind, CustomerGrade, Role

    at = open_page("pages/callbacks.py", "zh", Role.MANAGER)
    at.text_input(key="cp_name").input("冬季满意度问卷")
    today = office_day(now, "Asia/Shanghai")
    at.date_input(key="cp_window").set_value((today, today + timedelta(days=7)))
    at.multiselect(key="cp_grades").set_value([CustomerGrade.VIP])
    at.button(key=f"FormSubmitter:campaign-{t('campaign.go', 'zh')}").click().run()
    assert not at.exception and not at.error
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        made = s.scalars(select(Callback.customer_id).where(Callback.kind == CallbackKind.QUESTIONNAIRE,
                                                          Callback.purpose == "冬季满意度问卷")).all()
    engine.dispose()
    assert len(made) > 0


def test_a_managers_assignee_filter_starts_on_any(open_page):
    from db.enums import Role

    at = open_page("pages/callbacks.py", "en", Role.MANAGER)
    box = at.selectbox(key="who")
    assert box.value is None
    assert box.proto.HasField("default") and box.proto.default == 0  # "Any" shown, not an empty "Choose…"
    assert not box.proto.set_value
