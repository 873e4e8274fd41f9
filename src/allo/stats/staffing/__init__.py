"""Staffing: forecast from recorded contacts, Erlang C/A requirements, simulation, roster."""
