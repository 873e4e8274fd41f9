"""Tables of the privacy domain."""

from allo.db.base import Base  # noqa: F401
