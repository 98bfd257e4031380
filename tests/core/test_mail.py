"""The console mail backend: readable mail on the developer's terminal, never a secret
link in the application's log, nothing of the body outside development."""

from __future__ import annotations

import logging
import sys

import pytest
from celery.utils.log import LoggingProxy

from ecosystem.core.mail import deliver_mail

LINK = "http://127.0.0.1:5000/auth/reset/bí-mật-token-123"
BODY = f"Chào chị Hà,\n\nĐặt lại mật khẩu tại: {LINK}\n"


@pytest.fixture
def console(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    # As a Celery worker does (worker_redirect_stdouts): print() ends up in the log.
    monkeypatch.setattr(sys, "stdout", LoggingProxy(logging.getLogger("celery.redirected")))
    caplog.set_level(logging.DEBUG)

    def send(env: str) -> None:
        monkeypatch.setitem(app.config, "ENV", env)
        with app.app_context():
            deliver_mail.run("ha@hueuni.edu.vn", "Đặt lại mật khẩu", BODY)

    return send


def test_in_development_the_mail_is_shown_readably_and_never_logged(console, capfd, caplog):
    console("development")
    shown = capfd.readouterr().out
    assert LINK in shown and "Chào chị Hà" in shown  # decoded, not base64
    assert "Subject: Đặt lại mật khẩu" in shown
    assert "bí-mật-token-123" not in caplog.text
    assert "mail sent" in caplog.text


@pytest.mark.parametrize("env", ["production", "testing"])
def test_outside_development_nothing_of_the_body_is_shown(console, capfd, caplog, env):
    console(env)
    assert "bí-mật-token-123" not in capfd.readouterr().out
    assert "bí-mật-token-123" not in caplog.text
    assert "message not shown" in caplog.text
