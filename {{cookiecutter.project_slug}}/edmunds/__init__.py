"""A compact Edmunds core on Flask 3, Flask-SQLAlchemy 3 and Flask-Migrate 4.

Edmunds gave Flask a Laravel-like layout: configuration in ``config/``,
wiring in service providers, a database described as a list of instances.
The original pins Flask 0.12, so this project carries the part of it that
it uses, with the same import paths. The heavy lifting stays in Flask,
Flask-SQLAlchemy, Flask-Migrate and Alembic.
"""

from edmunds.support import lazyimports

# Before anything of the app imports marshmallow or PyYAML: see the module.
lazyimports.install()
