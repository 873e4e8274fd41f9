"""Storage: SQLAlchemy engine, declarative base, sessions and migrations."""
