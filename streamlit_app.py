"""The front door: page config, language, and the navigation of the office's pages."""

import streamlit as st

from ui.context import language_switch, tr

st.set_page_config(page_title="Service Desk", page_icon=":material/support_agent:", layout="wide")

PAGES = [
    ("pages/my_work.py", "nav.my_work", ":material/today:", "my-work"),
    ("pages/callbacks.py", "nav.callbacks", ":material/phone_callback:", "callbacks"),
    ("pages/complaints.py", "nav.complaints", ":material/report:", "complaints"),
    ("pages/work_orders.py", "nav.work_orders", ":material/build:", "work-orders"),
    ("pages/customers.py", "nav.customers", ":material/groups:", "customers"),
    ("pages/kpis.py", "nav.kpis", ":material/monitoring:", "kpis"),
    ("pages/settings.py", "nav.settings", ":material/settings:", "settings"),
]

language_switch()
nav = st.navigation(
    [st.Page(path, title=tr(title), icon=icon, url_path=url, default=(i == 0))
     for i, (path, title, icon, url) in enumerate(PAGES)]
)
nav.run()
