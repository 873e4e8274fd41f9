"""Benchmarks: each script measures a baseline in the same run and writes docs/benchmarks/<topic>.md."""
