"""Rate limits (the `limits` library): anonymous writes, expensive anonymous reads, and login
throttling per account and per client address.

Counters live where `ALLO_RATE_LIMIT_STORAGE` says: in the process (`memory://`, the default) or
in Redis, shared by every worker and machine. Each rule has its own setting
(`ALLO_RATE_LIMIT_<RULE>`, e.g. "5/minute;30/hour"); an empty one switches the rule off. A
store that cannot be reached lets requests through and logs an error: a broken Redis must not
close the service.

Handlers call `check(request, "questions")` where the limit belongs (after validation, for the
anonymous path only): counting in a middleware could not tell an agent's relayed rating from
an anonymous one.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
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


def wait_fr(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


class RateLimits:
    """The process's limiter: one storage, one moving-window strategy, the rules from settings."""

    def __init__(self, settings: Settings) -> None:
        self.storage = storage_from_string(settings.rate_limit_storage)
        self.in_memory = settings.rate_limit_storage.startswith("memory://")
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.rules: dict[str, list[RateLimitItem]] = {
            rule: parse_many(value) if (value := getattr(settings, f"rate_limit_{rule}")) else []
            for rule in MESSAGES
        }

    def _wait(self, item: RateLimitItem, rule: str, key: str) -> int:
        reset = self.strategy.get_window_stats(item, rule, key).reset_time
        return max(1, math.ceil(reset - time.time()))

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


def rate_limits(runtime: Runtime) -> RateLimits:
    return runtime.service("rate_limits", lambda rt: RateLimits(rt.settings))


def client_address(request: Request) -> str:
    """The caller's address as uvicorn reports it (the balancer's forwarded one when trusted)."""
    return request.client.host if request.client else "inconnu"


def refuse(rule: str, wait: int) -> TooManyRequests:
    return TooManyRequests(f"{MESSAGES[rule]} : réessayez dans {wait_fr(wait)}.", retry_after=wait)


def check(request: Request, rule: str) -> None:
    """Count this request against `rule` for the caller's address; 429 if over the limit."""
    wait = rate_limits(request.app.state.runtime).hit(rule, client_address(request))
    if wait is not None:
        raise refuse(rule, wait)


async def check_async(request: Request, rule: str) -> None:
    """`check` from the event loop: inline in memory (microseconds); in the thread pool when the
    store is over the network, so a slow Redis never blocks the loop's other requests."""
    limiter = rate_limits(request.app.state.runtime)
    if limiter.in_memory:
        check(request, rule)
    else:
        await run_in_threadpool(check, request, rule)


# --- login throttling ----------------------------------------------------------------------------


def _login_keys(request: Request, username: str) -> tuple[tuple[str, str], ...]:
    return (
        ("login_account", username.strip().lower()[:64] or "-"),
        ("login_address", client_address(request)),
    )


def login_allowed(request: Request, username: str) -> None:
    """Before checking a password: 429 while the account or the address is locked out."""
    limiter = rate_limits(request.app.state.runtime)
    for rule, key in _login_keys(request, username):
        wait = limiter.test(rule, key)
        if wait is not None:
            raise refuse(rule, wait)


def login_failed(request: Request, username: str) -> None:
    """Count a wrong password; the start of a lockout goes to the audit trail (no name, no IP)."""
    runtime: Runtime = request.app.state.runtime
    limiter = rate_limits(runtime)
    for rule, key in _login_keys(request, username):
        limiter.hit(rule, key)
        if limiter.test(rule, key) is not None:
            _audit_lockout(runtime, rule)


def login_succeeded(request: Request, username: str) -> None:
    """The account's failures are forgiven; the address's are not (it may try other accounts)."""
    rule, key = _login_keys(request, username)[0]
    rate_limits(request.app.state.runtime).clear(rule, key)


def _audit_lockout(runtime: Runtime, rule: str) -> None:
    detail: dict[str, Any] = {"by": rule.removeprefix("login_")}
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
