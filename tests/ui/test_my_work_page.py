"""My work per role (issue 10): each role opens on its own job, most urgent first; every item is a link to its
record (the list pages open `?id=<n>`), every count tile a link to the list it counts, and the callback counts
are the Callbacks queue's own."""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select, update

from core.callbacks.queries import CallbackFilter, queue_counts
from core.i18n import t
from core.my_work.agenda import my_complaints, my_corrective_actions, next_callback
from core.work_orders import board
from db.engine import make_engine, session_scope
from db.enums import CallbackStatus, ComplaintStatus, Role
from db.models import Callback, Complaint, User, WorkOrder
from tests.helpers import OFFICE_TZ, as_read
from tests.ui.conftest import DEMO_NOW

TILES = {
    Role.SPECIALIST: ("cb_overdue", "cb_due_today", "promised", "lead_due"),
    Role.MANAGER: ("cb_overdue", "cb_due_today", "cp_attention", "wo_new", "wo_awaiting_acceptance"),
    Role.ENGINEER: ("wo_open",),
    Role.FINANCE: ("fees_open", "fees_sum", "wo.finance.total", "wo.finance.on_site", "wo.finance.to_invoice"),
    Role.ADMIN: (),
}
RECORD_PAGES = {Role.SPECIALIST: {"callbacks", "leads", "complaints"}, Role.MANAGER: {"callbacks", "complaints"},
                Role.DIRECTOR: {"callbacks"}, Role.ENGINEER: {"work-orders", "complaints"},
                Role.FINANCE: {"work-orders"}}


def _coverage(at, lang: str):
    return next(d.value for d in at.dataframe if t("sampling.group", lang) in d.value.columns)


def _links(at) -> list[tuple[str, str, dict]]:
    return [(p.proto.label, p.proto.page, parse_qs(p.proto.query_string)) for p in at.page_link]


def _user(demo_url, role: Role) -> int:
    from core.accounts.demo import DEMO_ACCOUNTS

    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        uid = s.scalar(select(User.id).where(User.username == DEMO_ACCOUNTS[role]))
    engine.dispose()
    return uid


@pytest.mark.parametrize(("role", "lang"), [(Role.SPECIALIST, "zh"), (Role.MANAGER, "en"), (Role.DIRECTOR, "zh"),
                                            (Role.ENGINEER, "en"), (Role.FINANCE, "zh"), (Role.ADMIN, "en")])
def test_each_role_opens_on_its_own_job_and_each_item_links_to_its_record(open_page, role, lang):
    at = open_page("pages/my_work.py", lang, role)
    assert not at.exception
    assert at.title[0].value == t("nav.my_work", lang)
    if role == Role.DIRECTOR:
        assert [m.label for m in at.metric] == [t(f"kpi.metric.{k}", lang) for k in (
            "callback_completion_rate", "callback_on_time_rate", "reach_rate", "complaints_closed_by_deadline")]
    else:
        assert [m.label for m in at.metric] == [t(k if "." in k else f"mywork.{k}", lang) for k in TILES[role]]
    records = [(page, q["id"]) for _, page, q in _links(at) if "id" in q]
    if role == Role.ADMIN:  # users and settings, not the office's callbacks
        assert records == [] and [p for _, p, _ in _links(at)] == ["users", "settings", "audit"]
    else:
        assert records and {page for page, _ in records} == RECORD_PAGES[role]


def test_finance_opens_on_this_weeks_paid_orders_with_the_way_to_sign_them_off(open_page):
    at = open_page("pages/my_work.py", "zh", Role.FINANCE)
    assert any(t("wo.finance.this_week", "zh") in m.value for m in at.markdown)
    assert "finance" in [page for _, page, _ in _links(at)]


def test_the_engineer_sees_each_own_order_with_its_next_step_and_the_unfinished_summary(open_page):
    at = open_page("pages/my_work.py", "en", Role.ENGINEER)
    steps = [label for label, page, q in _links(at) if page == "work-orders" and "id" in q]
    assert steps and all("Next" in label for label in steps)
    assert any(t("wo.unfinished.title", "en") in m.value for m in at.markdown)


def test_the_manager_sees_the_unfinished_orders_by_technician_and_reason(open_page):
    at = open_page("pages/my_work.py", "en", Role.MANAGER)
    groups = next(d.value for d in at.dataframe if t("wo.unfinished.reason", "en") in d.value.columns)
    assert len(groups) and groups[t("wo.unfinished.count", "en")].astype(int).sum() > 0


@pytest.mark.parametrize(("role", "who"), [(Role.SPECIALIST, None), (Role.MANAGER, "all")])
def test_the_callback_tiles_are_the_queues_own_counts_and_open_the_list_they_count(open_page, demo_url, now, role,
                                                                                   who):
    """Issue 10: My work said 16 due today and the queue 15. Both now show queue_counts under the same assignee
    (the specialist's own, the manager's everyone), and the Callbacks page's tiles say the same."""
    person = _user(demo_url, role) if who is None else None
    engine = make_engine(demo_url)
    expected = queue_counts(engine, _actor(demo_url, role), CallbackFilter(assignee_id=person), OFFICE_TZ, now)
    engine.dispose()
    at = open_page("pages/my_work.py", "en", role)
    shown = {m.label: int(m.value) for m in at.metric}
    assert (shown[t("mywork.cb_overdue", "en")], shown[t("mywork.cb_due_today", "en")]) == (
        expected["overdue"], expected["today"])
    queue = open_page("pages/callbacks.py", "en", role)
    assert [queue.button(key=f"tile_{b}").label for b in ("overdue", "today")] == [
        t(f"cb.tile_{b}", "en", count=expected[b]) for b in ("overdue", "today")]
    tiles = [(page, q) for label, page, q in _links(at) if label == t("mywork.open_list", "en")][:2]
    base = {} if who is None else {"who": [who]}
    assert tiles == [("callbacks", base | {"due": ["overdue"]}), ("callbacks", base | {"due": ["today"]})]


def _actor(demo_url, role: Role):
    from core.accounts.demo import DEMO_ACCOUNTS
    from core.permissions import Actor

    return Actor(_user(demo_url, role), DEMO_ACCOUNTS[role], "", role)


def test_the_specialists_overdue_callbacks_come_first_in_red_with_the_days_late(open_page):
    at = open_page("pages/my_work.py", "en", Role.SPECIALIST)
    late = [m.value for m in at.markdown if m.value.startswith(":red[")]
    days = [int(v.split("**")[1].split()[0]) for v in late if "day" in v]
    assert days and days == sorted(days, reverse=True)  # the most overdue first


def test_next_call_claims_the_most_urgent_callback_and_opens_the_call_screen(open_page, demo_url, now):
    me = _actor(demo_url, Role.SPECIALIST)
    engine = make_engine(demo_url)
    first = next_callback(engine, me, OFFICE_TZ, now)
    at = open_page("pages/my_work.py", "zh", Role.SPECIALIST)
    at.button(key="mw_next_call").click().run()
    assert not at.exception and not at.error
    with session_scope(engine) as s:
        cb = s.get(Callback, first)
        assert (cb.status, cb.claimed_by_id) == (CallbackStatus.IN_PROGRESS, me.id)
    engine.dispose()
    assert at.title[0].value == t("nav.call", "zh")


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
    coverage = _coverage(at, "zh")
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
    shown = _coverage(at, "en")
    assert list(shown[t("sampling.population", "en")].astype(int)) == [g["population"] for g in expected.values()]
    assert list(shown[t("sampling.target", "en")].astype(int)) == [g["target"] for g in expected.values()]
    assert all(int(n) >= int(m) for n, m in zip(shown[t("sampling.sampled", "en")],
                                                shown[t("sampling.target", "en")], strict=True))


def test_a_specialist_does_not_see_the_re_check_coverage(open_page):
    at = open_page("pages/my_work.py", "en", Role.SPECIALIST)
    assert not any(m.value.startswith(f"#### {t('sampling.title', 'en')}") for m in at.markdown)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_specialists_due_list_is_named_for_what_it_holds_overdue_and_today(open_page, demo_url, now, lang):
    """Issue 10: the tile "Due today" counted today's bucket while the list under a heading of the same name held
    the overdue too: two numbers for one name. The list is now headed "Overdue and due today" and says its
    count is the two tiles' sum."""
    from core.my_work.agenda import callbacks_due

    engine = make_engine(demo_url)
    me = _actor(demo_url, Role.SPECIALIST)
    counts = queue_counts(engine, me, CallbackFilter(assignee_id=me.id), OFFICE_TZ, now)
    listed = callbacks_due(engine, me, me.id, OFFICE_TZ, now)  # what the page lists under the heading
    engine.dispose()
    assert counts["overdue"] and listed.total == counts["overdue"] + counts["today"]
    at = open_page("pages/my_work.py", lang, Role.SPECIALIST)
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert f"#### {t('mywork.due_list', lang)}" in headings
    assert t("mywork.due_list", lang) != t("mywork.cb_due_today", lang)


def test_the_managers_complaint_tile_opens_only_the_escalated_or_overdue_complaints(open_page, sign_in_as):
    """Issue 10: the tile counted the escalated or overdue complaints but opened the whole log."""
    from tests.ui.test_leads_list_page import open_link

    at = open_page("pages/my_work.py", "en", Role.MANAGER)
    count = int(next(m.value for m in at.metric if m.label == t("mywork.cp_attention", "en")))
    target = [(page, q) for label, page, q in _links(at) if label == t("mywork.open_list", "en")][2]
    assert target == ("complaints", {"who": ["all"], "attention": ["True"]})
    listed = open_link(sign_in_as, "pages/complaints.py", {k: v[0] for k, v in target[1].items()})
    assert not listed.exception and listed.toggle(key="attention").value is True
    assert count and _count_line(count, "en") in [c.value for c in listed.caption]


@pytest.mark.parametrize(("role", "lang"), [(Role.SPECIALIST, "zh"), (Role.ENGINEER, "en")])
def test_the_owner_sees_their_open_complaints_what_is_due_next_first_each_opening_its_record(open_page, demo_url,
                                                                                            now, role, lang):
    """CP-5: a specialist's or engineer's own open complaints, in the order core lists them (what is due next
    first), then (CP-2) the corrective actions they must carry out, each a link to its record; overdue ones in
    red."""

    engine = make_engine(demo_url)
    mine = my_complaints(engine, _actor(demo_url, role), OFFICE_TZ, now)
    capas = my_corrective_actions(engine, _actor(demo_url, role), now)
    engine.dispose()
    assert mine.rows, "the demo gives this account open complaints"
    at = open_page("pages/my_work.py", lang, role)
    headings = [m.value for m in at.markdown]
    assert f"#### {t('mywork.cp_mine', lang)}" in headings and f"#### {t('mywork.cp_capa', lang)}" in headings
    linked = [q["id"][0] for _, page, q in _links(at) if page == "complaints"]
    assert linked == [str(r["id"]) for r in mine.rows + capas.rows]
    red = sum(m.value.startswith(":red[") for m in at.markdown)  # a specialist's late callbacks are red too
    overdue = sum(r["overdue"] for r in mine.rows + capas.rows)
    assert red == overdue if role == Role.ENGINEER else red >= overdue


def test_the_capa_owner_is_shown_the_complaint_whose_corrective_action_is_theirs_red_once_overdue_cp2(
        open_page, demo_url, now):
    """CP-2: the corrective action given to the specialist (not the complaint's owner), a day overdue, is listed
    under My corrective actions, in red, one click from its complaint; once solved it leaves the list."""
    engine = make_engine(demo_url)
    me = _user(demo_url, Role.SPECIALIST)
    with session_scope(engine) as s:
        cp = s.scalars(select(Complaint).where(Complaint.status == ComplaintStatus.CAPA_REQUESTED,
                                               Complaint.owner_id != me).order_by(Complaint.id).limit(1)).one()
        cp.capa_owner_id, cp.capa_due, cid = me, now - timedelta(days=1), cp.id
    at = open_page("pages/my_work.py", "en", Role.SPECIALIST)
    texts = [m.value for m in at.markdown]
    start = texts.index(f"#### {t('mywork.cp_capa', 'en')}") + 1
    section = texts[start:next(i for i in range(start, len(texts)) if texts[i].startswith("#### "))]
    due = t("mywork.due_at", "en").split("{")[0]  # "Due "
    capas = my_corrective_actions(engine, _actor(demo_url, Role.SPECIALIST), now).rows
    assert len(section) == len(capas) and capas[0]["id"] == cid  # earliest due first: this one, a day late
    assert section[0].startswith(f":red[**{due}")  # overdue: red
    assert str(cid) in [q["id"][0] for _, page, q in _links(at) if page == "complaints"]
    with session_scope(engine) as s:
        s.get(Complaint, cid).status = ComplaintStatus.SOLUTION
    engine.dispose()
    at = open_page("pages/my_work.py", "en", Role.SPECIALIST)
    assert str(cid) not in [q["id"][0] for _, page, q in _links(at) if page == "complaints" and "id" in q]


def test_finances_fee_tiles_open_the_work_orders_whose_fee_is_to_settle(open_page, sign_in_as):
    """Issue 10: the fee tiles opened the whole work-order list; they open it filtered by the same condition as
    their count (core fee_to_settle), kept in the URL as fee=True."""
    from tests.ui.test_leads_list_page import open_link

    at = open_page("pages/my_work.py", "zh", Role.FINANCE)
    count = int(next(m.value for m in at.metric if m.label == t("mywork.fees_open", "zh")))
    targets = [(page, q) for label, page, q in _links(at) if label == t("mywork.open_list", "zh")]
    assert targets == [("work-orders", {"fee": ["True"]})] * 2
    listed = open_link(sign_in_as, "pages/work_orders.py", {"fee": "True"}, "zh", Role.FINANCE)
    assert not listed.exception and listed.toggle(key="fee").value is True
    assert count and _count_line(count, "zh") in [c.value for c in listed.caption]


def _count_line(total: int, lang: str) -> str:
    """The list's count under its first page of 25 rows."""
    return t("list.count", lang, total=total, page=1, pages=-(-total // 25))


def test_the_engineers_list_cut_at_its_limit_says_how_many_it_shows_of_all(open_page, monkeypatch):
    """Issue 12 review: the engineer's own list shows at most its limit and says how many of all they hold."""
    whole = board.engineer_orders
    monkeypatch.setattr(board, "engineer_orders", lambda engine, actor: whole(engine, actor, limit=1))
    at = open_page("pages/my_work.py", "en", Role.ENGINEER)
    assert not at.exception
    steps = [label for label, page, q in _links(at) if page == "work-orders" and "id" in q]
    said = [as_read(c.value) for c in at.caption if as_read(c.value).startswith("Showing the 1 longest waiting")]
    assert len(steps) == 1 and said and said[0].endswith("orders.")


def test_the_engineers_tile_counts_the_orders_their_list_shows_and_opens_them(open_page, demo_url):
    """Issue 12 tour: the tile said 16 above a list of 18 (completed orders still to sign or return listed, not
    counted). The tile now counts the same orders in hand, and its list link asks for completed ones too."""
    engine = make_engine(demo_url)
    total = board.engineer_orders(engine, _actor(demo_url, Role.ENGINEER)).total
    engine.dispose()
    at = open_page("pages/my_work.py", "en", Role.ENGINEER)
    assert {m.label: int(m.value) for m in at.metric}[t("mywork.wo_open", "en")] == total
    link = [q for label, page, q in _links(at) if label == t("mywork.open_list", "en")][0]
    assert "completed" in link["status"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_finance_with_no_paid_order_this_week_is_told_so_not_about_filters(open_page, demo_url, lang):
    """Issue 12 tour: an empty week said "Nothing matches these filters" where there are no filters."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        s.execute(update(WorkOrder).where(WorkOrder.accepted_at >= DEMO_NOW - timedelta(days=8))
                  .values(accepted_at=DEMO_NOW - timedelta(days=60)))
    engine.dispose()
    at = open_page("pages/my_work.py", lang, Role.FINANCE)
    shown = [i.value for i in at.info]
    assert t("wo.fin2.week_empty", lang) in shown and t("list.empty", lang) not in shown
