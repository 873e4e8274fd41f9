"""Rate limits (the `limits` library): anonymous writes, expensive anonymous reads, and login
throttling per account and per client address.

Counters live where `ALLO_RATE_LIMIT_STORAGE` says: in the process (`memory://`, the default) or
in Redis, shared by every worker and machine. Each rule has its own setting
(`ALLO_RATE_LIMIT_<RULE>`, e.g. "5/minute;30/hour"); an empty one switches the rule off. A
store that cannot be reached lets requests through and logs an error: a broken Redis must not
close the service. Windows are moving (sliding) windows: no burst at a window's edge.

Handlers call `check(request, "questions")` where the limit belongs (after validation, for the
anonymous path only): counting in a middleware could not tell an agent's relayed rating from
an anonymous one. Async handlers (search) call `check_async`: with Redis it uses the async
client of `limits.aio` (redis-py's asyncio driver), so the event loop never waits on the network
and no thread-pool hop is paid.

The client's address is uvicorn's (`X-Forwarded-For` believed only from
`ALLO_FORWARDED_ALLOW_IPS`); an IPv6 address counts for its /64, the block one subscriber gets.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import time
from typing import Any, cast

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.aio import strategies as aio_strategies
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from allo.errors import TooManyRequests
from allo.privacy import audit
from allo.runtime import Runtime
from allo.settings import Settings

log = logging.getLogger("allo.web.security")

#: rule → its French refusal (the wait is appended)
MESSAGES = {
    "login_account": "Trop de tentatives de connexion pour cet identifiant",
    "login_address": "Trop de tentatives de connexion depuis votre adresse",
    "questions": "Vous avez envoyé beaucoup de questions en peu de temps",
    "surveys": "Vous avez donné beaucoup d'avis en peu de temps",
    "search_hybrid": "Trop de recherches approfondies en peu de temps (la recherche simple, "
    "mode=lexical, reste disponible)",
    "suggestions": "Trop de demandes de suggestions en peu de temps",
}
#: an IPv6 subscriber gets a /64: counting single addresses would let one client rotate freely
IPV6_PREFIX = 64


def wait_fr(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def _seconds_until(reset: float) -> int:
    return max(1, math.ceil(reset - time.time()))


class RateLimits:
    """The process's limiter: one storage, one moving-window strategy, the rules from settings;
    with Redis, a second (asyncio) client of the same store for the event loop's checks."""

    def __init__(self, settings: Settings) -> None:
        self.uri = settings.rate_limit_storage
        # Synchronous by its URI (no async+ scheme): the thread-pool callers use it as is.
        self.storage = cast(Storage, storage_from_string(self.uri))
        self.in_memory = self.uri.startswith("memory://")
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.rules: dict[str, list[RateLimitItem]] = {
            rule: parse_many(value) if (value := getattr(settings, f"rate_limit_{rule}")) else []
            for rule in MESSAGES
        }
        self._async: tuple[Any, aio_strategies.MovingWindowRateLimiter] | None = None

    def _wait(self, item: RateLimitItem, rule: str, key: str) -> int:
        return _seconds_until(self.strategy.get_window_stats(item, rule, key).reset_time)

    def hit(self, rule: str, key: str) -> int | None:
        """Count one request; the seconds to wait if it is over a limit, else None."""
        try:
            for item in self.rules[rule]:
                if not self.strategy.hit(item, rule, key):
                    return self._wait(item, rule, key)
        except Exception:
            log.error("rate limit store unreachable: rule %s not enforced", rule)
        return None

    def test(self, rule: str, key: str) -> int | None:
        """Would one more request pass? The seconds to wait if not, else None (nothing counted)."""
        try:
            for item in self.rules[rule]:
                if not self.strategy.test(item, rule, key):
                    return self._wait(item, rule, key)
        except Exception:
            log.error("rate limit store unreachable: rule %s not enforced", rule)
        return None

    def clear(self, rule: str, key: str) -> None:
        try:
            for item in self.rules[rule]:
                self.strategy.clear(item, rule, key)
        except Exception:
            log.error("rate limit store unreachable: rule %s not cleared", rule)

    def _async_strategy(self) -> aio_strategies.MovingWindowRateLimiter:
        """The asyncio limiter of the current event loop (a client's connections belong to the
        loop that opened them; a worker has one loop, tests open several)."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            storage = storage_from_string(f"async+{self.uri}", implementation="redispy")
            self._async = (loop, aio_strategies.MovingWindowRateLimiter(storage))
        return self._async[1]

    async def hit_async(self, rule: str, key: str) -> int | None:
        """`hit` from the event loop: inline in memory (microseconds), else over the async
        Redis client, the same counters as `hit`."""
        if self.in_memory:
            return self.hit(rule, key)
        try:
            strategy = self._async_strategy()
            for item in self.rules[rule]:
                if not await strategy.hit(item, rule, key):
                    stats = await strategy.get_window_stats(item, rule, key)
                    return _seconds_until(stats.reset_time)
        except Exception:
            log.error("rate limit store unreachable: rule %s not enforced", rule)
        return None


def rate_limits(runtime: Runtime) -> RateLimits:
    return runtime.service("rate_limits", lambda rt: RateLimits(rt.settings))


def client_address(request: Request) -> str:
    """The caller's address as uvicorn reports it (the balancer's forwarded one when trusted),
    IPv6 grouped by /64."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "inconnu"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def refuse(rule: str, wait: int) -> TooManyRequests:
    return TooManyRequests(f"{MESSAGES[rule]} : réessayez dans {wait_fr(wait)}.", retry_after=wait)


def check(request: Request, rule: str) -> None:
    """Count this request against `rule` for the caller's address; 429 if over the limit."""
    wait = rate_limits(request.app.state.runtime).hit(rule, client_address(request))
    if wait is not None:
        raise refuse(rule, wait)


async def check_async(request: Request, rule: str) -> None:
    """`check` from the event loop, never blocking it on the network."""
    limiter = rate_limits(request.app.state.runtime)
    wait = await limiter.hit_async(rule, client_address(request))
    if wait is not None:
        raise refuse(rule, wait)


# --- login throttling ----------------------------------------------------------------------------
#
# The `login_*` rules are the failures allowed in a moving window ("5/minute;20/hour"). A failure
# that fills a window locks the account (or address) out: the first lockout of the day lasts
# the window (a minute), each next one twice the previous, up to ALLO_LOGIN_LOCKOUT_MAX. The
# lock and the count of lockouts ("strikes", kept for a day from the first) are counters of the
# same store (memory or Redis), so every node sees them.

#: lockouts are counted for a day from the first; then the next one is the shortest again
STRIKES_KEPT = 86_400


def _login_keys(request: Request, username: str) -> tuple[tuple[str, str], ...]:
    return (
        ("login_account", username.strip().lower()[:64] or "-"),
        ("login_address", client_address(request)),
    )


def lockout_seconds(strike: int, window: int, longest: int) -> int:
    """The n-th lockout (n ≥ 1) lasts the window times 2**(n-1), at most `longest`."""
    return max(1, min(longest, window * 2 ** min(strike - 1, 32)))


class LoginThrottle:
    """Lockouts with exponential backoff, kept in the limiter's store."""

    def __init__(self, limiter: RateLimits, longest: int) -> None:
        self.limiter = limiter
        self.store = limiter.storage
        self.longest = longest

    def locked_for(self, rule: str, key: str) -> int | None:
        """Seconds left of a lockout, or None."""
        lock = f"allo-login-lock/{rule}/{key}"
        try:
            if self.store.get(lock) > 0:
                return _seconds_until(self.store.get_expiry(lock))
        except Exception:
            log.error("rate limit store unreachable: rule %s not enforced", rule)
            return None
        return self.limiter.test(rule, key)  # a window full without a lock (store restarted)

    def failed(self, rule: str, key: str) -> tuple[int, int] | None:
        """Count a failure; (strike, seconds) when it starts a lockout, else None."""
        wait = self.limiter.hit(rule, key)
        if wait is None:
            wait = self.limiter.test(rule, key)  # this failure filled the window
        if wait is None:
            return None
        try:
            strike = self.store.incr(f"allo-login-strikes/{rule}/{key}", STRIKES_KEPT)
            window = min(int(item.get_expiry()) for item in self.limiter.rules[rule])
            seconds = max(wait, lockout_seconds(strike, window, self.longest))
            lock = f"allo-login-lock/{rule}/{key}"
            self.store.clear(lock)
            self.store.incr(lock, seconds)
        except Exception:
            log.error("rate limit store unreachable: rule %s lockout not recorded", rule)
            return None
        return strike, seconds

    def forgive(self, rule: str, key: str) -> None:
        self.limiter.clear(rule, key)
        try:
            for name in ("allo-login-strikes", "allo-login-lock"):
                self.store.clear(f"{name}/{rule}/{key}")
        except Exception:
            log.error("rate limit store unreachable: rule %s not cleared", rule)


def login_throttle(runtime: Runtime) -> LoginThrottle:
    limiter = rate_limits(runtime)  # outside `service`: its lock is not re-entrant
    return runtime.service(
        "login_throttle", lambda rt: LoginThrottle(limiter, rt.settings.login_lockout_max)
    )


def login_allowed(request: Request, username: str) -> None:
    """Before checking a password: 429 while the account or the address is locked out."""
    throttle = login_throttle(request.app.state.runtime)
    for rule, key in _login_keys(request, username):
        if throttle.limiter.rules[rule] and (wait := throttle.locked_for(rule, key)) is not None:
            raise refuse(rule, wait)


def login_failed(request: Request, username: str) -> None:
    """Count a wrong password; each lockout goes to the audit trail (no name, no address)."""
    runtime: Runtime = request.app.state.runtime
    throttle = login_throttle(runtime)
    for rule, key in _login_keys(request, username):
        if throttle.limiter.rules[rule] and (lockout := throttle.failed(rule, key)) is not None:
            _audit_lockout(runtime, rule, *lockout)


def login_succeeded(request: Request, username: str) -> None:
    """The account's failures are forgiven; the address's are not (it may try other accounts)."""
    rule, key = _login_keys(request, username)[0]
    login_throttle(request.app.state.runtime).forgive(rule, key)


def _audit_lockout(runtime: Runtime, rule: str, strike: int, seconds: int) -> None:
    detail: dict[str, Any] = {
        "by": rule.removeprefix("login_"),
        "lockout": strike,
        "seconds": seconds,
    }
    try:
        audit.record_separately(
            runtime.sessions,
            agent_id=None,
            action="login_locked",
            object_type="login",
            detail=detail,
        )
    except Exception:
        log.exception("could not audit a login lockout")
