#!/usr/bin/env python
"""The console: ``python manage.py --help`` lists the commands."""

from edmunds.console.manager import Manager


def create_app():
    # Imported here, not at the top: the console turns a mistake in the
    # app's imports (a model's name misspelt) into one line.
    from bootstrap.app import bootstrap

    # Without its HTTP side: the Manager adds it for the commands that may
    # need it (run, shell, routes, the project's own), not for db and make.
    return bootstrap(http=False)


def add_http(app):
    from bootstrap.app import bootstrap_http

    bootstrap_http(app)


if __name__ == "__main__":
    Manager(create_app, add_http).run()
