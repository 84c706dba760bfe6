"""The app's pages as the browser addresses them: each page's icon and URL path. streamlit_app.py builds the
navigation from this table and the role's pages (core.permissions.pages_for); the sign-in middleware
(ui.web_auth) reads the same table, so a link to a page the role has not, or to no page at all, lands
on the role's first page, which says why (ui.feedback.refused_notice), instead of Streamlit's English "Page not
found" dialog."""

from __future__ import annotations

from core.permissions import pages_for
from db.enums import Role

REFUSED_PAGE = "refused"  # the query parameter of a redirect from an address that is not a page of the role

PAGES = {
    "my_work": (":material/today:", "my-work"),
    "callbacks": (":material/phone_callback:", "callbacks"),
    "call": (":material/call:", "call"),
    "leads": (":material/person_search:", "leads"),
    "incoming": (":material/phone_in_talk:", "incoming"),
    "complaints": (":material/report:", "complaints"),
    "work_orders": (":material/build:", "work-orders"),
    "dispatch": (":material/assignment_ind:", "dispatch"),
    "finance": (":material/payments:", "finance"),
    "customers": (":material/groups:", "customers"),
    "imports": (":material/upload_file:", "import"),
    "kpis": (":material/monitoring:", "kpis"),
    "reports": (":material/summarize:", "reports"),
    "audit": (":material/history:", "audit"),
    "users": (":material/manage_accounts:", "users"),
    "settings": (":material/settings:", "settings"),
    "account": (":material/key:", "account"),
}


def page_paths(role: Role) -> set[str]:
    """The URL paths a role's navigation answers: its first page lives at the root ("")."""
    names = pages_for(role)
    return {""} | {PAGES[name][1] for name in names[1:]}

