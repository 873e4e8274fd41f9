"""Allo: a two-level public administrative-information service (knowledge base, directory, contacts)."""

__version__ = "0.1.0"
