import hashlib
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_security.utils import hash_password
from passlib.exc import PasswordSizeError
from sqlalchemy.exc import IntegrityError

from edmunds.auth.login import find_user, normalized
from edmunds.database.db import db

# The key of the PostgreSQL advisory lock that the commands writing an email
# take (_one_writer_of_emails).
EMAILS_KEY = int.from_bytes(
    hashlib.sha256(b"edmunds auth emails").digest()[:8], "big", signed=True
)


@click.group("auth")
def auth_group():
    """Users who log in: their passwords, roles and tokens."""


def _datastore():
    return current_app.extensions["security"].datastore


def _user(email):
    user = find_user(_valid(email))
    if user is None:
        raise click.ClickException(f"no user has the email {email!r}")
    return user


def _valid(email):
    """The email as the login finds it (login.normalized), or a one-line
    refusal. Its syntax only: validate() would also ask DNS whether the
    domain takes mail, which needs dnspython, left out of the lock."""
    try:
        return normalized(email)
    except ValueError as error:
        raise click.ClickException(
            f"{email!r} is not an email address: {error}"
        ) from None


def _taken(email, user=None):
    """Refuse an email that another user has, in any case."""
    _one_writer_of_emails()
    other = find_user(email)
    if other is not None and other is not user:
        raise click.ClickException(f"a user has the email {other.email!r} already")


def _one_writer_of_emails():
    """Until this transaction ends, the other commands that write an email
    wait: the check that no user has it in another case and the write are
    one step. The unique index only refuses the same spelling; on SQLite the
    write lock (BEGIN IMMEDIATE) and on MySQL the index's case-insensitive
    collation already make it one. PostgreSQL reads what is committed, and
    two commands would both find no 'Ann@x.io' and write it and 'ann@x.io'."""
    model = _datastore().user_model
    connection = db.session.connection(bind_arguments={"mapper": model})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({EMAILS_KEY})")


def _password(from_stdin):
    """The password's hash: asked twice without echo, or one line of standard
    input (as `docker login --password-stdin` reads it), normalized as
    Flask-Security normalizes what a login sends; refused below the minimum
    length and above what passlib hashes.

    No transaction is open while it is asked: on SQLite one would hold the
    database's write lock, and every other writer would fail after the busy
    timeout, while a person types.
    """
    db.session.rollback()
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = current_app.extensions["security"]._password_util.normalize(password)
    shortest = current_app.config.get("SECURITY_PASSWORD_LENGTH_MIN", 12)
    if len(password) < shortest:
        raise click.ClickException(f"a password needs at least {shortest} characters")
    try:
        return hash_password(password)
    except PasswordSizeError as error:
        raise click.ClickException(
            f"a password has at most {error.max_size} bytes"
        ) from None


def _commit(refusal):
    """Commit, or refuse in one line when another command wrote the same
    unique value (an email, a role's name) since this one looked."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        # The database's own words too: a unique value that is not the one
        # expected (an id its sequence gave twice) is named.
        said = " ".join(str(error.orig).split())
        raise click.ClickException(f"{refusal} (the database said: {said})") from None


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
    _taken(email)
    password = _password(password_stdin)
    # Again, in the transaction that adds the user: another command may have
    # made it while the password was typed (the unique index catches the
    # same spelling; this, on SQLite's write lock, another case of it).
    _taken(email)
    user = datastore.create_user(
        email=email, name=name or email.split("@")[0][:50], password=password, tags=[]
    )
    for role in roles:
        datastore.add_role_to_user(user, datastore.find_or_create_role(role))
    _commit(
        f"another command wrote the email {email!r} or one of the roles at the "
        "same time: nothing was written; run it again"
    )
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
    _user(email)
    password = _password(password_stdin)
    # Looked up again: the transaction that found it ended before the prompt.
    user = _user(email)
    user.password = password
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
    _taken(email, user)
    user.email = email
    _commit(f"a user has the email {email!r} already")
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
    _commit(
        f"another command wrote the role {role!r} at the same time: nothing "
        "was written; run it again"
    )
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
