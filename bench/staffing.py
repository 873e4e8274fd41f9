"""Staffing benchmark: a week's plan, a simulated day, and the forecast's error on held-back weeks.

    .venv/bin/python -m bench.staffing [--weeks 10] [--held-back 4] [--seed 1]

- History: `--weeks` weeks of days drawn by the day replay's own generator
  (`allo.stats.dayplan.make_plan`, what `allo simulate day` sends over HTTP), Monday–Saturday,
  ~7,000 contacts on an average weekday with a weekday effect (Monday busiest, Saturday half),
  a 1 %-a-week trend and 4 % day-to-day noise; the phone arrivals are bucketed per half-hour as
  `load_history` would read them back. Written in memory rather than replayed through HTTP
  (flat out the replay takes over a minute a day, and the forecast reads only arrivals).
- Forecast error: every day of the last `--held-back` weeks is forecast from the weeks before
  it, and compared per open half-hour with what happened: WAPE (Σ|error| / Σ actual) and the
  error on the day's total, for the forecast and for the naive baseline (same weekday last week).
- Week plan: forecast + Erlang A requirements for 7 queues × 48 half-hours × 7 days, timed from
  a cold cache; baselines in the same run (interleaved, best of two): the previous search
  (bisection, Erlang A from scratch at each step) and the same week with Erlang C.
- Simulated day: the plan of the busiest held-back day, scaled to 8,000 contacts (level 1 and
  transfers), played once by SimPy; baseline: the same arrivals with no agent rota (the event
  loop's floor).
- Agreement with Erlang A on half-hours with ≥ 100 arrivals: each simulated on its own at
  steady state until its 95 % confidence half-width is 1 point; beside it, the day simulation
  (5 and `--replications` runs) on the same half-hours.

Results go to docs/benchmarks/staffing.md.
"""

from __future__ import annotations

import argparse
import math
import random
import time as clock
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from allo.contacts.calendar import DEFAULT_HOURS
from allo.stats import dayplan
from allo.stats.staffing import des, erlang, plan
from allo.stats.staffing import forecast as fc
from allo.stats.staffing.erlang import Indicators, Requirement, Target
from allo.stats.staffing.plan import plan_day, simulate_plan, steady_state_check
from allo.stats.staffing.repository import History, QueueFacts
from bench.common import machine_facts, write_section

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks" / "staffing.md"
HEADER = (
    "# Staffing benchmark\n\nWritten by `bench/staffing.py`; see its docstring for the method.\n"
)
PARIS = ZoneInfo("Europe/Paris")
WEEKDAY_FACTOR = (1.15, 1.0, 0.95, 0.95, 0.9, 0.5, 0.0)
FIRST = date(2031, 1, 6)  # a Monday


def make_history(weeks: int, seed: int) -> tuple[History, dict[date, list[int]]]:
    rng = random.Random(seed)
    start = datetime.combine(FIRST, time(0), tzinfo=PARIS).astimezone(UTC)
    end = datetime.combine(FIRST + timedelta(weeks=weeks), time(0), tzinfo=PARIS)
    history = History(start=start, end=end.astimezone(UTC))
    actual: dict[date, list[int]] = {}
    for offset in range(weeks * 7):
        day = FIRST + timedelta(days=offset)
        if fc.closure_reason(DEFAULT_HOURS, day) is not None:
            continue
        total = 7000 * WEEKDAY_FACTOR[day.weekday()] * (1 + 0.01 * (offset // 7))
        total *= 1 + rng.gauss(0, 0.04)
        plan = dayplan.make_plan(round(total), seed * 10_000 + offset)
        shares = fc.open_shares(DEFAULT_HOURS, day)
        counts = [0] * fc.SLOTS
        for c in plan.contacts:
            slot = int(c.arrival // 1800)
            if c.channel == "phone" and shares[slot] > 0:
                counts[slot] += 1
        actual[day] = counts
        for slot, n in enumerate(counts):
            if n:
                moment = fc.slot_start(day, slot, PARIS).astimezone(UTC)
                history.arrivals[moment] = n
    history.queues = {
        "niveau1": QueueFacts(handled=1, aht_s=175.0, abandoned=10, waiting_s=1800.0),
        **{
            s: QueueFacts(handled=1, aht_s=470.0, abandoned=10, waiting_s=2400.0)
            for s in dayplan.SECTORS
        },
    }
    history.answered_level1 = 1000
    history.escalated = {s: round(440 * share) for s, share in dayplan.sector_shares().items()}
    history.transfer_delay_s = 200.0
    return history, actual


def forecast_error(
    history: History, actual: dict[date, list[int]], held_back: int, weeks: int
) -> dict[str, float]:
    first_held = FIRST + timedelta(weeks=weeks - held_back)
    errors = {"model": [0.0, 0.0], "naive": [0.0, 0.0]}
    totals = {"model": [], "naive": []}
    days = 0
    for day, counts in sorted(actual.items()):
        if day < first_held:
            continue
        days += 1
        predicted = fc.forecast_day(history, day, DEFAULT_HOURS, PARIS).queues["niveau1"].arrivals
        naive = fc.naive_level1(history, day, PARIS)
        for name, values in (("model", predicted), ("naive", naive)):
            errors[name][0] += sum(abs(v - a) for v, a in zip(values, counts, strict=True))
            errors[name][1] += sum(counts)
            totals[name].append(abs(sum(values) - sum(counts)) / sum(counts))
    return {
        "days": days,
        "wape_model": errors["model"][0] / errors["model"][1],
        "wape_naive": errors["naive"][0] / errors["naive"][1],
        "total_model": sum(totals["model"]) / days,
        "total_naive": sum(totals["naive"]) / days,
    }


def bisecting_required(
    calls: float, interval_s: float, aht_s: float, target: Target, patience_s: float | None = None
) -> Requirement:
    """The search before this run's change, kept as the baseline: bracket around the load, then
    bisect, every step an Erlang A evaluation from scratch, no cache."""
    if calls == 0:
        return Requirement(0, 0, erlang.indicators(0, interval_s, aht_s, 0, 0, patience_s))
    load = calls * aht_s / interval_s

    def meets(n: int) -> bool:
        ind = erlang.indicators(calls, interval_s, aht_s, n, target.within_s, patience_s)
        return ind.service_level >= target.service_level and ind.occupancy <= target.max_occupancy

    lo = math.floor(load) if patience_s is None else max(0, math.floor(load - 3 * math.sqrt(load)))
    hi = max(lo + 1, math.ceil(load / target.max_occupancy), math.ceil(load + 2 * math.sqrt(load)))
    while not meets(hi):
        lo, hi = hi, hi * 2
    if lo > 0 and meets(lo):
        hi, lo = lo, 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    ind = erlang.indicators(calls, interval_s, aht_s, hi, target.within_s, patience_s)
    return Requirement(hi, math.ceil(hi / (1 - target.shrinkage) - 1e-9), ind)


def time_week(
    history: History, monday: date, patience: bool, *, baseline_search: bool = False
) -> dict[str, float | int]:
    """Forecast and plan the week from a cold cache; wall and CPU, rows, peak, Erlang A calls."""
    used = history
    if not patience:
        used = replace(
            history, queues={q: replace(f, abandoned=0) for q, f in history.queues.items()}
        )
    erlang._required.cache_clear()
    calls = [0]
    real_a = erlang.erlang_a

    def counted(*args: float) -> Indicators:
        calls[0] += 1
        return real_a(*args)

    erlang.erlang_a = counted  # type: ignore[assignment]
    if baseline_search:
        plan.required = bisecting_required  # type: ignore[assignment]
    try:
        started, cpu = clock.perf_counter(), clock.process_time()
        rows = peak = 0
        for i in range(7):
            day_plan = plan_day(
                fc.forecast_day(used, monday + timedelta(days=i), DEFAULT_HOURS, PARIS), PARIS
            )
            rows += len(day_plan.rows)
            peak = max([peak, *(r.agents_required for r in day_plan.rows)])
        wall, cpu = clock.perf_counter() - started, clock.process_time() - cpu
    finally:
        erlang.erlang_a = real_a  # type: ignore[assignment]
        plan.required = erlang.required  # type: ignore[assignment]
    return {"wall": wall, "cpu": cpu, "rows": rows, "peak": peak, "erlang_a": calls[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=10)
    parser.add_argument("--held-back", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replications", type=int, default=40)
    args = parser.parse_args()

    started = clock.perf_counter()
    history, actual = make_history(args.weeks, args.seed)
    generated = clock.perf_counter() - started
    error = forecast_error(history, actual, args.held_back, args.weeks)

    last_monday = FIRST + timedelta(weeks=args.weeks - 1)
    # Interleaved, twice each, best kept: the machine is shared and noisy.
    weeks: dict[str, list[dict[str, float | int]]] = {"a": [], "bisect": [], "c": []}
    for _ in range(2):
        weeks["a"].append(time_week(history, last_monday, patience=True))
        weeks["bisect"].append(time_week(history, last_monday, patience=True, baseline_search=True))
        weeks["c"].append(time_week(history, last_monday, patience=False))
    best = {k: min(v, key=lambda r: r["cpu"]) for k, v in weeks.items()}
    week_a, bisect_a, week_c = best["a"], best["bisect"], best["c"]
    same_plan = week_a["peak"] == bisect_a["peak"] and week_a["rows"] == bisect_a["rows"]

    # The busiest held-back day, scaled so level 1 and its transfers make 8,000 contacts.
    busiest = max(
        (d for d in actual if d >= FIRST + timedelta(weeks=args.weeks - args.held_back)),
        key=lambda d: sum(actual[d]),
    )
    day_forecast = fc.forecast_day(history, busiest, DEFAULT_HOURS, PARIS)
    level1 = day_forecast.queues["niveau1"]
    factor = 8000 / (level1.total * (1 + sum(day_forecast.escalation.values())))
    scaled = replace(
        day_forecast,
        queues={
            q: replace(qf, arrivals=tuple(a * factor for a in qf.arrivals))
            for q, qf in day_forecast.queues.items()
        },
    )
    day_plan = plan_day(scaled, PARIS)
    started, cpu = clock.perf_counter(), clock.process_time()
    one = simulate_plan(day_plan, PARIS, replications=1, seed=args.seed)
    simulated, simulated_cpu = clock.perf_counter() - started, clock.process_time() - cpu
    # Floor: the same callers, an agent always free (no queue, no rota changes, no hang-ups).
    floor_models = {
        q: des.QueueModel(qf.arrivals, [300] * fc.SLOTS, qf.aht_s, None)
        for q, qf in scaled.queues.items()
    }
    started, cpu = clock.perf_counter(), clock.process_time()
    floor = des.simulate(floor_models, escalation=scaled.escalation, replications=1, seed=args.seed)
    floor_s, floor_cpu = clock.perf_counter() - started, clock.process_time() - cpu
    five = simulate_plan(day_plan, PARIS, replications=5, seed=args.seed)
    many = simulate_plan(day_plan, PARIS, replications=args.replications, seed=args.seed)
    started, cpu = clock.perf_counter(), clock.process_time()
    steady = steady_state_check(day_plan, half_width=0.01, seed=args.seed)
    steady_s, steady_cpu = clock.perf_counter() - started, clock.process_time() - cpu
    worst = max(steady["intervals"], key=lambda r: abs(r["gap_points"]))
    # Where the day simulation strays most (many runs): is it after a drop in agents?
    day_rows = [i for i in many["intervals"] if i["simulated_calls"] >= 100]
    previous = {
        (i["queue"], i["start"]): p
        for p, i in zip(many["intervals"], many["intervals"][1:], strict=False)
        if p["queue"] == i["queue"]
    }
    day_worst = sorted(
        day_rows, key=lambda i: -abs(i["simulated_service_level"] - i["erlang_service_level"])
    )[:4]
    described = "; ".join(
        f"{i['queue']} {i['start'][11:16]} {100 * (i['simulated_service_level'] - i['erlang_service_level']):+.1f} points (± {100 * i['simulated_service_level_ci']:.1f}), agents {previous[(i['queue'], i['start'])]['agents'] if (i['queue'], i['start']) in previous else '—'} → {i['agents']}"
        for i in day_worst
    )
    within = sum(abs(r["gap_points"]) <= 3 for r in steady["intervals"])

    body = f"""## Run of {machine_facts()}

History: {args.weeks} weeks (Monday–Saturday, {sum(sum(c) for c in actual.values()):,} phone arrivals) generated in {generated:.1f} s; the last {args.held_back} weeks ({error["days"]} days) held back.

| what | target | measured | baseline (same run) | ratio |
|---|---|---|---|---|
| forecast error per half-hour, level 1 (WAPE) | better than naive | {error["wape_model"]:.3f} | naive (same weekday last week) {error["wape_naive"]:.3f} | {error["wape_model"] / error["wape_naive"]:.2f} |
| error on the day's total, level 1 (mean) | — | {error["total_model"]:.3f} | naive {error["total_naive"]:.3f} | {error["total_model"] / error["total_naive"]:.2f} |
| week plan, 7 queues × 48 half-hours × 7 days, Erlang A ({week_a["rows"]} open intervals, peak {week_a["peak"]} agents; {week_a["erlang_a"]:,} Erlang A evaluations): wall / CPU | ≤ 1 s | {week_a["wall"]:.3f} s / {week_a["cpu"]:.3f} s | previous search (bisection, {bisect_a["erlang_a"]:,} evaluations{", same plan" if same_plan else ", DIFFERENT plan"}) {bisect_a["wall"]:.3f} s / {bisect_a["cpu"]:.3f} s; Erlang C {week_c["wall"]:.3f} s / {week_c["cpu"]:.3f} s (peak {week_c["peak"]}) | {week_a["cpu"] / bisect_a["cpu"]:.2f} vs bisection, {week_a["cpu"] / week_c["cpu"]:.1f} vs Erlang C (CPU) |
| simulated day, {one["contacts_per_day"]:,} contacts with the plan (SimPy, 1 run): wall / CPU | ≤ 10 s | {simulated:.2f} s / {simulated_cpu:.2f} s | same callers, always an agent free ({floor.contacts:,}): {floor_s:.2f} s / {floor_cpu:.2f} s | {simulated_cpu / floor_cpu:.1f} (CPU) |
| simulation vs Erlang A, service level, each half-hour with ≥ 100 arrivals simulated at steady state (independent runs until the 95 % CI half-width ≤ 1 point) | within 3 points | {within} of {steady["agreement"]["intervals_compared"]} within 3 points; mean gap {steady["agreement"]["mean_gap_points"]}, max {steady["agreement"]["max_gap_points"]} ({worst["queue"]} {worst["start"][11:16]}, CI ± {worst["ci_points"]}); CI ≤ ± {steady["agreement"]["max_ci_points"]}; {steady["agreement"]["replications"]:,} runs in {steady_s:.0f} s / {steady_cpu:.0f} s CPU | the day simulation, same half-hours: 5 runs mean gap {five["agreement"]["mean_gap_points"]}, max {five["agreement"]["max_gap_points"]} (CI ≤ ± {five["agreement"]["max_ci_points"]}); {args.replications} runs mean {many["agreement"]["mean_gap_points"]}, max {many["agreement"]["max_gap_points"]} (CI ≤ ± {many["agreement"]["max_ci_points"]}) | — |

Why the day simulation alone does not meet « within 3 points » per half-hour. First, noise: one run's service level over one half-hour of ~100–400 callers varies by about ten points (waits are correlated through the queue), so 5 runs leave a 95 % half-width of several points, and the worst of 22 half-hours lands beyond 3 by chance. Second, and it remains with {args.replications} runs: the planned day is not Erlang's steady state. Its largest gaps ({described}) are at changes in the agent count: when agents leave, the callers waiting and the calls in hand carry over the boundary into a half-hour staffed for its own arrivals only, and the simulation does worse than Erlang; after the opening or a rise, it does better (the room starts emptier). This is a property of half-hour planning, which the supervisor should know (plan the half-hour after a drop with a margin), not an error of the formulas. The steady-state check compares like with like: exponential patience and handling, Poisson arrivals at the half-hour's rate, its planned agents, a warm-up of five handling times (≥ 10 min), the service level pooled over independent runs (share of all arrivals, as Erlang defines it) until its 95 % half-width is ≤ 1 point.

The level-1 service level of the simulated day: {five["queues"]["niveau1"]["service_level"]:.3f} (target 0.80 within 60 s); abandonment {five["queues"]["niveau1"]["abandonment"]:.3f}.
"""
    write_section(RESULTS, HEADER, "staffing", body)
    print(body)


if __name__ == "__main__":
    main()
