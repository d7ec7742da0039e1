from pathlib import Path
from string import Template

import click
from factory.alchemy import SQLAlchemyModelFactory

from edmunds.console.generators.calllayout import INDENT, Call, assignment
from edmunds.console.generators.sourcefile import SourceFile

STUB = Path(__file__).parent / "stubs" / "factory.py.stub"
# What a field must not hide on a factory: a field named create would take
# the place of its create(), and PostFactory() would make no row.
TAKEN = {name for name in dir(SQLAlchemyModelFactory) if not name.startswith("_")}


class FactoriesFile(SourceFile):
    """``tests/factories.py``, where ``make model`` adds the new model's factory.

    The factory derives from the file's ``Factory`` (the samples' base, which
    adds to ``db.session``); each field gets a Faker value of its type, a
    reference the factory of its model when the file has one.
    """

    def refuse_clashes(self, name, fields):
        for taken in (name, f"{name}Factory"):
            if self.defines(taken):
                raise click.ClickException(
                    f"tests/factories.py already has a {taken!r}: pick another name"
                )
        for field in fields:
            if field.name in TAKEN:
                raise click.ClickException(
                    f"field name {field.name!r} would hide factory-boy's "
                    f"{name}Factory.{field.name}: pick another"
                )

    def missing(self):
        """What the file lacks for a factory of the samples' kind, or None."""
        for needed in ("factory", "Factory"):
            if not self.defines(needed):
                return needed
        return None

    def add(self, module, name, fields):
        self.add_import(module, name)
        declarations = "".join(self._declaration(name, field) for field in fields)
        self.append(
            Template(STUB.read_text()).substitute(name=name, declarations=declarations)
        )

    def _declaration(self, name, field):
        if field.model is None:
            return assignment(INDENT, field.name, field.fake)
        factory = f"{field.model}Factory"
        if self.defines(factory):
            return assignment(
                INDENT, field.name, Call("factory.SubFactory", (factory,))
            )
        return (
            f"{INDENT}# {field.name}: no {factory} here to make one; pass it, "
            f"{name}Factory({field.name}=...)\n"
        )
