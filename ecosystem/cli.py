"""Command-line commands: ``flask setup``, ``flask seed-demo``, and the operator groups
(``flask user``, ``flask token``, ``flask index``, ``flask fund``, ``flask labs``) registered from their features."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from ecosystem.api.cli import token_group
from ecosystem.auth.cli import user_group
from ecosystem.auth.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from ecosystem.extensions import db
from ecosystem.index_cli import index_group
from ecosystem.labs.cli import labs_group
from ecosystem.organisation_export import export_organisation_command
from ecosystem.seed import seed_demo
from ecosystem.workflow.cli import fund_group


def register_commands(app: Flask) -> None:

    app.cli.add_command(setup_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(user_group)
    app.cli.add_command(token_group)
    app.cli.add_command(index_group)
    app.cli.add_command(fund_group)
    app.cli.add_command(export_organisation_command)
    app.cli.add_command(labs_group)


@click.command("setup")
def setup_command() -> None:
    """Bring the database to the latest schema and, on first start, load the demo data."""
    try:
        upgrade(directory=current_app.extensions["migrate"].directory)
    except OperationalError as exc:
        raise click.ClickException(f"cannot reach the database: {exc.orig}") from None
    if current_app.config["SEED_DEMO"]:
        created = seed_demo()
        db.session.commit()
        click.echo(f"demo data: {created} records created")
        click.echo(
            f"demo sign-in: {DEMO_ACCOUNTS[0][0]} (and the others in the README), password {DEMO_PASSWORD}"
        )


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the Huế demo data. Idempotent: a second run changes nothing."""

    created = seed_demo()
    db.session.commit()
    click.echo(f"demo data: {created} records created")
