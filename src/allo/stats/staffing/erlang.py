"""Erlang C (M/M/n) and Erlang A (M/M/n+M: callers hang up) for one queue and one interval.

Hand-written because no maintained Python package computes Erlang A (`pyworkforce` has Erlang C
only; it serves as a cross-check in the tests when installed). Both models share one
definition of each indicator, so their figures compare:

- service level = share of *all* arrivals answered within the target wait (a caller who hangs
  up counts as not answered, as in `allo.stats.figures`);
- asa_s = mean wait of all arrivals (Little: mean queue length / arrival rate);
- abandonment = share of arrivals who hang up (0 in Erlang C);
- occupancy = carried load / agents;
- waiting_probability = share of arrivals who find every agent busy.

Erlang A, exactly: the number in the system is a birth-death chain (births λ, deaths
min(k, n)·μ + max(k − n, 0)·θ). A caller who finds j others waiting is answered when the j
ahead have left (served or hung up) and one agent frees, unless their own patience (rate θ)
runs out first. With a = nμ/θ, they are answered with probability a / (a + j + 1), and the
time it takes is the (j + 1)-th order statistic of a + j + 1 exponentials of rate θ, whose
distribution is the regularised incomplete beta I_p(j + 1, a + 1), p = 1 − e^(−θt): for an
integer first argument it is a negative-binomial tail, a cumulative sum here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from allo.errors import InvalidInput
from allo.french import percent_fr

#: The chain is cut where a state's probability falls below this share of the no-wait ones.
_TAIL = 1e-12
#: Never look for more agents than this (a target no staffing reaches is an input error).
MAX_AGENTS = 5000


@dataclass(frozen=True)
class Target:
    """What a queue must achieve: `service_level` answered within `within_s` seconds."""

    service_level: float = 0.8
    within_s: float = 60.0
    max_occupancy: float = 0.85
    shrinkage: float = 0.3

    def validate(self) -> Target:
        problems = []
        if not 0 < self.service_level < 1:
            problems.append(
                "le taux de service visé doit être compris strictement entre 0 et 100 % : "
                "un taux de 100 % ne peut être garanti, quel que soit l'effectif"
                if self.service_level >= 1
                else "le taux de service visé doit être supérieur à 0 %"
            )
        if self.within_s < 0:
            problems.append("le délai de réponse visé ne peut être négatif")
        if not 0 < self.max_occupancy <= 1:
            problems.append("l'occupation maximale doit être comprise entre 0 (exclu) et 100 %")
        if not 0 <= self.shrinkage < 1:
            problems.append(
                "le taux d'absence (pauses, formation…) doit être entre 0 et 100 % exclu"
            )
        if problems:
            raise InvalidInput(
                "Objectif de service invalide : " + " ; ".join(problems) + ".",
                details={"problemes": problems},
            )
        return self


@dataclass(frozen=True)
class Indicators:
    """The figures of one queue over one interval with `agents` answering."""

    agents: int
    service_level: float
    asa_s: float
    abandonment: float
    occupancy: float
    waiting_probability: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _check(calls: float, interval_s: float, aht_s: float, agents: int) -> None:
    if calls < 0 or interval_s <= 0 or aht_s <= 0 or agents < 0:
        raise InvalidInput(
            "Appels, durée de l'intervalle et durée de traitement doivent être positifs."
        )


def erlang_c(
    calls: float, interval_s: float, aht_s: float, agents: int, within_s: float
) -> Indicators:
    """M/M/n, callers wait for ever."""
    _check(calls, interval_s, aht_s, agents)
    load = calls * aht_s / interval_s
    if calls == 0:
        return Indicators(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    if agents <= load:
        return Indicators(agents, 0.0, math.inf, 0.0, 1.0, 1.0)
    # Erlang B by its stable recursion, then C from B.
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    rho = load / agents
    pw = b / (1 - rho + rho * b)
    sl = 1 - pw * math.exp(-(agents - load) * within_s / aht_s)
    asa = pw * aht_s / (agents - load)
    return Indicators(agents, sl, asa, 0.0, rho, pw)


def _poisson_weights(load: float, agents: int) -> np.ndarray:
    """load^k / k! for k = 0 … agents, divided by the last one (so π_n's weight is 1)."""
    k = np.arange(1, agents + 1, dtype=float)
    log_w = np.concatenate(([0.0], np.cumsum(math.log(load) - np.log(k))))
    return np.exp(log_w - log_w[-1])


def _queue_weights(lam: float, served: float, theta: float, floor: float) -> np.ndarray:
    """π_{n+j} / π_n for j = 0 … J, J where the weights fall below `floor` for good."""
    size = 64
    while True:
        j = np.arange(1, size + 1, dtype=float)
        log_w = np.cumsum(np.log(lam) - np.log(served + j * theta))
        if log_w[-1] < math.log(floor) and lam < served + size * theta:
            cut = int(np.argmax(log_w < math.log(floor))) + 1
            return np.concatenate(([1.0], np.exp(log_w[:cut])))
        size *= 4


def erlang_a(
    calls: float, interval_s: float, aht_s: float, agents: int, within_s: float, patience_s: float
) -> Indicators:
    """M/M/n+M: callers hang up after an exponential patience of mean `patience_s`."""
    _check(calls, interval_s, aht_s, agents)
    if patience_s <= 0:
        raise InvalidInput("La patience moyenne des appelants doit être positive.")
    if calls == 0:
        return Indicators(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    lam, mu, theta = calls / interval_s, 1 / aht_s, 1 / patience_s
    load = lam / mu
    if agents == 0:
        # Everyone waits and hangs up.
        return Indicators(0, 0.0, patience_s, 1.0, 0.0, 1.0)
    below = _poisson_weights(load, agents)  # states 0 … n, relative to π_n
    # States n + j: π_{n+j} = π_n · Π_{i=1..j} λ / (nμ + iθ), cut at a negligible tail.
    queue = _queue_weights(lam, agents * mu, theta, _TAIL * float(below.sum()))
    total = float(below[:-1].sum() + queue.sum())
    p_queue = queue / total
    p_wait = float(p_queue.sum())
    js = np.arange(len(queue), dtype=float)
    mean_queue = float((js * p_queue).sum())
    abandonment = theta * mean_queue / lam
    a = agents * mu / theta
    x = 1 - math.exp(-theta * within_s)
    # I_x(j + 1, a + 1) = 1 − Σ_{i ≤ j} C(a + i, i) x^i (1 − x)^(a + 1), by cumulative sums.
    if x <= 0:
        cdf = np.zeros(len(queue))
    else:
        ratios = np.empty(len(queue))
        ratios[0] = 1.0
        ratios[1:] = (a + js[1:]) / js[1:] * x
        terms = np.exp((a + 1) * math.log1p(-x) + np.cumsum(np.log(ratios)))
        cdf = np.clip(1 - np.cumsum(terms), 0.0, 1.0)
    answered_in_time = a / (a + js + 1) * cdf
    sl = (1 - p_wait) + float((p_queue * answered_in_time).sum())
    occupancy = lam * (1 - abandonment) / (agents * mu)
    return Indicators(
        agents, min(sl, 1.0), mean_queue / lam, abandonment, min(occupancy, 1.0), p_wait
    )


def indicators(
    calls: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    within_s: float,
    patience_s: float | None = None,
) -> Indicators:
    """Erlang A when the callers' patience is known, else Erlang C."""
    if patience_s is None:
        return erlang_c(calls, interval_s, aht_s, agents, within_s)
    return erlang_a(calls, interval_s, aht_s, agents, within_s, patience_s)


@dataclass(frozen=True)
class Requirement:
    """Agents needed for one interval: `raw` answering, `positions` once shrinkage is counted."""

    raw_positions: int
    positions: int
    indicators: Indicators

    def as_dict(self) -> dict[str, float | int]:
        figures = self.indicators.as_dict()
        del figures["agents"]
        return {"raw_positions": self.raw_positions, "positions": self.positions, **figures}


def _meets(ind: Indicators, target: Target) -> bool:
    return ind.service_level >= target.service_level and ind.occupancy <= target.max_occupancy


def required(
    calls: float,
    interval_s: float,
    aht_s: float,
    target: Target,
    patience_s: float | None = None,
) -> Requirement:
    """The fewest agents that meet the service level under the occupancy ceiling."""
    target.validate()
    _check(calls, interval_s, aht_s, 0)
    return _required(float(calls), float(interval_s), float(aht_s), target, patience_s)


@lru_cache(maxsize=4096)
def _required(
    calls: float, interval_s: float, aht_s: float, target: Target, patience_s: float | None
) -> Requirement:
    """Cached: a week's plan asks again for the same (calls, handling, patience) many times
    (closed and declared-profile intervals, identical days)."""
    if calls == 0:
        return Requirement(0, 0, indicators(0, interval_s, aht_s, 0, target.within_s, patience_s))
    load = calls * aht_s / interval_s
    evaluated: dict[int, Indicators] = {}

    def meets(n: int, patience: float | None) -> bool:
        if patience is not None and n in evaluated:
            return _meets(evaluated[n], target)
        ind = indicators(calls, interval_s, aht_s, n, target.within_s, patience)
        if patience is not None:
            evaluated[n] = ind
        return _meets(ind, target)

    # Erlang C first (cheap, from square-root staffing); Erlang A's answer is then most often
    # one agent fewer (hang-ups lighten the queue), so search outwards from there rather than
    # bisecting a wide bracket with the costlier Erlang A: ~2.4 evaluations instead of ~5.4.
    n = _search(lambda k: meets(k, None), math.ceil(load + math.sqrt(load)), target)
    if patience_s is not None:
        n = _search(lambda k: meets(k, patience_s), n - 1, target)
    ind = evaluated.get(n) or indicators(calls, interval_s, aht_s, n, target.within_s, patience_s)
    positions = math.ceil(n / (1 - target.shrinkage) - 1e-9)
    return Requirement(n, positions, ind)


def _search(meets: Callable[[int], bool], start: int, target: Target) -> int:
    """The fewest agents n ≥ 0 with `meets(n)`, galloping from `start` then bisecting: both
    figures improve with every added agent, so `meets` is monotone."""
    start = max(start, 0)
    if meets(start):
        hi, step = start, 1
        lo = hi - step
        while lo >= 0 and meets(lo):  # invariant: hi meets
            hi, step = lo, step * 2
            lo = hi - step
        lo = max(lo, -1)  # -1: "fewer than none" never meets
    else:
        lo, step = start, 1
        hi = lo + step
        while not meets(hi):  # invariant: lo does not meet
            lo, step = hi, step * 2
            hi = lo + step
            if hi > MAX_AGENTS:
                raise InvalidInput(
                    f"Objectif inatteignable : même {MAX_AGENTS} agents ne suffisent pas "
                    f"({percent_fr(target.service_level)} en {target.within_s:g} s)."
                )
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi
