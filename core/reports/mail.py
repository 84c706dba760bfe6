"""The weekly report by mail (issue 14): an HTML mail (the headline table, the charts inline by Content-ID) with
the PDF attached, sent when the settings name an SMTP server, a sender and recipients. The password is never a
setting: the server's environment variable SMTP_PASSWORD (none: no login); it is sent only over TLS: STARTTLS, or
implicit TLS on port 465 (SMTPS)."""

from __future__ import annotations

import html
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from core.i18n import t
from core.office.settings import Office
from core.reports.view import Table, headline_table, week_title

PASSWORD_ENV = "SMTP_PASSWORD"
TIMEOUT = 30  # seconds
SMTPS_PORT = 465  # implicit TLS: the connection is encrypted from its first byte


class InsecureLogin(RuntimeError):
    """A login (the password) was about to cross the network in clear text: refused."""


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    starttls: bool
    sender: str
    recipients: tuple[str, ...]
    password: str | None = None


def mail_server(office: Office, environ=os.environ) -> MailServer | None:
    """The configured server, or None when the host, the sender or every recipient is missing."""
    host = str(office.get("report.smtp_host")).strip()
    sender = str(office.get("report.smtp_sender")).strip()
    recipients = tuple(a.strip() for a in str(office.get("report.recipients")).replace(";", ",").split(",")
                       if a.strip())
    if not (host and sender and recipients):
        return None
    return MailServer(host, int(office.get("report.smtp_port")), office.get("report.smtp_starttls") == "on",
                      sender, recipients, environ.get(PASSWORD_ENV) or None)


def _html_table(table: Table) -> str:
    head = "".join(f"<th style='text-align:left;padding:4px 8px'>{html.escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td style='padding:4px 8px'>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in table.rows)
    return f"<table style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"


def build_message(data: dict, lang: str, pdf: bytes, images: dict[str, bytes], server: MailServer) -> EmailMessage:
    """The mail: plain text for old readers, HTML with the headline table and each chart inline, the PDF attached.
    Every text from the data is escaped: a name or a reason is text, never markup."""
    title = f"{t('report.title', lang)} {week_title(data, lang)}"
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = title, server.sender, ", ".join(server.recipients)
    msg.set_content(f"{title}\n\n{t('report.mail_text', lang)}\n")
    cids = {name: make_msgid(domain="report.local") for name in images}
    charts = "".join(f"<p><img src='cid:{cid[1:-1]}' alt='{html.escape(t(f'report.chart.{n}', lang))}' "
                     "style='max-width:100%'></p>" for n, cid in cids.items())
    msg.add_alternative(f"<html><body><h2>{html.escape(title)}</h2>{_html_table(headline_table(data, lang))}"
                        f"{charts}<p>{html.escape(t('report.mail_text', lang))}</p></body></html>", subtype="html")
    part = msg.get_payload()[1]
    for name, cid in cids.items():
        part.add_related(images[name], maintype="image", subtype="png", cid=cid, filename=f"{name}.png")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"weekly-report-{data['week_start']}.pdf")
    return msg


def send(msg: EmailMessage, server: MailServer) -> None:
    """Deliver through the server: implicit TLS on port 465, STARTTLS when set, a login when SMTP_PASSWORD is set.
    Never sends the password without TLS: with neither, InsecureLogin is raised before connecting. Raises on
    failure."""
    implicit = server.port == SMTPS_PORT
    if server.password and not (implicit or server.starttls):
        raise InsecureLogin(f"SMTP_PASSWORD is set but the connection to {server.host}:{server.port} has no TLS: "
                            f"turn STARTTLS on or use port {SMTPS_PORT}; the password was not sent")
    context = ssl.create_default_context()
    connect = (lambda: smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)) if implicit \
        else (lambda: smtplib.SMTP(server.host, server.port, timeout=TIMEOUT))
    with connect() as smtp:
        if server.starttls and not implicit:
            smtp.starttls(context=context)
        if server.password:
            smtp.login(server.sender, server.password)
        smtp.send_message(msg, to_addrs=list(server.recipients))
