"""What the contact flow shows a metrics scraper: queue lengths, oldest wait and agents by state,
read from the database at scrape time (every node reports the same truth; nothing is counted in a
process)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from allo.contacts import repository


class QueueGauges(Collector):
    """Queue lengths, oldest wait and agents by state, read from the database at scrape time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Any]:
        waiting = GaugeMetricFamily(
            "allo_queue_waiting", "Contacts en attente, par file.", labels=["queue"]
        )
        taken = GaugeMetricFamily(
            "allo_queue_taken", "Contacts pris par un agent, par file.", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "allo_queue_oldest_wait_seconds",
            "Attente du plus ancien contact en attente, par file (0 si la file est vide).",
            labels=["queue"],
        )
        agents = GaugeMetricFamily(
            "allo_agents", "Agents actifs, par état (disponible, occupé…).", labels=["state"]
        )
        now = datetime.now(UTC)
        with self.sessions() as session:
            for row in repository.queue_rows(session):
                waiting.add_metric([row.queue], row.waiting)
                taken.add_metric([row.queue], row.taken)
                age = (now - row.oldest_queued_at).total_seconds() if row.oldest_queued_at else 0
                oldest.add_metric([row.queue], max(0.0, age))
            for state, count in sorted(repository.agent_state_counts(session).items()):
                agents.add_metric([state], count)
        yield from (waiting, taken, oldest, agents)
