"""Erlang C against the published example, Erlang A against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from allo.errors import InvalidInput
from allo.stats.staffing.erlang import Target, erlang_a, erlang_c, indicators, required

PUBLISHED = Target(service_level=0.8, within_s=20, max_occupancy=1.0, shrinkage=0.3)


def test_published_erlang_c_example() -> None:
    # 100 calls in 30 min, 3 min handling, 80 % within 20 s, 30 % shrinkage.
    need = required(100, 1800, 180, PUBLISHED)
    assert need.raw_positions == 14
    assert need.positions == 20
    assert need.indicators.service_level == pytest.approx(0.888, abs=5e-4)
    assert need.indicators.occupancy == pytest.approx(0.714, abs=5e-4)
    assert need.indicators.waiting_probability == pytest.approx(0.174, abs=5e-4)
    # 13 agents do not reach the target: 14 is the least.
    assert erlang_c(100, 1800, 180, 13, 20).service_level < 0.8


def test_occupancy_ceiling_adds_agents() -> None:
    capped = required(100, 1800, 180, Target(0.8, 20, max_occupancy=0.6, shrinkage=0))
    assert capped.raw_positions == math.ceil(10 / 0.6)
    assert capped.indicators.occupancy <= 0.6


def _erlang_a_by_uniformisation(
    lam: float, mu: float, theta: float, n: int, t: float
) -> tuple[float, float]:
    """Service level and abandonment by brute force: the birth-death chain solved by linear
    algebra, and each waiting position's chance to be answered by t by uniformisation."""
    size = n + 400
    q = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            q[k, k + 1] = lam
        if k > 0:
            q[k, k - 1] = min(k, n) * mu + max(k - n, 0) * theta
        q[k, k] = -q[k].sum()
    a = np.vstack([q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    # Tagged caller with j ahead: states j … 0 then "answered" (absorbing) or "gone".
    positions = size - n
    rate = n * mu + positions * theta + theta
    steps = int(rate * t + 12 * math.sqrt(rate * t) + 30)
    answered = np.zeros(positions + 1)  # index j: P(answered by now | j ahead); [positions] unused
    weights = [math.exp(-rate * t)]
    for k in range(1, steps):
        weights.append(weights[-1] * rate * t / k)
    by_t = np.zeros(positions)
    for k in range(steps):
        by_t += weights[k] * answered[:positions]
        nxt = np.empty(positions + 1)
        for j in range(positions):
            advance = (n * mu + j * theta) / rate
            stay = 1 - advance - theta / rate
            prev = 1.0 if j == 0 else answered[j - 1]
            nxt[j] = advance * prev + stay * answered[j]
        nxt[positions] = 0
        answered = nxt
    sl = pi[:n].sum() + float((pi[n:] * by_t).sum())
    abandonment = theta * float((np.arange(positions) * pi[n:]).sum()) / lam
    return sl, abandonment


@pytest.mark.parametrize(("calls", "agents", "patience"), [(100, 12, 120), (60, 5, 300)])
def test_erlang_a_matches_brute_force(calls: int, agents: int, patience: float) -> None:
    got = erlang_a(calls, 1800, 180, agents, 20, patience)
    sl, abandonment = _erlang_a_by_uniformisation(calls / 1800, 1 / 180, 1 / patience, agents, 20)
    assert got.service_level == pytest.approx(sl, abs=2e-3)
    assert got.abandonment == pytest.approx(abandonment, abs=1e-4)


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    a = erlang_a(100, 1800, 180, 14, 20, 1e9)
    c = erlang_c(100, 1800, 180, 14, 20)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-6)
    assert a.waiting_probability == pytest.approx(c.waiting_probability, abs=1e-6)


def test_erlang_a_counts_hang_ups_and_needs_fewer_agents() -> None:
    c = required(100, 1800, 180, PUBLISHED)
    a = required(100, 1800, 180, PUBLISHED, patience_s=120)
    assert a.raw_positions <= c.raw_positions
    assert 0 < a.indicators.abandonment < 0.2
    assert a.indicators.service_level >= 0.8


def test_impossible_targets_are_refused_in_french() -> None:
    with pytest.raises(InvalidInput, match="100 %"):
        required(100, 1800, 180, Target(service_level=1.0, within_s=0))
    with pytest.raises(InvalidInput, match="négatif"):
        required(100, 1800, 180, Target(within_s=-5))


def test_no_calls_needs_nobody() -> None:
    assert required(0, 1800, 180, PUBLISHED).raw_positions == 0


# Computed with pyworkforce 0.5.1 (`ErlangC(...).required_positions(...)`) in a separate
# environment: it needs Python ≥ 3.12 from 0.5.2 on and brings OR-Tools and pandas, so it is
# not a dependency (docs/DEPENDENCIES.md). (calls/30 min, AHT s, within s, SL, max occupancy,
# shrinkage) → raw positions, positions, service level, occupancy.
PYWORKFORCE = [
    (100, 180, 20, 0.8, 1.0, 0.3, 14, 20, 0.88835, 0.714286),
    (450, 180, 60, 0.8, 0.85, 0.3, 53, 76, 0.987781, 0.849057),
    (30, 480, 120, 0.8, 0.85, 0.3, 11, 16, 0.88429, 0.727273),
    (1000, 240, 30, 0.9, 0.9, 0.25, 149, 199, 0.982493, 0.894855),
    (5, 300, 60, 0.8, 0.85, 0.0, 2, 2, 0.805909, 0.416667),
]


@pytest.mark.parametrize("case", PYWORKFORCE)
def test_erlang_c_agrees_with_pyworkforce(case: tuple[float, ...]) -> None:
    calls, aht, within, sl, occ, shrinkage, raw, positions, got_sl, got_occ = case
    need = required(calls, 1800, aht, Target(sl, within, occ, shrinkage))
    assert (need.raw_positions, need.positions) == (raw, positions)
    assert need.indicators.service_level == pytest.approx(got_sl, abs=1e-5)
    assert need.indicators.occupancy == pytest.approx(got_occ, abs=1e-5)


@pytest.mark.parametrize(
    ("calls", "aht", "within", "patience", "occupancy"),
    [
        (100, 180, 20, None, 1.0),
        (300, 180, 60, 150, 1.0),
        (40, 470, 120, 240, 0.85),
        (2000, 120, 30, 60, 0.9),
        (300, 180, 60, 10, 1.0),  # patience far below the wait: Erlang A needs more than C
        (3, 600, 0, 90, 1.0),
    ],
)
def test_requirement_is_the_fewest_agents_meeting_the_target(
    calls: float, aht: float, within: float, patience: float | None, occupancy: float
) -> None:
    """The search from Erlang C's answer finds what a scan of every count finds."""
    target = Target(0.8, within, max_occupancy=occupancy, shrinkage=0.3)
    found = required(calls, 1800, aht, target, patience).raw_positions
    scan = next(
        n
        for n in range(0, 5000)
        if (ind := indicators(calls, 1800, aht, n, within, patience)).service_level >= 0.8
        and ind.occupancy <= occupancy
    )
    assert found == scan
