"""Search: French text analysis, the in-process index, ranking and evaluation."""
