import pytest
from sqlalchemy import func, select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.models import Callback

TILE_KEYS = ("cb_overdue", "cb_due_today", "cb_completed_today", "cp_open", "cp_overdue", "cp_escalated",
             "wo_new", "wo_in_progress", "wo_pending", "wo_completed_today", "wo_awaiting_acceptance", "lead_due")


def _tiles(at) -> list[tuple[str, int]]:
    return [(m.label, int(m.value)) for m in at.metric]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_my_work_shows_todays_tiles_and_the_week_in_each_language(open_page, lang):
    at = open_page("pages/my_work.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.my_work", lang)
    assert [label for label, _ in _tiles(at)] == [t(f"mywork.{k}", lang) for k in TILE_KEYS]
    assert sum(n for _, n in _tiles(at)) > 0
    headings = [m.value for m in at.markdown]
    assert any(t("mywork.due_list", lang) in h for h in headings)
    week_title = t("mywork.activity", lang).split("{start}")[0]
    assert any(h.startswith(f"#### {week_title}") for h in headings)


def test_viewing_as_one_person_narrows_the_counts(open_page, demo_url):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        busiest = s.scalar(select(Callback.assignee_id).where(Callback.assignee_id.is_not(None))
                           .group_by(Callback.assignee_id).order_by(func.count().desc()).limit(1))
    engine.dispose()
    at = open_page("pages/my_work.py")
    office = _tiles(at)
    at.selectbox(key="mw_person").set_value(busiest).run()
    assert not at.exception
    mine = _tiles(at)
    assert all(m <= o for (_, m), (_, o) in zip(mine, office, strict=True))
    assert 0 < sum(n for _, n in mine) < sum(n for _, n in office)


def test_the_manager_sees_this_periods_re_check_sample_and_its_coverage_cb4(open_page, demo_url, now):
    from core.scheduling.daily import run_daily
    from db.engine import make_engine
    from db.enums import Role

    engine = make_engine(demo_url)
    run_daily(engine, now, "Asia/Shanghai")
    engine.dispose()
    at = open_page("pages/my_work.py", "zh", Role.MANAGER)
    assert not at.exception
    assert any(m.value.startswith(f"#### {t('sampling.title', 'zh')}") for m in at.markdown)
    coverage = at.dataframe[-1].value
    assert list(coverage[t("sampling.group", "zh")]) == [t(f"enum.SampleGroup.{g}", "zh")
                                                        for g in ("delivered", "complained", "customers")]
    assert all(int(n) > 0 for n in coverage[t("sampling.sampled", "zh")])


def test_the_manager_picks_any_past_period_and_sees_its_coverage_per_group_cb4(open_page, demo_url):
    """Issue 9: coverage for any past period, not only the last; each group against its own target."""
    from core.rechecks.queries import coverage, sampled_periods
    from tests.factories import reader

    engine = make_engine(demo_url)
    periods = sampled_periods(engine, reader())
    past = periods[5]
    expected = coverage(engine, reader(), past)
    engine.dispose()
    at = open_page("pages/my_work.py", "en")
    picker = at.selectbox(key="recheck_period")
    assert picker.options[1:] == periods[1:] and len(periods) > 20  # the demo's weeks, the latest first
    picker.set_value(past).run()
    assert not at.exception
    shown = at.dataframe[-1].value
    assert list(shown[t("sampling.population", "en")].astype(int)) == [g["population"] for g in expected.values()]
    assert list(shown[t("sampling.target", "en")].astype(int)) == [g["target"] for g in expected.values()]
    assert all(int(n) >= int(m) for n, m in zip(shown[t("sampling.sampled", "en")],
                                                shown[t("sampling.target", "en")], strict=True))


def test_a_specialist_does_not_see_the_re_check_coverage(open_page):
    from db.enums import Role

    at = open_page("pages/my_work.py", "en", Role.SPECIALIST)
    assert not any(m.value.startswith(f"#### {t('sampling.title', 'en')}") for m in at.markdown)


def test_a_specialists_my_work_opens_on_their_own_work_and_a_manager_on_the_office(open_page, demo_url):
    from core.accounts.demo import DEMO_ACCOUNTS
    from db.enums import Role
    from db.models import User

    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        me = s.scalar(select(User.id).where(User.username == DEMO_ACCOUNTS[Role.SPECIALIST]))
    engine.dispose()
    assert open_page("pages/my_work.py", "zh", Role.SPECIALIST).selectbox(key="mw_person").value == me
    assert open_page("pages/my_work.py", "en", Role.MANAGER).selectbox(key="mw_person").value is None
