"""Libraries' import-time work, left until it is used (issue 24, point 6).

Installed by ``edmunds/__init__.py``, so before anything of the app imports
them; it changes no behaviour, only when the work is done:

- marshmallow.validate compiles ``Email.DOMAIN_REGEX`` as the class is
  defined: a case-insensitive class over U+00A1 to U+FFFF, which Python's
  ``re`` folds character by character, 385 M instructions (0.1 to 0.2 s),
  more than a tenth of the app's boot, for a validator the app may never
  call. While that module runs, such a pattern (case-insensitive, reaching
  U+FFFF) is a LazyPattern, compiled on its first use, by the same
  ``re.compile``; every other pattern is compiled as always.
- email_validator.rfc_constants, which Flask-Security imports, compiles
  four patterns whose classes run from U+0080 to U+10FFFF: ``re`` first
  marks each character up to U+FFFF in a map, one at a time, before it
  finds the range goes past the first plane, 280 M instructions of the
  boot (a tenth of it), for addresses checked at a login or by ``manage.py
  auth`` alone (a worker's first login pays it, once). There, a pattern
  reaching past U+FFFF waits the same way.
- PyYAML is imported by flask-smorest for ``flask openapi print --format
  yaml`` alone (100 M instructions): it runs on its first attribute read
  (``importlib.util.LazyLoader``'s way, whole to every thread: _LazyModule
  below). So do two modules Flask-Security's
  imports bring for what the app leaves off: ``pdb`` (10 M, with ``bdb``,
  ``cmd`` and ``code``), which ``click.testing`` imports for CliRunner's
  debugger streams (through Flask-Login's test client), and
  ``urllib.request`` (8 M), which ``flask_security.utils`` imports to ask
  Have I Been Pwned about passwords (SECURITY_PASSWORD_CHECK_BREACHED, off).

tests/edmunds/test_lazyimports.py checks them all, and that a boot leaves them
undone.
"""

import importlib.util
import re
import sys
import threading
import types

_compile = re.compile


class LazyPattern:
    """A compiled pattern to be: compiled by ``re.compile`` on the first read
    of any of its attributes (``match``, ``pattern``, ...)."""

    def __init__(self, pattern, flags):
        self._source = (pattern, flags)
        self._compiled = None

    def __getattr__(self, name):
        # Not for Python's own look-ups (abc reads __isabstractmethod__ of
        # every attribute of a class it makes): those find nothing.
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _compile(*self._source)
        return getattr(compiled, name)

    def __repr__(self):
        return f"LazyPattern({self._source[0]!r}, {self._source[1]!r})"


def _costly(pattern, flags):
    """Whether re walks the first plane character by character: a
    case-insensitive pattern reaching U+FFFF (each character folded), or one
    reaching past U+FFFF (each character marked in a map first)."""
    if not isinstance(pattern, str) or not pattern:
        return False
    if flags & re.IGNORECASE and "\uffff" in pattern:
        return True
    return max(pattern) > "\uffff" or "\\U" in pattern


def _compile_lazily(pattern, flags=0):
    if _costly(pattern, flags):
        return LazyPattern(pattern, flags)
    return _compile(pattern, flags)


class _CompilingLazily:
    """A module's loader, running the module with re.compile as above."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        # get_source, get_filename, ...: tracebacks read the module's source.
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        # Once, under Python's import lock for the module. Another thread
        # compiling meanwhile gets the same patterns, but one like Email's
        # would compile at its first use: that costs no change either.
        re.compile = _compile_lazily
        try:
            self._loader.exec_module(module)
        finally:
            re.compile = _compile


class _LazyModule(types.ModuleType):
    """A module run on the first read of any of its attributes, as
    importlib.util.LazyLoader's, and whole to every thread: Python 3.11 and
    3.12 before 3.12.3 make the module a plain one before running it, so
    that a second thread reading it meanwhile finds names missing
    (CPython gh-114763; urllib.request read by two requests at once).
    Another thread waits for the run; the running one reads what is there."""

    def __getattribute__(self, name):
        spec = types.ModuleType.__getattribute__(self, "__spec__")
        lock = spec.loader_state[0]
        with lock:
            if type(self) is _LazyModule:
                # This thread's own reads as the module runs.
                if spec.loader_state[1]:
                    return types.ModuleType.__getattribute__(self, name)
                spec.loader_state = (lock, True)
                try:
                    spec.loader.exec_module(self)
                except BaseException:
                    spec.loader_state = (lock, False)
                    raise
                self.__class__ = types.ModuleType
        return getattr(self, name)

    def __delattr__(self, name):
        getattr(self, name)
        delattr(self, name)


class _RunningLazily(importlib.util.LazyLoader):
    """LazyLoader, making the module a _LazyModule rather than its own."""

    def exec_module(self, module):
        # As LazyLoader's, before which the module is an ordinary one.
        module.__spec__.loader = module.__loader__ = self.loader
        module.__spec__.loader_state = (threading.RLock(), False)
        module.__class__ = _LazyModule


# The module to run with lazy patterns, and those to run on first use.
LAZY_PATTERNS = frozenset(("marshmallow.validate", "email_validator.rfc_constants"))
LAZY_MODULES = frozenset(("yaml", "pdb", "urllib.request"))


class LazyImports:
    """A finder ahead of Python's own: it finds the modules above as they
    would, and gives them the loaders above."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in LAZY_PATTERNS and fullname not in LAZY_MODULES:
            return None
        for finder in sys.meta_path:
            if isinstance(finder, LazyImports) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        if fullname in LAZY_PATTERNS:
            spec.loader = _CompilingLazily(spec.loader)
        else:
            spec.loader = _RunningLazily(spec.loader)
        return spec


def install():
    """Once per process; a module already imported stays as it is."""
    if not any(isinstance(finder, LazyImports) for finder in sys.meta_path):
        sys.meta_path.insert(0, LazyImports())
