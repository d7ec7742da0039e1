#!/usr/bin/env python
"""The console: ``python manage.py --help`` lists the commands."""

from edmunds.console.manager import Manager


def create_app():
    # Imported here, not at the top: the console turns a mistake in the
    # app's imports (a model's name misspelt) into one line.
    from bootstrap.app import bootstrap

    return bootstrap()


if __name__ == "__main__":
    Manager(create_app).run()
