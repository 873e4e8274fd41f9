"""Discrete-event simulation of a planned day (SimPy): the people, not the software.

Phone callers arrive per queue and half-hour (Poisson, at the forecast rate), wait for an agent
of their queue, hang up when their patience (exponential, the forecast mean) runs out, are
handled for an exponential time of the forecast mean, and at level 1 are transferred to a
sector with the forecast escalation rates, where they queue again. Each queue has, in each
half-hour, the planned number of agents: an agent whose half-hour ends finishes the call in
hand before leaving (held by a priority request, so a freed place goes to them first).

It reports, per queue and half-hour of arrival, the same indicators as Erlang A, so the two
can be compared; `allo simulate day` (the HTTP replay) remains the software's load test.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import simpy

from allo.contacts.models import LEVEL1_QUEUE

SLOT_S = 1800.0


@dataclass(frozen=True)
class QueueModel:
    """One queue: arrivals per half-hour from outside (level 1), agents per half-hour, means."""

    arrivals: Sequence[float]
    agents: Sequence[int]
    aht_s: float
    patience_s: float | None


@dataclass
class SlotTally:
    arrivals: int = 0
    answered: int = 0
    answered_in_time: int = 0
    abandoned: int = 0
    wait_s: float = 0.0

    def merge(self, other: SlotTally) -> None:
        self.arrivals += other.arrivals
        self.answered += other.answered
        self.answered_in_time += other.answered_in_time
        self.abandoned += other.abandoned
        self.wait_s += other.wait_s

    def as_dict(self) -> dict[str, Any]:
        n = self.arrivals
        return {
            "arrivals": n,
            "service_level": round(self.answered_in_time / n, 4) if n else None,
            "asa_s": round(self.wait_s / n, 1) if n else None,
            "abandonment": round(self.abandoned / n, 4) if n else None,
        }


@dataclass
class SimulationResult:
    #: queue → per half-hour tallies (summed over replications)
    slots: dict[str, list[SlotTally]] = field(default_factory=dict)
    replications: int = 1
    contacts: int = 0
    #: queue → per half-hour tallies of each replication (for confidence intervals)
    runs: list[dict[str, list[SlotTally]]] = field(default_factory=list)

    def half_width(self, queue: str, slot: int) -> float:
        """95 % half-width of the service level of one half-hour across the replications."""
        return ratio_half_width([run[queue][slot] for run in self.runs], self.slots[queue][slot])

    def queue_totals(self) -> dict[str, dict[str, Any]]:
        totals = {}
        for queue, tallies in self.slots.items():
            total = SlotTally()
            for t in tallies:
                total.merge(t)
            totals[queue] = total.as_dict()
        return totals


class _Day:
    def __init__(
        self,
        queues: Mapping[str, QueueModel],
        escalation: Mapping[str, float],
        within_s: Mapping[str, float],
        seed: int,
    ) -> None:
        self.env = simpy.Environment()
        self.rng = random.Random(seed)  # noqa: S311 — a model of callers, not a secret
        self.queues = queues
        self.escalation = escalation
        self.within_s = within_s
        self.slots = len(next(iter(queues.values())).arrivals)
        self.tally = {q: [SlotTally() for _ in range(self.slots)] for q in queues}
        peak = {q: max([*m.agents, 0]) for q, m in queues.items()}
        self.pool = {q: simpy.PriorityResource(self.env, capacity=max(peak[q], 1)) for q in queues}
        self.peak = peak
        self.contacts = 0

    # Off-duty places: priority −1 requests that hold a place while an agent is not on duty.
    def _rota(self, queue: str) -> Generator[Any, Any, None]:
        model, pool = self.queues[queue], self.pool[queue]
        held: list[Any] = []
        # Capacity 1 for a queue never staffed: hold it for the whole day.
        target_off = [max(pool.capacity - n, 0) for n in model.agents]
        for slot in range(self.slots):
            want = target_off[slot]
            while len(held) > want:
                place = held.pop()
                if place.triggered:
                    pool.release(place)
                else:
                    place.cancel()
            while len(held) < want:
                held.append(pool.request(priority=-1))
            yield self.env.timeout(SLOT_S)

    def _arrivals(self, queue: str) -> Generator[Any, Any, None]:
        model = self.queues[queue]
        for slot in range(self.slots):
            rate = model.arrivals[slot] / SLOT_S
            end = (slot + 1) * SLOT_S
            if rate <= 0:
                yield self.env.timeout(end - self.env.now)
                continue
            while True:
                gap = self.rng.expovariate(rate)
                if self.env.now + gap >= end:
                    yield self.env.timeout(end - self.env.now)
                    break
                yield self.env.timeout(gap)
                self.env.process(self._caller(queue))

    def _caller(self, queue: str) -> Generator[Any, Any, None]:
        model, env = self.queues[queue], self.env
        self.contacts += 1
        arrived = env.now
        slot = min(int(arrived // SLOT_S), self.slots - 1)
        tally = self.tally[queue][slot]
        tally.arrivals += 1
        request = self.pool[queue].request(priority=0)
        if model.patience_s:
            patience = env.timeout(self.rng.expovariate(1 / model.patience_s))
            outcome = yield request | patience
            if request not in outcome:
                request.cancel()
                tally.abandoned += 1
                tally.wait_s += env.now - arrived
                return
        else:
            yield request
        waited = env.now - arrived
        tally.wait_s += waited
        tally.answered += 1
        if waited <= self.within_s.get(queue, 60.0):
            tally.answered_in_time += 1
        yield env.timeout(self.rng.expovariate(1 / model.aht_s))
        self.pool[queue].release(request)
        if queue == LEVEL1_QUEUE:
            draw = self.rng.random()
            for sector, rate in self.escalation.items():
                if draw < rate:
                    if sector in self.queues:
                        env.process(self._caller(sector))
                    break
                draw -= rate

    def run(self) -> None:
        for queue in self.queues:
            self.env.process(self._rota(queue))
            if queue == LEVEL1_QUEUE or not self.escalation:
                self.env.process(self._arrivals(queue))
        # Let the last callers finish after the day's last half-hour.
        self.env.run(until=self.slots * SLOT_S + 4 * 3600)


def simulate(
    queues: Mapping[str, QueueModel],
    *,
    escalation: Mapping[str, float] | None = None,
    within_s: Mapping[str, float] | None = None,
    replications: int = 1,
    seed: int = 1,
) -> SimulationResult:
    """Run the day `replications` times; with `escalation`, sectors get their arrivals only from
    level-1 transfers, otherwise every queue gets its own `arrivals`."""
    result = SimulationResult(replications=replications)
    for r in range(replications):
        day = _Day(queues, escalation or {}, within_s or {}, seed * 1000 + r)
        day.run()
        result.contacts += day.contacts
        result.runs.append(day.tally)
        for queue, tallies in day.tally.items():
            into = result.slots.setdefault(queue, [SlotTally() for _ in tallies])
            for total, t in zip(into, tallies, strict=True):
                total.merge(t)
    return result


@dataclass(frozen=True)
class SteadyState:
    """One interval simulated on its own at steady state: means over independent replications
    and the 95 % confidence half-width of the service level."""

    replications: int
    arrivals_per_run: float
    service_level: float
    service_level_half_width: float
    abandonment: float
    asa_s: float


#: Student's t 97.5 % quantiles for 1 … 9 degrees of freedom.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262)


def _t_quantile(dof: int, p: float = 0.975) -> float:
    """Student's t quantile: the table below 10 degrees of freedom, else the Cornish–Fisher
    expansion (within 0.2 % from 10)."""
    if p == 0.975 and dof <= len(_T975):
        return _T975[dof - 1]
    z = NormalDist().inv_cdf(p)
    return z + (z**3 + z) / (4 * dof) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * dof**2)


def _steady_run(
    rate: float,
    agents: int,
    aht_s: float,
    patience_s: float | None,
    within_s: float,
    warmup_s: float,
    window_s: float,
    rng: random.Random,
) -> SlotTally:
    """One replication: callers arrive from an empty room; only those of the window after the
    warm-up are counted, and each is followed until answered or gone."""
    env = simpy.Environment()
    pool = simpy.Resource(env, capacity=agents) if agents else None
    tally = SlotTally()
    end = warmup_s + window_s

    def caller() -> Generator[Any, Any, None]:
        arrived = env.now
        counted = arrived >= warmup_s
        if counted:
            tally.arrivals += 1
        patience = env.timeout(rng.expovariate(1 / patience_s)) if patience_s else None
        if pool is None:
            if patience is not None:
                yield patience
            if counted:
                tally.abandoned += 1
                tally.wait_s += env.now - arrived
            return
        request = pool.request()
        outcome = yield (request | patience) if patience is not None else request
        if patience is not None and request not in outcome:
            request.cancel()
            if counted:
                tally.abandoned += 1
                tally.wait_s += env.now - arrived
            return
        waited = env.now - arrived
        if counted:
            tally.answered += 1
            tally.wait_s += waited
            tally.answered_in_time += waited <= within_s
        yield env.timeout(rng.expovariate(1 / aht_s))
        pool.release(request)

    def arrivals() -> Generator[Any, Any, None]:
        while True:
            gap = rng.expovariate(rate)
            if env.now + gap >= end:
                return
            yield env.timeout(gap)
            env.process(caller())

    env.process(arrivals())
    env.run()
    return tally


def steady_state(
    calls: float,
    interval_s: float,
    agents: int,
    aht_s: float,
    patience_s: float | None,
    within_s: float,
    *,
    half_width: float = 0.01,
    min_replications: int = 20,
    max_replications: int = 400,
    warmup_s: float | None = None,
    seed: int = 1,
) -> SteadyState:
    """The interval as Erlang models it — Poisson arrivals at its rate, `agents` for ever,
    exponential handling and patience — replicated until the service level's 95 % confidence
    half-width is at most `half_width` (or `max_replications`).

    This is the like-for-like check of the formulas: in the planned day, queues carry over the
    half-hour boundaries, agent counts change under waiting callers and sectors receive their
    transfers late, none of which Erlang's steady state sees. The warm-up (default five handling
    times, at least ten minutes) lets each run forget its empty start."""
    rng = random.Random(seed)  # noqa: S311 — a model of callers, not a secret
    warmup = max(600.0, 5 * aht_s) if warmup_s is None else warmup_s
    rate = calls / interval_s
    runs: list[SlotTally] = []
    total = SlotTally()
    width = math.inf
    while len(runs) < max_replications:
        tally = _steady_run(rate, agents, aht_s, patience_s, within_s, warmup, interval_s, rng)
        runs.append(tally)
        total.merge(tally)
        if len(runs) >= min_replications:
            width = ratio_half_width(runs, total)
            if width <= half_width:
                break
    n = total.arrivals
    return SteadyState(
        replications=len(runs),
        arrivals_per_run=n / len(runs),
        service_level=total.answered_in_time / n if n else 1.0,
        service_level_half_width=width,
        abandonment=total.abandoned / n if n else 0.0,
        asa_s=total.wait_s / n if n else 0.0,
    )


def ratio_half_width(runs: Sequence[SlotTally], total: SlotTally) -> float:
    """95 % half-width of Σ answered in time / Σ arrivals over the runs (the share of all
    arrivals, as Erlang defines it — not the mean of each run's share, which busy runs would
    bias upwards), by the delta method."""
    if not total.arrivals or len(runs) < 2:
        return math.inf
    level = total.answered_in_time / total.arrivals
    residuals = [t.answered_in_time - level * t.arrivals for t in runs]
    mean_arrivals = total.arrivals / len(runs)
    spread = math.sqrt(sum(r * r for r in residuals) / (len(runs) - 1) / len(runs))
    return _t_quantile(len(runs) - 1) * spread / mean_arrivals
