import re

import click
import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

# The project's own packages (ruff's known-first-party): their imports form
# the block a new import joins, in the order ruff's isort keeps.
FIRST_PARTY = ("app", "bootstrap", "config", "edmunds")


class ConfigFile:
    """``config/app.py`` as a concrete syntax tree: edited, never rewritten.

    Only the lines a generator adds change; the user's formatting, comments
    and order stay as they are, and the result is what ruff would write.
    """

    def __init__(self, path):
        self.path = path
        try:
            module = cst.parse_module(path.read_text())
        except (OSError, cst.ParserSyntaxError) as error:
            first_line = str(error).strip().splitlines()[0]
            raise click.ClickException(f"cannot read {path}: {first_line}") from None
        self.wrapper = MetadataWrapper(module)
        self.module = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)

    def defines(self, name):
        """Whether a top-level statement binds ``name`` (an import, a variable)."""
        for statement in self.module.body:
            for node in _walk(statement):
                if isinstance(node, cst.ImportAlias):
                    bound = node.asname.name if node.asname else node.name
                    if isinstance(bound, cst.Name) and bound.value == name:
                        return True
                if isinstance(node, cst.AssignTarget | cst.AnnAssign):
                    target = node.target
                    if isinstance(target, cst.Name) and target.value == name:
                        return True
        return False

    def add(self, keys, module, name):
        """Import ``name`` from ``module`` and append it to ``APP[keys...]``."""
        listed = self._list(keys)
        self.module = self.module.deep_replace(listed, self._appended(listed, name))
        self._add_import(module, name)

    def write(self):
        self.path.write_text(self.module.code)

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
        for statement in self.module.body:
            for node in _walk(statement):
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

    def _appended(self, listed, name):
        elements = list(listed.elements)
        outer = " " * self._line_indent(listed)
        closing = listed.rbracket.whitespace_before
        if (
            elements
            and isinstance(elements[-1].comma, cst.Comma)
            and isinstance(closing, cst.ParenthesizedWhitespace)
        ):
            # The usual shape, one element a line and a trailing comma: the
            # new element takes the line before the closing bracket, after
            # any comment there.
            last = elements[-1]
            indent = " " * self.positions[last].start.column
            elements[-1] = last.with_changes(
                comma=last.comma.with_changes(
                    whitespace_after=closing.with_changes(
                        indent=False, last_line=cst.SimpleWhitespace(indent)
                    )
                )
            )
            return listed.with_changes(
                elements=[*elements, cst.Element(cst.Name(name), comma=cst.Comma())],
                rbracket=listed.rbracket.with_changes(
                    whitespace_before=_line_break(outer)
                ),
            )
        # Empty, on one line, or without a trailing comma: one element a line
        # and a trailing comma, which ruff's formatter keeps.
        inner = outer + self.module.default_indent
        values = [element.value for element in elements] + [cst.Name(name)]
        return listed.with_changes(
            lbracket=cst.LeftSquareBracket(whitespace_after=_line_break(inner)),
            elements=[
                cst.Element(
                    value,
                    comma=cst.Comma(
                        whitespace_after=cst.SimpleWhitespace("")
                        if index == len(values) - 1
                        else _line_break(inner)
                    ),
                )
                for index, value in enumerate(values)
            ],
            rbracket=cst.RightSquareBracket(whitespace_before=_line_break(outer)),
        )

    def _line_indent(self, node):
        line = self.module.code.splitlines()[self.positions[node].start.line - 1]
        return len(line) - len(line.lstrip(" "))

    def _add_import(self, module, name):
        statement = cst.parse_statement(f"from {module} import {name}\n")
        body = list(self.module.body)
        imports = [i for i, s in enumerate(body) if _imported_module(s) is not None]
        ours = [
            i for i in imports if _imported_module(body[i]).split(".")[0] in FIRST_PARTY
        ]
        after_ours = [
            i
            for i in ours
            if isinstance(body[i].body[0], cst.ImportFrom)
            and _sort_key(_imported_module(body[i])) > _sort_key(module)
        ]
        if after_ours:
            position = after_ours[0]
            # The comments above the import that now comes second stay on top.
            statement = statement.with_changes(
                leading_lines=body[position].leading_lines
            )
            body[position] = body[position].with_changes(leading_lines=())
        elif ours:
            position = ours[-1] + 1
        else:
            # A block of its own, after the other imports.
            position = imports[-1] + 1 if imports else _after_docstring(body)
            statement = statement.with_changes(
                leading_lines=[cst.EmptyLine()] if imports else ()
            )
            if position < len(body) and not body[position].leading_lines:
                body[position] = body[position].with_changes(
                    leading_lines=[cst.EmptyLine()]
                )
        body.insert(position, statement)
        self.module = self.module.with_changes(body=body)


def _walk(statement):
    """The nodes of one simple statement line (imports and assignments)."""
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            yield small
            if isinstance(small, cst.Import | cst.ImportFrom) and not isinstance(
                small.names, cst.ImportStar
            ):
                yield from small.names
            if isinstance(small, cst.Assign):
                yield from small.targets


def _value_of(dictionary, key):
    for element in dictionary.elements:
        if (
            isinstance(element, cst.DictElement)
            and isinstance(element.key, cst.SimpleString)
            and element.key.evaluated_value == key
        ):
            return element.value
    return None


def _imported_module(statement):
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.ImportFrom) and small.module and not small.relative:
            return cst.helpers.get_full_name_for_node(small.module)
        if isinstance(small, cst.Import):
            return cst.helpers.get_full_name_for_node(small.names[0].name)
    return None


def _sort_key(module):
    # Natural order, as ruff's isort sorts: tag2 before tag10.
    return [
        int(part) if part.isdigit() else part
        for part in re.split(r"(\d+)", module.lower())
    ]


def _after_docstring(body):
    first = body[0] if body else None
    if (
        isinstance(first, cst.SimpleStatementLine)
        and isinstance(first.body[0], cst.Expr)
        and isinstance(first.body[0].value, cst.SimpleString)
    ):
        return 1
    return 0


def _line_break(indent):
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=False,
        last_line=cst.SimpleWhitespace(indent),
    )
