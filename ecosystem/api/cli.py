"""Operator commands for API tokens: ``flask token create|list|revoke``.

They use the same functions as the profile page: the token is shown once and only its
SHA-256 is stored.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ecosystem.api.tokens import create_token, revoke_token
from ecosystem.auth.cli import existing_user
from ecosystem.auth.models import ApiToken
from ecosystem.core.models import utcnow
from ecosystem.core.operator import operator_transaction
from ecosystem.extensions import db

token_group = AppGroup("token", help="Create, list and revoke personal API access tokens.")


@token_group.command("create")
@click.argument("email")
@click.option("--scope", type=click.Choice(["read", "write"]), required=True)
@click.option("--name", default="", help="A name to recognise it by (default: created by CLI).")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Days of validity; 0 for no expiry.",
)
def create_token_command(email: str, scope: str, name: str, days: int) -> None:
    """Create a token for the account with this e-mail and print it once."""
    with operator_transaction():
        user = existing_user(email)
        token, plain = create_token(
            user, name.strip() or "created by CLI", scope == "write", days or None
        )
        expiry = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "no expiry"
        summary = f"token {token.id} {token.name!r} ({scope}, {expiry}) for {user.email}"
    click.echo(summary, err=True)
    if not user.is_active:
        click.echo("warning: the account is disabled; the token works once it is enabled", err=True)
    click.echo("shown once, store it now:", err=True)
    click.echo(plain)


def _describe(token: ApiToken) -> str:
    scope = "write" if token.can_write else "read"
    if token.revoked_at is not None:
        state = f"revoked {token.revoked_at:%Y-%m-%d}"
    elif token.expires_at is not None and token.expires_at <= utcnow():
        state = f"expired {token.expires_at:%Y-%m-%d}"
    else:
        state = "active"
    return f"{token.id:6d}  hue_{token.prefix}_…  {scope:5}  {state:18}  {token.name}"


@token_group.command("list")
@click.argument("email")
def list_tokens_command(email: str) -> None:
    """List the account's tokens (id, prefix, scope, state, name)."""
    with operator_transaction():
        user = existing_user(email)
        tokens = db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        ).all()
        lines = [_describe(t) for t in tokens]
    click.echo("\n".join(lines) if lines else f"{user.email} has no tokens")


def _find_token(token_id: int | None, email: str | None, name: str | None) -> ApiToken:
    if token_id is not None:
        if email or name:
            raise click.UsageError("give either a token ID or --email with --name")
        token = db.session.get(ApiToken, token_id)
        if token is None:
            raise click.ClickException(f"no token with id {token_id}")
        return token
    if not (email and name):
        raise click.UsageError("give a token ID, or --email and --name")
    user = existing_user(email)
    found = db.session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    ).all()
    if not found:
        raise click.ClickException(f"{user.email} has no active token named {name!r}")
    if len(found) > 1:
        ids = ", ".join(str(t.id) for t in found)
        raise click.ClickException(
            f"{len(found)} active tokens named {name!r} (ids {ids}): give the ID"
        )
    return found[0]


@token_group.command("revoke")
@click.argument("token_id", type=int, required=False)
@click.option("--email", help="The owner's e-mail (with --name, instead of an ID).")
@click.option("--name", help="The token's name (with --email).")
def revoke_token_command(token_id: int | None, email: str | None, name: str | None) -> None:
    """Revoke a token by ID (see `flask token list`) or by owner and name."""
    with operator_transaction():
        token = _find_token(token_id, email, name)
        already = token.revoked_at is not None
        revoke_token(token, None)
        owner = token.user.email
    if already:
        click.echo(f"token {token.id} of {owner} was already revoked; nothing changed")
    else:
        click.echo(f"revoked token {token.id} {token.name!r} of {owner}")
