"""Outgoing e-mail: printed to the console, written as .eml files, or sent over SMTP.

Mail is always sent by a task enqueued after commit, so a rolled-back request never
e-mails anybody and a slow SMTP server never slows a page.
"""

from __future__ import annotations

import logging
import smtplib
import sys
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from celery import shared_task
from flask import current_app

from ecosystem.core.tasks import enqueue_after_commit

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str, *, html: str | None = None) -> None:
    """Queue an e-mail; it leaves once the current transaction commits."""
    enqueue_after_commit(deliver_mail, to, subject, body, html)


def build_message(to: str, subject: str, body: str, html: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="hue-innovation.local")
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    return message


@shared_task(
    name="core.deliver_mail",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def deliver_mail(to: str, subject: str, body: str, html: str | None = None) -> None:
    message = build_message(to, subject, body, html)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        _send_smtp(message)
    elif backend == "file":
        folder = Path(current_app.config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
    else:
        _print_to_console(message)
    log.info("mail sent", extra={"to": to, "subject": subject, "backend": backend})


def _print_to_console(message: EmailMessage) -> None:
    """Show the mail to the developer, readable (not the base64 of its MIME form).

    Mails carry secrets (sign-up and password-reset links), so the body goes to the
    process's real terminal, never through logging: a Celery worker redirects
    ``sys.stdout`` into its log, which production ships to a log store. Outside
    development nothing of the body is shown at all.
    """
    if current_app.config["ENV"] != "development":
        log.warning(
            "console mail backend outside development: message not shown; set MAIL_BACKEND",
            extra={"to": message["To"], "subject": message["Subject"]},
        )
        return
    text = message.get_body(preferencelist=("plain",)).get_content()
    stream = sys.__stdout__ or sys.stdout
    stream.write(
        f"\n----- e-mail -----\nTo: {message['To']}\nSubject: {message['Subject']}\n\n"
        f"{text}\n------------------\n"
    )
    stream.flush()


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
