import click
import libcst as cst

from edmunds.console.generators.listedit import appended
from edmunds.console.generators.sourcefile import SourceFile


class ConfigFile(SourceFile):
    """``config/app.py``, where a generator lists what it wrote."""

    def add(self, keys, module, name):
        """Import ``name`` from ``module`` and append it to ``APP[keys...]``."""
        listed = self._list(keys)
        outer = self._line_indent(listed)
        grown = appended(listed, name, outer, outer + self.module.default_indent)
        self.module = self.module.deep_replace(listed, grown)
        self.add_import(module, name)

    def _list(self, keys):
        where = "APP" + "".join(f"[{key!r}]" for key in keys)
        node = self._app_dict()
        for key in keys:
            node = _value_of(node, key) if isinstance(node, cst.Dict) else None
        if not isinstance(node, cst.List):
            raise click.ClickException(
                f"{self.path.name} has no {where} list to add to: add "
                f"{where} = [] there first"
            )
        return node

    def _app_dict(self):
        # The last assignment, as the last of repeated keys below: the one
        # Python keeps, so the new name goes where the app will read it. A
        # repeat is no reason to refuse: Python runs the file, and ruff's
        # F601 already points the repeated key out.
        for statement in reversed(self.module.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for node in statement.body:
                if (
                    isinstance(node, cst.Assign)
                    and any(
                        isinstance(t.target, cst.Name) and t.target.value == "APP"
                        for t in node.targets
                    )
                    and isinstance(node.value, cst.Dict)
                ):
                    return node.value
        return None

    def _line_indent(self, node):
        line = self.module.code.splitlines()[self.positions[node].start.line - 1]
        return line[: len(line) - len(line.lstrip(" \t"))]


def _value_of(dictionary, key):
    for element in reversed(dictionary.elements):
        if (
            isinstance(element, cst.DictElement)
            and isinstance(element.key, cst.SimpleString)
            and element.key.evaluated_value == key
        ):
            return element.value
    return None
