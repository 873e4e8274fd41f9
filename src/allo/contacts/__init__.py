"""Contacts: channels, queues, agents, routing, escalation, outcomes, surveys."""
