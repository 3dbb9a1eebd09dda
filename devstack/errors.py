"""The one error type the command line turns into a message and exit status 1."""


class DevstackError(Exception):
    """A service could not be started, found or stopped."""
