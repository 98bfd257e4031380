"""Command-line commands: ``flask setup``, ``flask seed-demo``, and the operator groups
(``flask user``, ``flask token``, ``flask index``) registered from their features."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from ecosystem.core.errors import UserError
from ecosystem.extensions import db

# Operator commands speak English: the catalogue's English for the messages of operations.
OPERATOR_LOCALE = "en"


def register_commands(app: Flask) -> None:
    from ecosystem.api.cli import token_group
    from ecosystem.auth.cli import user_group
    from ecosystem.index_cli import index_group
    from ecosystem.workflow.cli import fund_group

    app.cli.add_command(setup_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(user_group)
    app.cli.add_command(token_group)
    app.cli.add_command(index_group)
    app.cli.add_command(fund_group)


def operator_locale():
    """Messages of operations (translated) in the operators' language."""
    return force_locale(OPERATOR_LOCALE)


def commit() -> None:
    """The one commit of an operator command (to be replaced by core's unit of work)."""
    db.session.commit()


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
            commit()
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


@click.command("setup")
def setup_command() -> None:
    """Bring the database to the latest schema and, on first start, load the demo data."""
    try:
        upgrade(directory=current_app.extensions["migrate"].directory)
    except OperationalError as exc:
        raise click.ClickException(f"cannot reach the database: {exc.orig}") from None
    if current_app.config["SEED_DEMO"]:
        from ecosystem.auth.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
        from ecosystem.seed import seed_demo

        created = seed_demo()
        db.session.commit()
        click.echo(f"demo data: {created} records created")
        click.echo(
            f"demo sign-in: {DEMO_ACCOUNTS[0][0]} (and the others in the README), password {DEMO_PASSWORD}"
        )


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the Huế demo data. Idempotent: a second run changes nothing."""
    from ecosystem.seed import seed_demo

    created = seed_demo()
    db.session.commit()
    click.echo(f"demo data: {created} records created")
