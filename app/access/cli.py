"""`tamis keys`: create (the secret is printed once), list, revoke, and the first local key."""

import os
import secrets
import uuid
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from app.access import service, users
from app.access.policy import ROLES, Role
from app.commands import command_session
from app.core.config import get_settings
from app.core.errors import NotFound

keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)


def _role(value: str) -> Role:
    if value not in ROLES:
        raise typer.BadParameter(f"'{value}' is not a role; choose one of: {', '.join(ROLES)}")
    return value


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who or what uses the key, e.g. 'ATS production'.")],
    role: Annotated[str, typer.Option(help="admin, recruiter, interviewer or integration.")],
    email: Annotated[
        str | None, typer.Option(help="The interviewer's email (required for an interviewer).")
    ] = None,
) -> None:
    """Create a key and print its secret: it is shown this once and stored only hashed."""
    checked = _role(role)
    if checked == "interviewer" and not email:
        raise typer.BadParameter("an interviewer key needs --email: it writes in that name")
    with command_session(get_settings(), "keys create") as session:
        key, secret = service.create(session, name=name, role=checked, email=email)
    typer.echo(f"created key {key.id} ({key.role}) for {key.name}")
    typer.echo(f"secret (shown once): {secret}")


@keys_app.command("list")
def list_keys() -> None:
    """List the keys (never their secrets)."""
    with command_session(get_settings(), "keys list") as session:
        keys = service.list_all(session)
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        typer.echo(f"{key.id}  {key.prefix}…  {key.role:<11}  {state:<18}  {key.name}")
    if not keys:
        typer.echo("no keys yet: create one with `tamis keys create --name NAME --role admin`")


@keys_app.command("revoke")
def revoke(key_id: Annotated[uuid.UUID, typer.Argument(help="The key's id (see `list`).")]) -> None:
    """Revoke a key: it stops working at once."""
    with command_session(get_settings(), "keys revoke") as session:
        key = service.revoke(session, key_id)
    typer.echo(f"revoked key {key.id} ({key.name})")


@keys_app.command("bootstrap")
def bootstrap(
    out: Annotated[
        Path | None, typer.Option(help="Where to write the key (default: data/admin-key.txt).")
    ] = None,
) -> None:
    """On a local setup with no key yet, create an admin key and write it to a private file.

    With TAMIS_ENV=production nothing is created: the command says how to make the first key.
    """
    settings = get_settings()
    with command_session(settings, "keys bootstrap") as session:
        if service.count_active(session):
            return
        if settings.env == "production":
            typer.echo(
                "No API key exists yet. Create the first one with:\n"
                "  tamis keys create --name 'First admin' --role admin"
            )
            return
        _key, secret = service.create(session, name="Local admin", role="admin")
    path = out or settings.data_dir / "admin-key.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")
    typer.echo(
        f"Created an admin API key for this local setup; it is in {path} (readable by you only).\n"
        f'Use it as: curl -H "Authorization: Bearer $(cat {path})" '
        "http://127.0.0.1:8000/api/v1/candidates"
    )


# Asked for on the terminal (hidden, twice) unless given.
PasswordOption = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Asked for when not given (at least 12 characters, not a common one).",
    ),
]

users_app = typer.Typer(help="People who sign in to the web pages.", no_args_is_help=True)


@users_app.command("create")
def create_user(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    role: Annotated[str, typer.Option(help="admin, recruiter, interviewer or integration.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the email).")] = None,
    password: PasswordOption = "",
) -> None:
    """Create an account; the password is stored as an argon2 hash."""
    checked = _role(role)
    try:
        with command_session(get_settings(), "users create") as session:
            user = users.create(
                session, email=email, name=name or email, role=checked, password=password
            )
    except users.WeakPassword as exc:
        raise typer.BadParameter(str(exc), param_hint="--password") from exc
    typer.echo(f"created {user.role} account {user.email}")


@users_app.command("list")
def list_users() -> None:
    """Every account: email, role, whether it is disabled, and its name."""
    with command_session(get_settings(), "users list") as session:
        for user in users.list_all(session):
            state = f"disabled {user.disabled_at:%Y-%m-%d}" if user.disabled_at else "active"
            typer.echo(f"{user.email}\t{user.role}\t{state}\t{user.name}")


def _account(session: Session, email: str) -> users.User:
    try:
        return users.by_email(session, email)
    except NotFound as exc:
        typer.echo(f"error: no account {email}", err=True)
        raise typer.Exit(1) from exc


@users_app.command("disable")
def disable_user(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Stop an account from signing in; its open sessions end at once."""
    with command_session(get_settings(), "users disable") as session:
        ended = users.disable(session, _account(session, email))
    typer.echo(f"disabled {email}; {ended} session(s) ended")


@users_app.command("enable")
def enable_user(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Let a disabled account sign in again."""
    with command_session(get_settings(), "users enable") as session:
        users.enable(session, _account(session, email))
    typer.echo(f"enabled {email}")


@users_app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    password: PasswordOption = "",
) -> None:
    """Set a new password (a reset); every session of the account ends."""
    try:
        with command_session(get_settings(), "users set-password") as session:
            ended = users.set_password(session, _account(session, email), password)
    except users.WeakPassword as exc:
        raise typer.BadParameter(str(exc), param_hint="--password") from exc
    typer.echo(f"password of {email} changed; {ended} session(s) ended")


@users_app.command("bootstrap")
def bootstrap_user() -> None:
    """On a local setup with no account yet, create an admin and print its sign-in once.

    With TAMIS_ENV=production nothing is created: the command says how to make the first one.
    """
    settings = get_settings()
    with command_session(settings, "users bootstrap") as session:
        if users.count(session):
            return
        if settings.env == "production":
            typer.echo(
                "No account exists yet. Create the first one with:\n"
                "  tamis users create --email you@example.org --role admin"
            )
            return
        password = secrets.token_urlsafe(12)
        users.create(
            session, email="admin@localhost", name="Admin", role="admin", password=password
        )
    typer.echo(
        "Created a first admin account for this local setup (shown once):\n"
        "  sign in at http://127.0.0.1:8000/ with admin@localhost / " + password
    )
