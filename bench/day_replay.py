"""Day replay benchmark: an 8,000-contact day through the HTTP API, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.day_replay [--contacts 8000] [--seed 1] [--pg URL]
        [--only sqlite|postgresql] [--speed 60 0]

Each backend is replayed once per `--speed`: paced at 60× real time by default (an open load,
what "N× real time" means: each request leaves at its own scaled instant, so p99 is the
server's answer time), then flat out (`0`: the maximum speed, where latency is mostly the queueing of
each window's burst in the client). Each run starts the replay's own server on a scratch database (SQLite: one app worker;
PostgreSQL: a scratch database on the given server, 4 app workers), replays the day, reads the
day's figures from GET /api/stats, checks in the database that no contact was lost or
duplicated, then times GET /api/health on the same server as the baseline of one request.
Results, with the machine facts, go to docs/benchmarks/day_replay.md.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from allo.stats.dayplan import SEED_SECTOR_CALLS, SEED_YEAR_CALLS
from allo.stats.simulation import SimulationOptions, run_day, summary
from bench.contacts_common import machine_facts

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks" / "day_replay.md"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_SPEEDUP = 50
TARGET_P99_MS = 100


def _mode(speed: float) -> str:
    return f"paced ×{speed:g}" if speed > 0 else "flat out"


def _run(contacts: int, seed: int, server: str, workers: int, speed: float) -> dict[str, Any]:
    label = "PostgreSQL" if server else "SQLite"
    print(f"— {label}, {workers} app worker(s), {contacts} contacts, {_mode(speed)}…", flush=True)
    report = run_day(
        SimulationOptions(
            contacts=contacts, seed=seed, scratch_server=server, workers=workers, speed=speed
        ),
        progress=lambda m: print("  " + m, flush=True),
    )
    data = summary(report)
    data["label"] = label
    data["load_average"] = os.getloadavg()
    print(
        f"  ×{data['speedup']} real time, p99 {data['p99_ms']} ms (health {data['health_p99_ms']} ms), "
        f"lost {data['check']['lost']}, duplicated {data['check']['duplicated']}",
        flush=True,
    )
    return data


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _ok(flag: bool) -> str:
    return "yes" if flag else "**no**"


def render(runs: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "# Day replay",
        "",
        f"`.venv/bin/python -m bench.day_replay --contacts {args.contacts} --seed {args.seed}` — "
        f"{machine_facts()}",
        "",
        "Load average at the end of each run (1, 5, 15 min): "
        + "; ".join(
            f"{r['label']} {_mode(r.get('target_speed') or 0)} "
            + ", ".join(f"{x:.1f}" for x in r["load_average"])
            for r in runs
            if r.get("load_average")
        )
        + ".",
        "",
        "`allo simulate day` drives a whole day of the service through the real HTTP API: the",
        "replay's own server (`allo.stats.simserver`, the real app plus a simulated clock that only",
        "the replay can set with a per-run secret) on a scratch database; phone calls arrive through",
        "`POST /api/calls`, written questions through `POST /api/messages`; simulated advisors and",
        "specialists take, answer, orient, escalate and close through the contacts API; callers hang",
        "up when their patience runs out; some citizens rate the service.",
        "",
        "**Paced** runs send every request at its own scaled wall-clock instant, first event +",
        '(t − first) / speed, and sleep when ahead: an open load, which is what "N× real time"',
        "means, so p99 is the server's answer time. The engine still works in windows of a few",
        "simulated seconds (row *target speed (window)*): it learns what a window's requests did",
        "before it plans the next; *dispatch lag* is how late a window's first request left",
        "because the previous window's last answer came late. **Flat out** runs send",
        "each 30-second window's requests at once, then the next window immediately (8 client",
        "threads): a closed loop that gives the maximum speed, where latency is mostly the queueing",
        "of each burst in the client (client and server share the same 2 cores).",
        "",
        "The baseline is `GET /api/health` timed on the same server with the same client, right",
        "after the replay: one request at a time after a paced run (the floor of one request),",
        "in bursts of 8 after a flat-out run. The benchmark client runs on the same cores as",
        "the server (and as everything else on this shared machine).",
        "",
        "| | "
        + " | ".join(
            f"{r['label']} ({r['workers']} worker{'s' if r['workers'] > 1 else ''}), "
            f"{_mode(r.get('target_speed') or 0)}"
            for r in runs
        )
        + " |",
        "|---|" + "---|" * len(runs),
    ]

    def row(name: str, values: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(values) + " |")

    row(
        "contacts created (refused outside hours)",
        [f"{r['created']} ({r['refused']})" for r in runs],
    )
    row("API operations", [str(r["operations"]) for r in runs])
    row(
        "simulated span (first arrival → last step)",
        [f"{r['simulated_seconds'] / 3600:.1f} h" for r in runs],
    )
    row("wall-clock time of the replay", [f"{r['wall_seconds']:.0f} s" for r in runs])
    row(
        "target speed (window)",
        [
            (f"×{r['target_speed']:g}" if r.get("target_speed") else "none, flat out")
            + f" ({r.get('window_seconds', 30):g} s)"
            for r in runs
        ],
    )
    row(
        "paced: window dispatch lag p50 / p99 / max",
        [
            "{p50} / {p99} / {max} ms".format(**r["dispatch_lag_ms"])
            if r.get("target_speed") and r.get("dispatch_lag_ms")
            else "—"
            for r in runs
        ],
    )
    row(
        f"**speed vs real time** (target ≥ {TARGET_SPEEDUP}×)",
        [f"**×{r['speedup']}** ({_ok(r['speedup'] >= TARGET_SPEEDUP)})" for r in runs],
    )
    row("p50 per operation", [f"{r['p50_ms']} ms" for r in runs])
    row(
        f"**p99 per operation** (target ≤ {TARGET_P99_MS} ms)",
        [f"**{r['p99_ms']} ms** ({_ok((r['p99_ms'] or 1e9) <= TARGET_P99_MS)})" for r in runs],
    )
    row("baseline: p99 of GET /api/health", [f"{r['health_p99_ms']} ms" for r in runs])
    row(
        "p99 / baseline p99",
        [f"{(r['p99_ms'] or 0) / max(r['health_p99_ms'] or 1e-9, 1e-9):.1f}×" for r in runs],
    )
    row(
        "**lost / duplicated** (target 0 / 0)",
        [f"**{r['check']['lost']} / {r['check']['duplicated']}**" for r in runs],
    )
    row(
        "final states (database)",
        [", ".join(f"{k} {v}" for k, v in r["check"]["by_state"].items()) for r in runs],
    )
    row(
        "**closed at level 1 / escalated** (target 56 / 44 ± 2)",
        [
            f"**{_pct(r['figures']['level1']['resolution_rate'])} / {_pct(r['figures']['level1']['escalation_rate'])}** "
            f"({_ok(abs((r['figures']['level1']['escalation_rate'] or 0) - 0.44) <= 0.02)})"
            for r in runs
        ],
    )
    row("phone abandonment", [_pct(r["figures"]["abandonment"]["rate"]) for r in runs])
    row(
        "answered within 60 s (service level)",
        [_pct(r["figures"]["service_level"]["rate"]) for r in runs],
    )
    row(
        "phone wait level 1, mean / p90",
        [
            f"{r['figures']['wait_seconds']['level1_phone']['mean']} / {r['figures']['wait_seconds']['level1_phone']['p90']} s"
            for r in runs
        ],
    )
    row(
        "handling level 1 / level 2, mean",
        [
            f"{r['figures']['handling_seconds']['level1']['mean']} / {r['figures']['handling_seconds']['level2']['mean']} s"
            for r in runs
        ],
    )
    row(
        "satisfaction (ratings, mean)",
        [
            f"{r['figures']['satisfaction']['responses']}, {r['figures']['satisfaction']['mean']}"
            for r in runs
        ],
    )
    row(
        "agents (level 1 / level 2)",
        [
            f"{r['team'].get('niveau1', 0)} / {sum(v for k, v in r['team'].items() if k not in ('niveau1', 'platform', 'supervisor'))}"
            for r in runs
        ],
    )
    lines += ["", "p99 by operation (ms):", ""]
    labels = sorted({k for r in runs for k in r["p99_by_operation_ms"]})
    lines.append(
        "| operation | "
        + " | ".join(f"{r['label']} {_mode(r.get('target_speed') or 0)} count | p99" for r in runs)
        + " |"
    )
    lines.append("|---|" + "---|---|" * len(runs))
    for label in labels:
        lines.append(
            f"| {label} | "
            + " | ".join(
                f"{r['operations_by_kind'].get(label, 0)} | {r['p99_by_operation_ms'].get(label)}"
                for r in runs
            )
            + " |"
        )
    escalated = sum(r["figures"]["level1"]["escalated"] for r in runs[:1])
    lines += [
        "",
        "Escalations by sector (first run) against the seed's proportions (2009 calls per sector;",
        f"fiscalité = the remainder, {SEED_SECTOR_CALLS['fiscalite']:,} of {SEED_YEAR_CALLS:,}):",
        "",
        "| sector | escalated | share | seed share |",
        "|---|---|---|---|",
    ]
    if runs:
        for sector, n in runs[0]["figures"]["by_sector"].items():
            lines.append(
                f"| {sector} | {n} | {_pct(n / escalated if escalated else None)} | "
                f"{_pct(SEED_SECTOR_CALLS[sector] / SEED_YEAR_CALLS)} |"
            )
    lines += [
        "",
        "Notes:",
        "- Logins (one per agent, before the day starts and again when a 12 h session expires) are",
        "  counted in the operations and in p99; the replay's server uses a cheap argon2 cost for its",
        "  throw-away team, so they measure the flow, not password hashing.",
        "- Every write goes through the real services: personal-data redaction (spaCy) runs on each",
        "  written question, each escalation note and each written answer.",
        "- Server work per operation, SQL statements on SQLite (BEGIN included; counted in-process",
        "  with SQLAlchemy events): take-next 7 (12 before issue #6's work: one UPDATE … RETURNING",
        "  claims and reads the contact, the response reuses the session's contact and the agent's",
        "  name), answer 10 (13), orient 11 (14), escalate 12 (16), close 12 (14), hang-up 6 (7);",
        "  the agent is freed by one conditional UPDATE; cheap FastAPI dependencies no longer hop",
        "  to the thread pool; the request log is a pure ASGI middleware.",
        "- The window length also sets how soon an idle agent notices a new contact in simulated",
        "  time: paced runs (5 s windows) show shorter simulated waits and fewer hang-ups than flat",
        "  out (30 s windows); the 56 / 44 split, which the plan draws, does not depend on it.",
        "- The p99 target is read at the target speed, paced (an open load at ×60). Flat out is a",
        "  closed loop at several times that speed where each window's burst of 8 queues in the",
        "  client: its p99 is given for the record, beside a health check sent the same way.",
        "- Until 2026-11-26 23:00 the paced engine sent each window's requests together, a burst",
        "  every 83 ms of wall clock: p99 then 105.6 ms (SQLite) / 92.9 ms (PostgreSQL), most of it",
        "  each burst queueing behind itself (a health check in bursts of 8: p99 46.7 / 40.5 ms).",
        "- When the targets are missed, compare p99 with the baseline row: on this shared 2-core",
        "  machine, the load of the other sessions weighs on every request, even `GET /api/health`.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default=os.environ.get("ALLO_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    parser.add_argument(
        "--speed",
        type=float,
        nargs="+",
        default=[60.0, 0.0],
        help="Target speeds, × real time (0: flat out, the maximum speed); one run each.",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--save-json", type=Path, default=None, help="Also write the runs' summaries as JSON."
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        default=None,
        help="Render saved summaries (from --save-json or `allo simulate day --json`), no run.",
    )
    args = parser.parse_args()
    if args.from_json:
        runs = []
        for path in args.from_json:
            loaded = json.loads(path.read_text())
            for data in loaded if isinstance(loaded, list) else [loaded]:
                data.setdefault(
                    "label", "PostgreSQL" if data["database"] == "postgresql" else "SQLite"
                )
                runs.append(data)
        args.output.write_text(render(runs, args))
        print(f"→ {args.output}")
        return
    os.environ.setdefault("ALLO_HOME", tempfile.mkdtemp(prefix="allo-bench-"))
    os.environ["ALLO_EMBEDDER"] = "none"
    backends = [(server, workers) for name, server, workers in
                (("sqlite", "", 1), ("postgresql", args.pg, 4)) if args.only in (None, name)]  # fmt: skip
    runs = []
    args.output.parent.mkdir(parents=True, exist_ok=True)
    for speed in args.speed:
        for server, workers in backends:
            runs.append(_run(args.contacts, args.seed, server, workers, speed))
            # Written after every run: a long session keeps what it measured so far.
            if args.save_json:
                args.save_json.write_text(json.dumps(runs, ensure_ascii=False, default=str))
            args.output.write_text(render(runs, args))
    print(f"→ {args.output}")


if __name__ == "__main__":
    main()
