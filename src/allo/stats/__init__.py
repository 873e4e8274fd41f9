"""Reporting, staffing and the day simulation."""
