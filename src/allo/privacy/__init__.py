"""Personal data: redaction before storage, retention, audit."""
