"""The sign-in page, served by the app's own route as plain HTML. Every text comes from the catalogs
and every value is escaped."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from core.i18n import enum_label, t

OTHER_LANGUAGE = {"en": "English", "zh": "简体中文"}
STYLE = """body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f5f6f8;margin:0}
main{max-width:420px;margin:8vh auto;background:#fff;padding:2rem 2.2rem;border-radius:12px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}h1{font-size:1.4rem;margin:0 0 1.2rem}label{display:block;
margin:.8rem 0 .3rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #ccd;
border-radius:6px;font-size:1rem}button{margin-top:1.2rem;width:100%;padding:.7rem;border:0;border-radius:6px;
background:#ff4b4b;color:#fff;font-size:1rem;cursor:pointer}.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;
border-radius:6px}.demo{margin-top:1.5rem;background:#fff8e1;padding:.8rem;border-radius:6px;font-size:.9rem}
.lang{float:right;font-size:.85rem}.hint{font-size:.85rem;color:#555;margin:.3rem 0 0}
table{border-collapse:collapse}td{padding:.1rem .6rem .1rem 0}"""


def _field(label: str, name: str, kind: str = "text", autocomplete: str = "off", value: str = "") -> str:
    filled = f' value="{escape(value)}"' if value else ""
    return (f'<label for="{name}">{escape(label)}</label>'
            f'<input id="{name}" name="{name}" type="{kind}" autocomplete="{autocomplete}"{filled} required>')


def _demo_box(lang: str) -> str:
    rows = "".join(f"<tr><td>{escape(enum_label(role, lang))}</td><td><code>{escape(name)}</code></td></tr>"
                   for role, name in DEMO_ACCOUNTS.items())
    return (f'<div class="demo"><strong>{escape(t("auth.demo_title", lang))}</strong>'
            f'<p>{escape(t("auth.demo_note", lang, password=DEMO_PASSWORD))}</p><table>{rows}</table></div>')


def render_signin(lang: str, *, csrf: str, next_path: str, error_key: str | None, demo: bool,
                  first_admin: bool, typed: dict[str, str] | None = None) -> str:
    """The form; after a refused submission `typed` refills the names the user typed (never a password or a
    code), so a wrong password does not make them type their user name again."""
    typed = typed or {}
    title = t("auth.first_admin_title" if first_admin else "auth.title", lang)
    other = "zh" if lang == "en" else "en"
    fields = _field(t("auth.username", lang), "username", autocomplete="username", value=typed.get("username", ""))
    if first_admin:
        fields = (_field(t("auth.setup_code", lang), "setup_code")
                  + f'<p class="hint">{escape(t("auth.setup_code_help", lang))}</p>' + fields)
        fields += _field(t("auth.display_name", lang), "display_name", autocomplete="name",
                         value=typed.get("display_name", ""))
    fields += _field(t("auth.password", lang), "password", "password",
                     "new-password" if first_admin else "current-password")
    if first_admin:
        fields += _field(t("auth.password2", lang), "password2", "password", "new-password")
    error = f'<p class="error" role="alert">{escape(t(error_key, lang))}</p>' if error_key else ""
    return f"""<!doctype html><html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>
<style>{STYLE}</style></head><body><main>
<a class="lang" href="{escape(f"?lang={other}&next={quote(next_path)}")}">{OTHER_LANGUAGE[other]}</a>
<h1>{escape(title)}</h1>{error}
<form method="post" action="/auth/signin{'' if lang == 'en' else '?lang=zh'}">
<input type="hidden" name="csrf" value="{escape(csrf)}"><input type="hidden" name="next" value="{escape(next_path)}">
{'<input type="hidden" name="first_admin" value="1">' if first_admin else ''}{fields}
<button type="submit">{escape(t("auth.create_admin" if first_admin else "auth.sign_in", lang))}</button>
</form>{_demo_box(lang) if demo else ''}</main></body></html>"""
