import contextlib
import re

import click
import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from edmunds.console.generators.names import LINE_LENGTH

# The project's own packages (ruff's known-first-party): their imports form
# the block a new import joins, in the order ruff's isort keeps.
FIRST_PARTY = ("app", "bootstrap", "config", "edmunds")


class SourceFile:
    """A project's Python file as a concrete syntax tree: edited, never rewritten.

    Only the lines a generator adds change; every other byte stays as it
    was (comments, formatting, line endings, the encoding a coding cookie
    declares), and the result is what ruff would write.
    """

    def __init__(self, path):
        self.path = path
        try:
            # Bytes: libcst decodes them as Python would (a coding cookie,
            # else UTF-8) and remembers the encoding and the line endings.
            self.original = path.read_bytes()
            module = cst.parse_module(self.original)
        except (OSError, SyntaxError, UnicodeError, cst.ParserSyntaxError) as error:
            first_line = str(error).strip().splitlines()[0]
            raise click.ClickException(f"cannot read {path}: {first_line}") from None
        if module.bytes != self.original:
            # libcst gives back what it read but for a few rarities (lines
            # ending in a lone CR): an edit would change lines of the user's.
            raise click.ClickException(
                f"cannot edit {path} without changing lines it did not add "
                "(lines ending in a lone CR?): add the import and the entry by hand"
            )
        self.wrapper = MetadataWrapper(module)
        self.module = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)

    def defines(self, name):
        """Whether a top-level statement binds ``name`` (an import, a variable,
        a class or function)."""
        for statement in self.module.body:
            if isinstance(statement, cst.ClassDef | cst.FunctionDef):
                if statement.name.value == name:
                    return True
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

    def write(self):
        """Write the file back in its encoding; one line if that fails."""
        try:
            self.path.write_bytes(self.module.bytes)
        except OSError as error:
            # Cut short (a full disk), the file would stay half written: the
            # original goes back, shorter than what did not fit.
            self.restore()
            raise click.ClickException(
                f"cannot write {self.path}: {error.strerror or error}"
            ) from None

    def restore(self):
        """The file as it was read, after a later step of the same generator
        failed; silent, as that step's error is the one to tell."""
        with contextlib.suppress(OSError):
            self.path.write_bytes(self.original)

    def add_import(self, module, name):
        """``from module import name``, where ruff's isort would put it."""
        statement = f"from {module} import {name}"
        if len(statement) > LINE_LENGTH:
            # As ruff's isort and formatter wrap it; libcst writes its line
            # breaks as the file's own.
            statement = (
                f"from {module} import (\n{self.module.default_indent}{name},\n)"
            )
        statement = cst.parse_statement(statement + "\n")
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

    def append(self, source):
        """The top-level statements of ``source`` at the end, two blank lines
        before them, as ruff keeps a class or function; a comment that ended
        the file stays last."""
        statements = list(cst.parse_module(source).body)
        statements[0] = statements[0].with_changes(
            leading_lines=[cst.EmptyLine(), cst.EmptyLine()]
        )
        self.module = self.module.with_changes(body=[*self.module.body, *statements])


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
