"""Tables of the directory domain."""

from allo.db.base import Base  # noqa: F401
