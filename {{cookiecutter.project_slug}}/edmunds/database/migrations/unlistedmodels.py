import importlib
import os
import pkgutil

from sqlalchemy import Table

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db

# Where the project defines its models and tables (the page's layout).
MODELS_PACKAGE = "app.database.models"


def unlisted_models(app):
    """Models and tables of ``app/database/models/`` that ``modelsandtables`` lacks.

    Each as "Model (app/database/models/file.py)". A model left out is
    invisible to `db migrate` whenever nothing else happens to import it, so
    its table would be dropped or never created.
    """
    listed = set()
    for entry in app.config("app.database.modelsandtables", []):
        listed.add(entry if isinstance(entry, Table) else entry.__table__)
    found = {}
    for module in _modules(app):
        for name, value in vars(module).items():
            if isinstance(value, Table):
                table = value
            elif (
                isinstance(value, type)
                and issubclass(value, db.Model)
                and value.__module__ == module.__name__
                and "__table__" in vars(value)
            ):
                table = value.__table__
            else:
                continue
            if table not in listed and table not in found:
                path = os.path.relpath(module.__file__, app.root_path)
                found[table] = f"{name} ({path})"
    return sorted(found.values())


def _modules(app):
    try:
        package = importlib.import_module(MODELS_PACKAGE)
    except ModuleNotFoundError:
        return []
    modules = []
    for info in pkgutil.walk_packages(package.__path__, MODELS_PACKAGE + "."):
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError as error:
            raise ConfigurationError(
                f"{info.name} cannot be imported: {error}"
            ) from None
    return modules
