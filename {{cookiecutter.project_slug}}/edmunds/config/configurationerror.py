class ConfigurationError(Exception):
    """A mistake in the project's configuration, reported as one line.

    The console prints the message alone, without a traceback: the message
    names what is wrong and where to fix it.
    """
