import secrets

import click
from flask_security.utils import hash_password

from edmunds.database.seeding.seeder import Seeder

EMAIL = "admin@example.com"


class AdminSeeder(Seeder):
    """In development only: an admin to log in as, with a password made
    here and printed once. Seeding again keeps the admin and its password;
    ``python manage.py auth set-password admin@example.com`` changes it."""

    def run(self):
        if self.app.config["APP_ENV"] != "development":
            return
        datastore = self.app.auth_userdatastore()
        if datastore.find_user(email=EMAIL) is not None:
            return
        password = secrets.token_urlsafe(12)
        admin = datastore.create_user(
            email=EMAIL, name="Admin", password=hash_password(password), tags=[]
        )
        datastore.add_role_to_user(admin, datastore.find_or_create_role("admin"))
        click.echo(f"Log in as {EMAIL} with the password {password} (shown once).")
