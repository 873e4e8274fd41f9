"""The day replay's engine: a discrete-event simulation that acts only through the HTTP API.

Events (arrivals, hang-ups, end of a handling, an agent asking for the next contact, shift
changes) sit in a heap; the engine takes them in windows of `window` simulated seconds and
sends each window's requests concurrently, every request stamped with its simulated instant
(`X-Allo-Simulated-Time`, honoured only by the replay's own server, see allo.web.simserver).

Paced (`speed` > 0, the default of the benchmark): each window is dispatched at its scaled
wall-clock instant, first event + (t - first) / speed, and the engine sleeps while it is ahead;
inside a window, each request leaves at its own scaled instant too. That is an open load, what
"N× real time" means: requests arrive at the day's own rhythm, sped up, whatever the server's
latency, so a request's latency is the server's answer time and not a place in a burst of the
engine's own making. Windows are short then (`PACED_WINDOW`) so that the engine learns soon
what each request did. Flat out (`speed` = 0) windows
follow one another without waiting: a closed loop that gives the maximum speed, where latency
is mostly client-side queueing of each window's burst.

A window's requests run at the same time. "Take next" gives the oldest waiting contact, so when
n agents of a queue ask in the same window, each request is stamped no earlier than the moment
the n-th oldest waiting contact entered the queue (or, when fewer wait, than the window's latest
arrival there): an agent idle before a contact arrives takes it the moment it arrives, never
before. This holds for any window length.

The server is the truth: the engine learns which contact an agent got from the response of
"take next", and keeps its own view only to know whom to wake up and to check, at the end,
that the server holds exactly the contacts it created.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from allo.contacts.models import LEVEL1_QUEUE, SECTORS
from allo.stats.dayplan import DayPlan, PlannedContact
from allo.stats.replay_protocol import KEY_HEADER, TIME_HEADER

#: Simulated seconds of one window, flat out (bigger bursts, fewer round trips).
WINDOW = 30.0
#: Simulated seconds of one window when paced: 5 s is 83 ms of wall clock at 60×.
PACED_WINDOW = 5.0
SURVEY_SHARE = 0.12
RATINGS = (1, 2, 3, 4, 5)
RATING_WEIGHTS = (3, 5, 12, 35, 45)
#: From the seed's testimonials.
COMMENTS = (
    "Réponse très claire.",
    "C'était parfait, rapide, clair et efficace... merci",
    "On m'a bien expliqué la procédure.",
    "Réponse claire, pas de mots compliqués.",
    "Très utile avant de se déplacer à la préfecture.",
    "Attente un peu longue.",
)
QUESTIONS = (
    "Mon employeur ne me paie plus mes heures supplémentaires, que faire ?",
    "Comment refaire ma carte d'identité perdue ?",
    "Mon propriétaire refuse de me rendre le dépôt de garantie.",
    "Le vendeur refuse d'appliquer la garantie sur mon lave-linge.",
    "Comment déclarer les revenus de mon fils étudiant ?",
    "Quelles démarches pour une succession sans testament ?",
)
#: fiches the answers cite: all in the official corpus, so a replay onto a base holding it (the
#: backup benchmark's) passes the answer's fiche check (F31221 is not in it)
FICHES = ("F1342", "F2405", "F1989", "F10029", "F21089")


class ReplayError(RuntimeError):
    """The API answered something the flow does not allow: the replay stops and says what."""


@dataclass
class Account:
    username: str
    password: str
    role: str
    queue: str | None = None
    rank: int = 0
    token: str | None = None
    #: the contact (server id) the agent holds
    holding: int | None = None
    #: a TRY or DONE is scheduled for this agent
    pending: bool = False


@dataclass
class Tracked:
    plan: PlannedContact
    contact_id: int | None = None
    call_id: str | None = None
    token: str | None = None
    queue: str = LEVEL1_QUEUE
    level: int = 1
    #: simulated moment it entered its current queue
    queued_at: float = 0.0
    state: str = "new"  # new / waiting / taken / closed / abandoned / refused


@dataclass
class ReplayResult:
    created: int = 0
    duplicate_ids: int = 0
    refused: int = 0
    final_states: dict[str, int] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    wall_seconds: float = 0.0
    simulated_seconds: float = 0.0
    #: the pace asked for (simulated seconds per wall second; 0 = flat out)
    target_speed: float = 0.0
    #: wall seconds the paced engine slept, waiting for a window's instant
    slept_seconds: float = 0.0
    #: paced: how late each window was dispatched after its instant (ms; 0 when on time),
    #: the sign that the server or the engine could not keep the pace
    dispatch_lag_ms: list[float] = field(default_factory=list)
    first_event: float = 0.0
    last_event: float = 0.0
    contact_ids: list[int] = field(default_factory=list)
    expected_states: dict[int, str] = field(default_factory=dict)
    surveys: int = 0
    messages_read: int = 0


class Api:
    """httpx client that stamps the simulated time and times every request."""

    def __init__(self, base_url: str, key: str, *, connections: int) -> None:
        self.client = httpx.Client(
            base_url=base_url,
            timeout=60.0,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )
        self.key = key
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def call(
        self,
        label: str,
        method: str,
        path: str,
        *,
        at: datetime | None = None,
        token: str | None = None,
        json: Any = None,
        expect: tuple[int, ...] = (200,),
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if at is not None:
            headers[TIME_HEADER.decode()] = at.isoformat()
            headers[KEY_HEADER.decode()] = self.key
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        start = time.perf_counter()
        response = self.client.request(method, path, headers=headers, json=json)
        elapsed = (time.perf_counter() - start) * 1000
        with self._lock:
            self.latencies[label].append(elapsed)
        if response.status_code not in expect:
            raise ReplayError(
                f"{label}: {method} {path} → {response.status_code} {response.text[:300]}"
            )
        return response


Event = tuple[float, int, str, Any]


def _sleep_until(due: float) -> float:
    """Sleep until the perf_counter instant `due`; how far ahead it was (< 0: late by that)."""
    ahead = due - time.perf_counter()
    if ahead > 0:
        time.sleep(ahead)
    return ahead


class DayReplay:
    def __init__(
        self,
        api: Api,
        plan: DayPlan,
        accounts: dict[str, list[Account]],
        *,
        day: date,
        tz: ZoneInfo,
        seed: int,
        concurrency: int = 8,
        progress: Callable[[str], None] | None = None,
        window: float | None = None,
        speed: float = 0.0,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0 (0: flat out)")
        self.speed = speed
        self.window = window or (PACED_WINDOW if speed > 0 else WINDOW)
        self.api = api
        self.plan = plan
        self.accounts = accounts
        self.day = day
        self.tz = tz
        self.rng = random.Random(seed + 1)  # noqa: S311 — reproducible simulation
        #: (wall-clock start, first simulated instant) of the run, for pacing.
        self._clock: tuple[float, float] = (time.perf_counter(), 0.0)
        self.pool = ThreadPoolExecutor(max_workers=concurrency)
        self.progress = progress or (lambda _m: None)
        self.midnight = datetime.combine(day, dtime(0), tzinfo=tz)
        self.heap: list[Event] = []
        self.seq = itertools.count()
        self.tracked = [Tracked(plan=c) for c in plan.contacts]
        self.by_id: dict[int, Tracked] = {}
        self.waiting: dict[str, set[int]] = {q: set() for q in (LEVEL1_QUEUE, *SECTORS)}
        self.stalled: set[str] = set()
        self.hour = 0
        self.result = ReplayResult()
        self.platform = accounts["platform"][0]
        self.supervisor = accounts["supervisor"][0]

    # --- time and scheduling ---------------------------------------------------------------------

    def at(self, t: float) -> datetime:
        return self.midnight + timedelta(seconds=t)

    def push(self, t: float, kind: str, payload: Any = None) -> None:
        heapq.heappush(self.heap, (t, next(self.seq), kind, payload))

    def handlers(self, queue: str) -> list[Account]:
        return self.accounts[queue]

    def on_duty(self, agent: Account) -> bool:
        assert agent.queue is not None
        hour = min(max(self.hour, 8), 19)  # after 20 h the last shift drains the queues
        return agent.rank < self.plan.on_duty(agent.queue, hour) and self.hour >= 8

    # --- the run ---------------------------------------------------------------------------------

    def run(self) -> ReplayResult:
        for c in self.tracked:
            self.push(c.plan.arrival, "arrive", c)
        for hour in range(6, 21):
            self.push(hour * 3600.0, "shift", hour)
        self._login_team(self.heap[0][0])
        started = time.perf_counter()
        first = self.heap[0][0]
        self._clock = (started, first)
        last = first
        last_report = time.perf_counter()
        try:
            while self.heap:
                t0 = self.heap[0][0]
                if self.speed > 0:
                    self._pace(self._due(t0))
                batch: list[Event] = []
                while self.heap and self.heap[0][0] < t0 + self.window:
                    batch.append(heapq.heappop(self.heap))
                last = max(last, batch[-1][0])
                self._run_batch(batch)
                if time.perf_counter() - last_report > 30:
                    last_report = time.perf_counter()
                    self.progress(
                        f"{self.at(last).astimezone(self.tz):%H:%M} — "
                        f"{self.result.created} contacts créés"
                    )
        finally:
            self.pool.shutdown(wait=True)
        self.result.wall_seconds = time.perf_counter() - started
        self.result.target_speed = self.speed
        self.result.first_event, self.result.last_event = first, last
        self.result.simulated_seconds = last - first
        self.result.latencies_ms = dict(self.api.latencies)
        states: dict[str, int] = defaultdict(int)
        for c in self.tracked:
            states[c.state] += 1
            if c.contact_id is not None:
                self.result.expected_states[c.contact_id] = c.state
        self.result.final_states = dict(states)
        self.result.contact_ids = [c.contact_id for c in self.tracked if c.contact_id]
        return self.result

    def _due(self, t: float) -> float:
        """The wall-clock instant (perf_counter) of simulated second `t` when paced."""
        started, first = self._clock
        return started + (t - first) / self.speed

    def _pace(self, due: float) -> None:
        """Sleep until the window's wall-clock instant; note how late it is when behind."""
        ahead = _sleep_until(due)
        if ahead > 0:
            self.result.slept_seconds += ahead
        self.result.dispatch_lag_ms.append(max(0.0, -ahead) * 1000)

    def _parallel(
        self, jobs: list[Callable[[], Callable[[], None]]], at: list[float] | None = None
    ) -> None:
        """Run the requests concurrently; apply their effects on the state sequentially.
        Paced, a request with a simulated instant in `at` leaves no earlier than its scaled
        wall-clock instant (an open load within the window too, not a burst)."""
        if not jobs:
            return
        if self.speed > 0 and at is not None:
            # Submitted in order of their instants (a thread waiting for a late one must not
            # hold back an earlier one), applied in the engine's order (reproducible runs).
            futures: dict[int, Future[Callable[[], None]]] = {}
            for i in sorted(range(len(jobs)), key=lambda i: at[i]):
                futures[i] = self.pool.submit(self._at_due(jobs[i], self._due(at[i])))
            applies: Iterator[Callable[[], None]] = (futures[i].result() for i in range(len(jobs)))
        else:
            applies = self.pool.map(lambda job: job(), jobs)
        for apply in applies:
            apply()

    @staticmethod
    def _at_due(
        job: Callable[[], Callable[[], None]], due: float
    ) -> Callable[[], Callable[[], None]]:
        def run() -> Callable[[], None]:
            _sleep_until(due)
            return job()

        return run

    def _run_batch(self, batch: list[Event]) -> None:
        """One window: shift changes first, then every request of the window at once."""
        for t, _s, kind, payload in batch:
            if kind == "shift":
                self._shift(t, payload)
        jobs, at = [], []
        entering: dict[str, float] = defaultdict(float)
        for t, _s, kind, payload in batch:
            if kind in ("arrive", "hangup", "done", "survey"):
                job = getattr(self, f"_{kind}")(t, payload)
                if job is not None:
                    jobs.append(job)
                    at.append(t)
                    queue = self._entering_queue(kind, payload)
                    if queue is not None:
                        entering[queue] = max(entering[queue], t)
        tries = [(t, agent) for t, _s, kind, agent in batch if kind == "try"]
        per_queue: dict[str, int] = defaultdict(int)
        for _t, agent in tries:
            per_queue[agent.queue] += 1
        floor = {q: self._take_floor(q, n, entering.get(q, 0.0)) for q, n in per_queue.items()}
        for t, agent in tries:
            stamp = max(t, floor[agent.queue])
            jobs.append(self._take(stamp, agent))
            at.append(stamp)
        self._parallel(jobs, at)
        self._wake(batch[-1][0])

    def _entering_queue(self, kind: str, payload: Any) -> str | None:
        """The queue a step of this window may add a contact to (for the take stamps)."""
        if kind == "arrive":
            return LEVEL1_QUEUE
        if kind == "done":
            c = self.by_id[payload.holding]
            return c.plan.sector if c.level == 1 and c.plan.plan == "escalate" else None
        return None

    def _take_floor(self, queue: str, takers: int, entering: float) -> float:
        """The earliest stamp at which `takers` concurrent "take next" cannot get a contact
        before it entered the queue: the n-th oldest waiting one's entry, or — when fewer
        wait — the latest entry of this window (its steps run at the same time)."""
        times = sorted(self.by_id[cid].queued_at for cid in self.waiting[queue])
        if len(times) >= takers:
            return times[takers - 1]
        return max([*times, entering])

    # --- shifts and logins ------------------------------------------------------------------------

    def _shift(self, t: float, hour: int) -> None:
        self.hour = hour
        logins = []
        for queue in (LEVEL1_QUEUE, *SECTORS):
            for agent in self.handlers(queue):
                if self.on_duty(agent) and agent.token is None:
                    logins.append(self._login_job(agent, t))
        for account in (self.platform, self.supervisor):
            if account.token is None:
                logins.append(self._login_job(account, t))
        self._parallel(logins)
        self.stalled.clear()

    def _login_team(self, t: float) -> None:
        """The whole team logs in before the day starts (measured, under "login", but outside
        the replay's clock)."""
        everyone = [a for accounts in self.accounts.values() for a in accounts]
        self._parallel([self._login_job(agent, t) for agent in everyone])

    def _login_job(self, agent: Account, t: float) -> Callable[[], Callable[[], None]]:
        def job() -> Callable[[], None]:
            token = self._login(agent, t)

            def apply() -> None:
                agent.token = token

            return apply

        return job

    def _login(self, agent: Account, t: float) -> str:
        response = self.api.call(
            "login",
            "POST",
            "/api/auth/login",
            at=self.at(t),
            json={"username": agent.username, "password": agent.password},
        )
        return str(response.json()["token"])

    def _authed(
        self, label: str, method: str, path: str, agent: Account, t: float, **kw: Any
    ) -> httpx.Response:
        """A request as `agent`; a session that expired during the day logs in again once."""
        expect = kw.pop("expect", (200,))
        response = self.api.call(
            label, method, path, at=self.at(t), token=agent.token, expect=(*expect, 401), **kw
        )
        if response.status_code == 401:
            agent.token = self._login(agent, t)
            response = self.api.call(
                label, method, path, at=self.at(t), token=agent.token, expect=expect, **kw
            )
        return response

    # --- arrivals and hang-ups -------------------------------------------------------------------

    def _arrive(self, t: float, c: Tracked) -> Callable[[], Callable[[], None]]:
        def job() -> Callable[[], None]:
            if c.plan.channel == "phone":
                call_id = f"sim-{self.day:%Y%m%d}-{c.plan.index}"
                response = self._authed(
                    "call_offered",
                    "POST",
                    "/api/calls",
                    self.platform,
                    t,
                    json={"kind": "offered", "call_id": call_id},
                    expect=(200, 409),
                )
                refused = response.status_code == 409
                contact_id = None if refused else int(response.json()["contact_id"])
                token = None
            else:
                call_id, refused = None, False
                body: dict[str, Any] = {"question": self.rng.choice(QUESTIONS)}
                response = self.api.call(
                    "message_post",
                    "POST",
                    "/api/messages",
                    at=self.at(t),
                    json=body,
                    expect=(201,),
                )
                contact_id = int(response.json()["reference"])
                token = str(response.json()["token"])

            def apply() -> None:
                if refused:
                    c.state = "refused"
                    self.result.refused += 1
                    return
                assert contact_id is not None
                if contact_id in self.by_id:
                    self.result.duplicate_ids += 1
                    self.result.anomalies.append(f"id {contact_id} returned twice")
                c.contact_id, c.call_id, c.token, c.state = contact_id, call_id, token, "waiting"
                c.queued_at = t
                self.by_id[contact_id] = c
                self.waiting[LEVEL1_QUEUE].add(contact_id)
                self.stalled.discard(LEVEL1_QUEUE)
                self.result.created += 1
                if c.plan.patience is not None:
                    self.push(t + c.plan.patience, "hangup", c)

            return apply

        return job

    def _hangup(self, t: float, c: Tracked) -> Callable[[], Callable[[], None]] | None:
        if c.state != "waiting" or c.level != 1 or c.contact_id is None:
            return None  # answered in time
        contact_id = c.contact_id

        def job() -> Callable[[], None]:
            response = self._authed(
                "call_ended",
                "POST",
                "/api/calls",
                self.platform,
                t,
                json={"kind": "ended", "call_id": c.call_id},
            )
            abandoned = bool(response.json()["abandoned"])

            def apply() -> None:
                if abandoned:
                    c.state = "abandoned"
                    self.waiting[LEVEL1_QUEUE].discard(contact_id)
                # else: an agent took the call in the same window, just before the hang-up

            return apply

        return job

    # --- agents --------------------------------------------------------------------------------

    def _wake(self, t: float) -> None:
        for queue, ids in self.waiting.items():
            if not ids or queue in self.stalled:
                continue
            pending = sum(1 for a in self.handlers(queue) if a.pending and a.holding is None)
            wanted = len(ids) - pending
            for agent in self.handlers(queue):
                if wanted <= 0:
                    break
                if agent.holding is None and not agent.pending and self.on_duty(agent):
                    if agent.token is None:
                        continue
                    agent.pending = True
                    self.push(t, "try", agent)
                    wanted -= 1

    def _take(self, t: float, agent: Account) -> Callable[[], Callable[[], None]]:
        assert agent.queue is not None
        queue = agent.queue

        def job() -> Callable[[], None]:
            response = self._authed(
                "take_next", "POST", f"/api/queues/{queue}/next", agent, t, expect=(200, 204)
            )
            got = int(response.json()["id"]) if response.status_code == 200 else None

            def apply() -> None:
                agent.pending = False
                if got is None:
                    if self.waiting[queue]:
                        self.stalled.add(queue)
                    return
                c = self.by_id.get(got)
                if c is None:
                    self.result.anomalies.append(f"agent got unknown contact {got}")
                    return
                if got not in self.waiting[queue]:
                    self.result.anomalies.append(f"contact {got} taken but not waiting here")
                self.waiting[queue].discard(got)
                c.state = "taken"
                agent.holding = got
                agent.pending = True
                handling = c.plan.handling1 if c.level == 1 else (c.plan.handling2 or 300.0)
                self.push(t + handling, "done", agent)

            return apply

        return job

    def _done(self, t: float, agent: Account) -> Callable[[], Callable[[], None]]:
        contact_id = agent.holding
        assert contact_id is not None
        c = self.by_id[contact_id]
        # On the phone the answer is spoken: no note. In writing, the note is the answer.
        note = "Voici la réponse à votre question, d'après la fiche." if c.token else ""
        if c.level == 1 and c.plan.plan == "escalate":
            label, path = "escalate", f"/api/contacts/{contact_id}/escalate"
            body: dict[str, Any] = {
                "sector": c.plan.sector,
                "answers": {},
                "note": "Question qualifiée avec la fiche d'escalade.",
            }
        elif c.level == 1 and c.plan.plan == "orient":
            label, path = "orient", f"/api/contacts/{contact_id}/orient"
            body = {
                "url": "https://www.service-public.fr",
                "label": "Service-public.fr",
                "note": "Vous trouverez la démarche sur le site officiel." if c.token else "",
            }
        elif c.level == 1:
            label, path = "answer", f"/api/contacts/{contact_id}/answer"
            body = {"fiche_ids": [self.rng.choice(FICHES)], "note": note}
        else:
            label, path = "close_level2", f"/api/contacts/{contact_id}/close"
            body = {"outcome": "answered", "note": note}

        def job() -> Callable[[], None]:
            response = self._authed(label, "POST", path, agent, t, json=body)
            state = response.json()["state"]
            queue = response.json()["queue"]

            def apply() -> None:
                agent.holding = None
                # Ask for the next one at once if some wait; otherwise `_wake` calls the agent
                # when a contact arrives (no "take next" on a queue known to be empty).
                assert agent.queue is not None
                agent.pending = bool(self.waiting[agent.queue])
                if agent.pending:
                    self.push(t, "try", agent)
                c.state = state
                if state == "waiting":
                    c.queue, c.level, c.queued_at = queue, 2, t
                    self.waiting[queue].add(contact_id)
                    self.stalled.discard(queue)
                elif state == "closed" and self.rng.random() < SURVEY_SHARE:
                    self.push(t + 60.0, "survey", c)

            return apply

        return job

    def _survey(self, t: float, c: Tracked) -> Callable[[], Callable[[], None]]:
        rating = self.rng.choices(RATINGS, weights=RATING_WEIGHTS)[0]
        comment = self.rng.choice(COMMENTS) if self.rng.random() < 0.3 else ""

        def job() -> Callable[[], None]:
            read = False
            if c.token is not None:
                view = self.api.call(
                    "message_read", "GET", f"/api/messages/{c.token}", at=self.at(t)
                )
                read = bool(view.json()["answer"])
                body = {"token": c.token, "rating": rating, "comment": comment}
                self.api.call(
                    "survey", "POST", "/api/surveys", at=self.at(t), json=body, expect=(201,)
                )
            else:
                body = {"contact_id": c.contact_id, "rating": rating, "comment": comment}
                self._authed(
                    "survey", "POST", "/api/surveys", self.platform, t, json=body, expect=(201,)
                )

            def apply() -> None:
                self.result.surveys += 1
                self.result.messages_read += int(read)

            return apply

        return job

    # --- the day's figures -----------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        day = self.day.isoformat()
        end = self.at(self.result.last_event + 1)
        response = self._authed(
            "stats",
            "GET",
            f"/api/stats?from={day}&to={day}",
            self.supervisor,
            (end - self.midnight).total_seconds(),
        )
        return dict(response.json())


def health_baseline(api: Api, requests: int, concurrency: int) -> list[float]:
    """GET /api/health timed with the replay's client and concurrency: the floor of one request."""
    if requests <= 0:
        return []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda _i: api.call("health", "GET", "/api/health"), range(requests)))
    return api.latencies.pop("health", [])
