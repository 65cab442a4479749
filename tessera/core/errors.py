"""Errors raised by services; each interface turns them into responses in one place."""


class ApplicationError(Exception):
    """A domain rule refused the operation; ``message`` is safe to show the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
