"""The transaction and language of an operator command (``flask user|token|index|fund``).

In core, so that each feature's command group uses it without importing the command-line
root (``ecosystem.cli``), which registers every feature's group.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from ecosystem.core.errors import UserError
from ecosystem.extensions import db

# Operator commands speak English: the catalogue's English for the messages of operations.
OPERATOR_LOCALE = "en"


def operator_locale():
    """Messages of operations (translated) in the operators' language."""
    return force_locale(OPERATOR_LOCALE)


@contextmanager
def operator_transaction() -> Iterator[None]:
    """Run the block as one transaction: commit once at the end, roll back on any error.

    A refusal (UserError, a click error) or a database problem becomes one line on stderr
    and a non-zero exit, never a traceback. Print secrets only after the block: they are
    valid only once committed.
    """
    try:
        with operator_locale():
            yield
            db.session.commit()
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    except (OperationalError, ProgrammingError) as exc:
        db.session.rollback()
        raise click.ClickException(
            f"database error: {' '.join(str(exc.orig).split())} (is the database up and migrated? "
            "run `flask --app ecosystem setup`)"
        ) from None
    except IntegrityError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"refused by the database (changed concurrently?): {exc.orig}"
        ) from None
    except BaseException:
        db.session.rollback()
        raise
