"""Tables of the contacts domain."""

from allo.db.base import Base  # noqa: F401
