"""What an import did to the rows it stores, counted the same way by every importer.

The knowledge-base and directory reports extend it with what is their own (records read, files
skipped, points computed…).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ChangeCounts:
    """Rows added, changed, left as they were, and removed by one import."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0

    def change_counts(self) -> dict[str, int]:
        """The four counts, first in every report's dict (CLI output, import history)."""
        return {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }
