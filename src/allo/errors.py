"""Domain errors. Domain code raises these with a French message; the web layer maps them once."""

from __future__ import annotations


class AlloError(Exception):
    """Base of every error a user may see; `message` is French and safe to show."""

    status_code = 400

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(AlloError):
    status_code = 404


class InvalidInput(AlloError):
    status_code = 422


class Conflict(AlloError):
    """The action does not fit the current state of the object (closing twice…)."""

    status_code = 409


class Forbidden(AlloError):
    status_code = 403


class Unauthorized(AlloError):
    status_code = 401


class TooManyRequests(AlloError):
    """A rate limit or a login lockout: try again after `retry_after` seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
