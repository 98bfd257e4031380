"""One unit of work per request, CLI command or task (DESIGN §2, convention 4).

Operations change and flush; they never commit. This module is the one place that does:

- a request commits once, after the view returned a response below 400; any other outcome
  (an error page, a ``UserError``, an exception) rolls everything back;
- a view that wants to show a refused operation on its own page runs it in ``atomic()``:
  a ``UserError`` then undoes only that operation's writes, and the view shows the message;
- book-keeping writes (the session's "last seen", a token's "last used", a failed sign-in)
  are registered with ``housekeeping()`` and written whatever the outcome, in a short
  transaction of their own after the request's: on SQLite a read transaction that later
  writes fails at once when another writer committed meanwhile (its snapshot is stale), so
  book-keeping never rides on the request's reads;
- tasks enqueued during the request are sent after the commit (``core.tasks``); tasks that
  run in-process (the embedded default) run after the response has been sent, so a page
  never waits for them;
- a commit that fails (a concurrent change won a race) gives a clear 409, never a 500.

CLI commands and Celery tasks use ``transaction()`` for the same guarantees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, abort, current_app, flash, g, make_response, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError

from ecosystem.core.errors import UserError, render_error
from ecosystem.core.tasks import run_deferred_tasks, take_deferred_tasks
from ecosystem.extensions import db

log = logging.getLogger(__name__)
_HOUSEKEEPING = "_uow_housekeeping"


@contextmanager
def atomic() -> Iterator[None]:
    """Run an operation in a savepoint: if it raises, only its own writes are undone."""
    with db.session.begin_nested():
        yield


def attempt(action: Callable[[], Any], success: str | None = None) -> bool:
    """Run ``action`` atomically; flash its ``UserError`` (a 403 aborts) or ``success``."""
    try:
        with atomic():
            action()
    except UserError as error:
        if error.status == 403:
            abort(403)
        flash(error.message, "warning")
        return False
    if success:
        flash(success, "success")
    return True


def housekeeping(write: Callable[[], None]) -> None:
    """Write ``write()`` at the end of the request, in the final transaction, whatever the
    outcome of the request."""
    g.setdefault(_HOUSEKEEPING, []).append(write)


@contextmanager
def transaction() -> Iterator[None]:
    """The unit of work of a CLI command or a task: commit once on success, else roll back."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def finish_request(response: Response) -> Response:
    succeeded = response.status_code < 400
    if not succeeded:
        db.session.rollback()
    try:
        db.session.commit()
    except (IntegrityError, DBAPIError) as error:
        db.session.rollback()
        log.warning("commit failed at the end of the request: %s", error.orig)
        response = _conflict_response()
    _write_housekeeping(g.pop(_HOUSEKEEPING, []))
    deferred = take_deferred_tasks()
    if deferred:
        app = current_app._get_current_object()
        request.environ.setdefault(AFTER_RESPONSE, []).append(
            lambda: run_deferred_tasks(app, deferred)
        )
    return response


def _write_housekeeping(writes: list[Callable[[], None]]) -> None:
    if not writes:
        return
    g.write_transaction = True  # SQLite: take the write lock first (core.db)
    try:
        for write in writes:
            write()
        db.session.commit()
    except DBAPIError as error:
        # Book-keeping only: the request itself has already been answered and committed.
        db.session.rollback()
        log.warning("book-keeping write failed: %s", error.orig)


def _conflict_response() -> Response:
    error = UserError(
        _("Dữ liệu vừa được thay đổi bởi một thao tác khác. Hãy tải lại trang và thử lại."),
        status=409,
    )
    return make_response(render_error(error.status, error.message))


AFTER_RESPONSE = "ecosystem.after_response"


class _RunAfterResponse:
    """WSGI middleware: run the request's in-process tasks once its body has been written.

    Not at the response's close: the development server (``make run``) closes a response
    only after draining the connection, which can wait for the browser for many seconds,
    so a new need's proposals appeared late. The last chunk written is the moment the
    visitor has the whole page (its length is known); the tasks run then, or at the close
    if the body was never read to its end.
    """

    def __init__(self, wsgi_app: Callable[..., Any]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        callbacks: list[Callable[[], None]] = []
        environ[AFTER_RESPONSE] = callbacks
        return _Body(self.wsgi_app(environ, start_response), callbacks)


class _Body:
    def __init__(self, body: Any, callbacks: list[Callable[[], None]]) -> None:
        self.body, self.callbacks = body, callbacks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.body
        self._run()

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self._run()

    def _run(self) -> None:
        callbacks, self.callbacks[:] = list(self.callbacks), []
        for callback in callbacks:
            callback()


def init_unit_of_work(app: Flask) -> None:
    # Registered last so it runs first among the after-request functions: a replacement
    # response (the 409 above) still gets the security headers and the access log line.
    app.after_request(finish_request)
    app.wsgi_app = _RunAfterResponse(app.wsgi_app)
