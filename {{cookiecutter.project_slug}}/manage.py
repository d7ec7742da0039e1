#!/usr/bin/env python
"""The console: ``python manage.py --help`` lists the commands."""

from bootstrap.app import bootstrap
from edmunds.console.manager import Manager

if __name__ == "__main__":
    Manager(bootstrap).run()
