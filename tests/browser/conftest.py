"""Browser journeys: the app served by a real HTTP server, driven by headless Chromium.

``live_server`` serves an application with its own migrated database (a SQLite file, or a
private PostgreSQL schema when DATABASE_URL is set) and the file mail backend, on a free
port, for the whole test session. ``page`` is a fresh browser context (no cookies) per test,
in Vietnamese, that fails the test on any Content-Security-Policy violation or page error.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.auth.support import Mailbox, separate_app

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class LiveServer:
    url: str
    app: Flask
    mailbox: Mailbox


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    with separate_app(tmp_path_factory.mktemp("live")) as application:
        server = make_server("127.0.0.1", 0, application, threaded=True)
        # E-mail links are built on BASE_URL, the public address: here, this server.
        application.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(
                url=f"http://127.0.0.1:{server.server_port}",
                app=application,
                mailbox=Mailbox(application.config["MAIL_FILE_DIR"]),
            )
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        # The journeys are part of the suite: `make test` installs Debian's chromium when it
        # can (root); without it they fail, never skip.
        pytest.fail("no Chromium on this machine: apt-get install chromium")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert problems == [], f"errors in the browser: {problems}"
