class DatabaseConnectionError(Exception):
    """A database instance could not be reached or refused to let us in.

    Raised in place of the driver's own error when a connection cannot be
    opened (server down, wrong password, no such database), with a message
    that names the instance; the console prints it as one line.
    """
