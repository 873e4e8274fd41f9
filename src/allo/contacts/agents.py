"""Agents, roles, passwords and login tokens (the domain side of authentication; no HTTP here).

Passwords are argon2id hashes (argon2-cffi). A login issues a random token: the API sends it as a
bearer token and the consoles as an HttpOnly cookie. Only its SHA-256 is stored, with an expiry,
in a table every app worker reads, so sessions survive restarts and work across workers.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, sessionmaker

from allo.contacts import repository as repo
from allo.contacts.models import AGENT_STATES, ROLES, SECTORS, Agent, AgentToken
from allo.db.base import utcnow
from allo.db.session import unit_of_work
from allo.errors import Conflict, InvalidInput, Unauthorized

#: How long a login lasts (a working day with margin).
TOKEN_TTL = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10

ROLE_LABELS: dict[str, str] = {
    "advisor": "conseiller (niveau 1)",
    "specialist": "spécialiste (niveau 2)",
    "editor": "rédacteur",
    "supervisor": "superviseur",
    "administrator": "administrateur",
}
STATE_LABELS: dict[str, str] = {
    "available": "disponible",
    "busy": "en communication",
    "paused": "en pause",
    "offline": "déconnecté",
}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

#: OWASP's recommended argon2id profile (19 MiB, 2 passes, 1 lane): about a tenth of the CPU of
#: argon2-cffi's default (64 MiB, 3 passes, 4 lanes, 0.5 s here), whose logins at a shift change
#: held up every other request of a worker. Hashes made with other costs still verify and are
#: rehashed with this one at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_demo_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def use_password_cost(*, time_cost: int, memory_cost: int, parallelism: int = 1) -> None:
    """Change the argon2 cost of new hashes (tests use a cheap one; production keeps the default)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _dummy_hash.cache_clear()


@cache
def _dummy_hash() -> str:
    """Verified when the login name is unknown, so that both failures take the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(agent: Agent, password: str) -> bool:
    try:
        return _hasher.verify(agent.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password an administrator can pass on (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def normalize_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput(
            "Identifiant invalide : 2 à 64 caractères parmi lettres minuscules sans accent, "
            "chiffres, point, tiret et tiret bas, en commençant par une lettre ou un chiffre."
        )
    return name


def create_agent(
    session: Session,
    username: str,
    role: str,
    password: str,
    *,
    sectors: Sequence[str] = (),
    display_name: str = "",
    public_password: bool = False,
) -> Agent:
    """A new agent (offline). `public_password`: a documented demo password, hashed cheaply
    (it protects nothing) and rehashed with the full cost at the first login."""
    name = normalize_username(username)
    if role not in ROLES:
        raise InvalidInput(f"Rôle inconnu : « {role} ». Rôles possibles : {', '.join(ROLES)}.")
    unknown = [s for s in sectors if s not in SECTORS]
    if unknown:
        raise InvalidInput(
            f"Secteur inconnu : « {unknown[0]} ». Secteurs possibles : {', '.join(SECTORS)}."
        )
    if role == "specialist" and not sectors:
        raise InvalidInput("Un spécialiste doit couvrir au moins un secteur (--sector).")
    if role != "specialist" and sectors:
        raise InvalidInput("Seuls les spécialistes (niveau 2) sont rattachés à des secteurs.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
        )
    if repo.agent_by_username(session, name) is not None:
        raise Conflict(f"L'identifiant « {name} » est déjà utilisé.")
    agent = Agent(
        username=name,
        display_name=display_name.strip() or name,
        role=role,
        sectors=list(dict.fromkeys(sectors)),
        password_hash=_demo_hasher.hash(password) if public_password else hash_password(password),
        state="offline",
        state_since=utcnow(),
        active=True,
    )
    session.add(agent)
    session.flush()
    return agent


_WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."


@dataclass(frozen=True)
class VerifiedLogin:
    """Credentials checked by `verify_login`: what the short write half (`open_session`) needs."""

    agent_id: int
    #: the hash the password was checked against (a change since then refuses the login)
    checked_hash: str
    #: the password rehashed at the current cost when the stored hash is weaker, else None
    new_hash: str | None


#: argon2 runs at most once per core at a time: a burst of logins then queues here rather than
#: starving the short token writes of CPU (and 64 MiB each) while it hashes.
_HASHING = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def _verify(found: Agent | None, password: str) -> VerifiedLogin:
    """argon2 for `found` (or the dummy hash, so unknown names take as long); no database use."""
    with _HASHING:
        if found is None or not found.active:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_dummy_hash(), password)
            raise Unauthorized(_WRONG_CREDENTIALS)
        if not check_password(found, password):
            raise Unauthorized(_WRONG_CREDENTIALS)
        stale = _hasher.check_needs_rehash(found.password_hash)
        rehash = hash_password(password) if stale else None
    return VerifiedLogin(found.id, found.password_hash, rehash)


def verify_login(
    read_sessions: sessionmaker[Session], username: str, password: str
) -> VerifiedLogin:
    """Check credentials with no write transaction open: the agent is read in a read-only
    session, closed before argon2 runs, so a burst of logins never holds SQLite's writer lock
    while hashing (each login then writes its token in a short transaction, `open_session`)."""
    with unit_of_work(read_sessions) as session:
        found = repo.agent_by_username(session, username.strip().lower())
    return _verify(found, password)


def open_session(
    session: Session, verified: VerifiedLogin, *, now: datetime | None = None
) -> tuple[Agent, str, datetime]:
    """The write half of a login (no hashing here): the agent, a new token and its expiry.
    Unauthorized if the agent was deactivated or its password changed since `verify_login`."""
    agent = repo.agent(session, verified.agent_id)
    if agent is None or not agent.active or agent.password_hash != verified.checked_hash:
        raise Unauthorized(_WRONG_CREDENTIALS)
    if verified.new_hash is not None:
        agent.password_hash = verified.new_hash
    token, expires = issue_token(session, agent, now=now)
    return agent, token, expires


def authenticate(session: Session, username: str, password: str) -> Agent:
    """The agent with these credentials, or Unauthorized (same message whatever was wrong).
    In one session: for the CLI and tests; logins over HTTP use verify_login + open_session."""
    agent = repo.agent_by_username(session, username.strip().lower())
    verified = _verify(agent, password)
    assert agent is not None  # _verify refuses a missing agent
    if verified.new_hash is not None:
        agent.password_hash = verified.new_hash
    return agent


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, agent: Agent, *, now: datetime | None = None
) -> tuple[str, datetime]:
    """A new login token for `agent` (returned once, stored hashed) and its expiry."""
    now = now or utcnow()
    repo.delete_expired_tokens(session, now)
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_TTL
    session.add(
        AgentToken(
            token_hash=_token_hash(token), agent_id=agent.id, created_at=now, expires_at=expires
        )
    )
    set_state(session, agent, "available", now=now)
    session.flush()
    return token, expires


def agent_for_token(session: Session, token: str, *, now: datetime | None = None) -> Agent | None:
    if not token or len(token) > 256:
        return None
    return repo.agent_for_token_hash(session, _token_hash(token), now or utcnow())


def revoke_token(session: Session, token: str) -> None:
    repo.delete_token(session, _token_hash(token))


def set_state(session: Session, agent: Agent, state: str, *, now: datetime | None = None) -> None:
    if state not in AGENT_STATES:
        raise InvalidInput(
            f"État inconnu : « {state} ». États possibles : {', '.join(AGENT_STATES)}."
        )
    if agent.state != state:
        agent.state = state
        agent.state_since = now or utcnow()
