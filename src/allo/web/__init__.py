"""HTTP layer: JSON API, HTML pages and static files over the domain services."""
