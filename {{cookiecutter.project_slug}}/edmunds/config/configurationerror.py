import os
import traceback


class ConfigurationError(Exception):
    """A mistake in the project's configuration, reported as one line.

    The console prints the message alone, without a traceback: the message
    names what is wrong and where to fix it.
    """

    @classmethod
    def from_import_error(cls, error):
        """An import that failed while the app was built, as one line.

        Typically a model imported under a name its module does not define:
        the line names the file, the line and the name.
        """
        frames = [
            frame
            for frame in traceback.extract_tb(error.__traceback__)
            if not frame.filename.startswith("<")  # importlib's own frames
        ]
        if not frames:
            return cls(str(error))
        where = frames[-1]
        return cls(f"{os.path.relpath(where.filename)} line {where.lineno}: {error}")

    @classmethod
    def from_error_in(cls, filename, error):
        """An error raised while a configuration file ran, as one line:
        the file, its line, and the error (``NameError: name 'x' is not
        defined``)."""
        lines = [
            frame.lineno
            for frame in traceback.extract_tb(error.__traceback__)
            if frame.filename == filename
        ]
        line = f" line {lines[-1]}" if lines else ""
        return cls(
            f"{os.path.relpath(filename)}{line}: {type(error).__name__}: {error}"
        )
