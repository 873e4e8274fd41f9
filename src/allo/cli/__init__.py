"""The `allo` command: a thin layer over the domain services, one module per domain."""
