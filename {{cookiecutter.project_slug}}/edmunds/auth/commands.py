import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_security.utils import hash_password

from edmunds.auth.login import normalized
from edmunds.database.db import db


@click.group("auth")
def auth_group():
    """Users who log in: their passwords, roles and tokens."""


def _datastore():
    return current_app.extensions["security"].datastore


def _user(email):
    user = _datastore().find_user(case_insensitive=True, email=normalized(email))
    if user is None:
        raise click.ClickException(f"no user has the email {email!r}")
    return user


def _valid(email):
    """The email as stored (Flask-Security's normalization), or a one-line
    refusal. Its syntax only: validate() would also ask DNS whether the
    domain takes mail, which needs dnspython, left out of the lock."""
    try:
        return current_app.extensions["security"]._mail_util.normalize(email)
    except ValueError as error:
        raise click.ClickException(
            f"{email!r} is not an email address: {error}"
        ) from None


def _password(from_stdin):
    """Asked twice without echo, or one line of standard input (as `docker
    login --password-stdin` reads it); refused below the minimum length."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    shortest = current_app.config.get("SECURITY_PASSWORD_LENGTH_MIN", 12)
    if len(password) < shortest:
        raise click.ClickException(f"a password needs at least {shortest} characters")
    return password


@auth_group.command("create-user")
@click.argument("email")
@click.option("--name", help="The user's name; the email's local part by default.")
@click.option("--role", "roles", multiple=True, help="A role to give (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@with_appcontext
def create_user(email, name, roles, password_stdin):
    """Create a user who can log in with EMAIL and a password."""
    datastore = _datastore()
    email = _valid(email)
    if datastore.find_user(case_insensitive=True, email=email) is not None:
        raise click.ClickException(f"a user has the email {email!r} already")
    password = _password(password_stdin)
    user = datastore.create_user(
        email=email,
        name=name or email.split("@")[0][:50],
        password=hash_password(password),
        tags=[],
    )
    for role in roles:
        datastore.add_role_to_user(user, datastore.find_or_create_role(role))
    db.session.commit()
    click.echo(
        f"Created user {user.id} <{email}>"
        + (f" ({', '.join(roles)})" if roles else "")
    )


@auth_group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@with_appcontext
def set_password(email, password_stdin):
    """Give the user a new password; their tokens end."""
    user = _user(email)
    user.password = hash_password(_password(password_stdin))
    _datastore().set_uniquifier(user)
    db.session.commit()
    click.echo(f"New password for <{user.email}>; their tokens have ended")


@auth_group.command("set-email")
@click.argument("user_id", type=int)
@click.argument("email")
@with_appcontext
def set_email(user_id, email):
    """Give the user with USER_ID the email they log in with (users from
    before authentication have none)."""
    datastore = _datastore()
    user = db.session.get(datastore.user_model, user_id)
    if user is None:
        raise click.ClickException(f"no user has the id {user_id}")
    email = _valid(email)
    other = datastore.find_user(case_insensitive=True, email=email)
    if other is not None and other is not user:
        raise click.ClickException(f"a user has the email {email!r} already")
    user.email = email
    db.session.commit()
    click.echo(f"User {user.id} logs in as <{email}>")


@auth_group.command("add-role")
@click.argument("email")
@click.argument("role")
@with_appcontext
def add_role(email, role):
    """Give the user a role (made if no user has it yet)."""
    datastore = _datastore()
    user = _user(email)
    if not datastore.add_role_to_user(user, datastore.find_or_create_role(role)):
        click.echo(f"<{user.email}> has the role {role!r} already")
        return
    db.session.commit()
    click.echo(f"<{user.email}> has the role {role!r}")


@auth_group.command("revoke")
@click.argument("email")
@with_appcontext
def revoke(email):
    """End every token of the user."""
    user = _user(email)
    _datastore().set_uniquifier(user)
    db.session.commit()
    click.echo(f"Every token of <{user.email}> has ended")
