"""The simulated day agrees with Erlang A where the model's assumptions hold; transfers and the
rota behave."""

from __future__ import annotations

from allo.stats.staffing.des import QueueModel, simulate
from allo.stats.staffing.erlang import Target, erlang_a, required


def test_simulation_agrees_with_erlang_a_within_3_points() -> None:
    calls = [0.0] * 2 + [300.0] * 10 + [0.0] * 2
    target = Target(0.8, 60, max_occupancy=1.0, shrinkage=0.3)
    agents = [required(c, 1800, 180, target, patience_s=150).raw_positions for c in calls]
    result = simulate(
        {"niveau1": QueueModel(calls, agents, 180, 150)},
        within_s={"niveau1": 60},
        replications=8,
        seed=3,
    )
    expected = erlang_a(300, 1800, 180, agents[5], 60, 150)
    # The first busy half-hour starts from an empty room (not Erlang's steady state): skip it.
    steady = result.slots["niveau1"][3:12]
    assert all(t.arrivals / 8 >= 100 for t in steady)
    simulated = sum(t.answered_in_time for t in steady) / sum(t.arrivals for t in steady)
    abandoned = sum(t.abandoned for t in steady) / sum(t.arrivals for t in steady)
    assert abs(simulated - expected.service_level) <= 0.03
    assert abs(abandoned - expected.abandonment) <= 0.03
    assert result.slots["niveau1"][0].arrivals == 0


def test_transfers_feed_the_sectors_and_an_unstaffed_queue_loses_its_callers() -> None:
    calls = [200.0] * 4
    result = simulate(
        {
            "niveau1": QueueModel(calls, [25] * 4, 180, 200),
            "travail": QueueModel([0.0] * 4, [10] * 4, 400, 200),
            "justice": QueueModel([0.0] * 4, [0] * 4, 400, 200),
        },
        escalation={"travail": 0.3, "justice": 0.1},
        within_s={"niveau1": 60, "travail": 120, "justice": 120},
        seed=5,
    )
    totals = result.queue_totals()
    level1 = totals["niveau1"]["arrivals"]
    assert 0.25 < totals["travail"]["arrivals"] / level1 < 0.35
    assert totals["travail"]["service_level"] > 0.5
    assert totals["justice"]["arrivals"] > 0
    assert totals["justice"]["abandonment"] == 1.0  # nobody on the queue: every caller hangs up
