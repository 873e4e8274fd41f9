"""Operations: metrics, structured logs, backups, what runs a node in production."""
