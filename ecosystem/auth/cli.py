"""Operator commands for accounts: ``flask user create`` and ``flask user role``.

They call the same operations as the sign-up and administration pages; the audit rows they
write name the system as actor (no one is signed in on the command line).
"""

from __future__ import annotations

import secrets
import sys

import click
from flask.cli import AppGroup

from ecosystem.auth import operations as ops
from ecosystem.auth.models import PlatformRole, User
from ecosystem.auth.passwords import password_problem
from ecosystem.core.operator import operator_locale, operator_transaction

user_group = AppGroup("user", help="Create accounts and change their platform roles.")


def parse_role(value: str) -> PlatformRole:
    try:
        return PlatformRole(value.strip().lower())
    except ValueError:
        valid = ", ".join(role.value for role in PlatformRole)
        raise click.ClickException(f"unknown role {value!r}; valid roles: {valid}") from None


def existing_user(email: str) -> User:
    user = ops.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with e-mail {email!r}")
    return user


def generate_password() -> str:
    while True:  # token_urlsafe(18) is 24 characters; the loop only guards the variety rule
        password = secrets.token_urlsafe(18)
        if password_problem(password) is None:
            return password


def interactive() -> bool:
    return sys.stdin.isatty()


def _read_password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    """(password, generated). Interactive: a hidden prompt typed twice; otherwise generated."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("--password-stdin given but no password on stdin")
        return password, False
    if generate or not interactive():
        return generate_password(), True
    while True:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        with operator_locale():
            problem = password_problem(password)
        if problem is None:
            return password, False
        click.echo(problem, err=True)


@user_group.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, metavar="ROLE", help="Platform role (repeatable).")
@click.option("--name", default="", help="Full name (default: the part before the @).")
@click.option("--locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.option(
    "--generate-password",
    is_flag=True,
    help="Generate a strong password and print it once (the default without a terminal).",
)
def create_user_command(
    email: str,
    roles: tuple[str, ...],
    name: str,
    locale: str,
    password_stdin: bool,
    generate_password: bool,
) -> None:
    """Create an active account with a verified e-mail."""
    if password_stdin and generate_password:
        raise click.UsageError("use either --password-stdin or --generate-password")
    if len(name.strip()) > 200:
        raise click.ClickException("--name is longer than 200 characters")
    wanted = list(dict.fromkeys(parse_role(r) for r in roles))
    with operator_transaction():
        ops.check_new_account(email)  # before asking for a password
    password, generated = _read_password(password_stdin, generate_password)
    with operator_transaction():
        data = {
            "email": email,
            "full_name": name.strip() or email.split("@")[0],
            "password": password,
            "locale": locale,
        }
        user = ops.create_verified_user(data, wanted)
        summary = f"created account {user.id} {user.email}"
        summary += f" with roles: {', '.join(wanted)}" if wanted else " (no platform role)"
    click.echo(summary)
    if generated:
        click.echo(f"password (shown once, store it now): {password}")


@user_group.command("role")
@click.argument("email")
@click.argument("role")
@click.option("--remove", is_flag=True, help="Remove the role instead of granting it.")
def role_command(email: str, role: str, remove: bool) -> None:
    """Grant (or with --remove, take away) a platform role."""
    platform_role = parse_role(role)
    with operator_transaction():
        user = existing_user(email)
        had = user.has_role(platform_role)
        if remove:
            ops.revoke_role(user, platform_role, None)
        else:
            ops.grant_role(user, platform_role, None)
    if remove:
        message = f"removed role {platform_role} from {user.email}"
        if not had:
            message = f"{user.email} does not have role {platform_role}; nothing changed"
    else:
        message = f"granted role {platform_role} to {user.email}"
        if had:
            message = f"{user.email} already has role {platform_role}; nothing changed"
    click.echo(message)
