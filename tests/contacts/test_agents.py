"""Agents, passwords (argon2) and login tokens stored hashed with an expiry."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from allo.contacts import agents
from allo.contacts.models import AgentToken
from allo.db.base import utcnow
from allo.errors import Conflict, InvalidInput, Unauthorized

PASSWORD = "mot-de-passe-de-test"


def test_create_and_authenticate(db: Session) -> None:
    agent = agents.create_agent(
        db, "Jeanne.C", "specialist", PASSWORD, sectors=["justice", "justice"]
    )
    assert agent.username == "jeanne.c" and agent.sectors == ["justice"]
    assert agent.password_hash.startswith("$argon2id$") and PASSWORD not in agent.password_hash
    assert agents.authenticate(db, "JEANNE.C", PASSWORD).id == agent.id
    with pytest.raises(Unauthorized, match="incorrect"):
        agents.authenticate(db, "jeanne.c", "mauvais-mot-de-passe")
    with pytest.raises(Unauthorized, match="incorrect"):
        agents.authenticate(db, "personne", PASSWORD)


@pytest.mark.parametrize(
    ("username", "role", "sectors", "password", "error"),
    [
        ("a b", "advisor", [], PASSWORD, "Identifiant invalide"),
        ("ok", "boss", [], PASSWORD, "Rôle inconnu"),
        ("ok", "specialist", [], PASSWORD, "au moins un secteur"),
        ("ok", "specialist", ["sport"], PASSWORD, "Secteur inconnu"),
        ("ok", "advisor", ["travail"], PASSWORD, "Seuls les spécialistes"),
        ("ok", "advisor", [], "court", "au moins 10"),
    ],
)
def test_invalid_agents(
    db: Session, username: str, role: str, sectors: list[str], password: str, error: str
) -> None:
    with pytest.raises(InvalidInput, match=error):
        agents.create_agent(db, username, role, password, sectors=sectors)


def test_duplicate_username(db: Session) -> None:
    agents.create_agent(db, "doublon", "advisor", PASSWORD)
    with pytest.raises(Conflict):
        agents.create_agent(db, "Doublon", "editor", PASSWORD)


def test_tokens_are_hashed_expire_and_revoke(db: Session) -> None:
    agent = agents.create_agent(db, "jeton", "advisor", PASSWORD)
    token, expires = agents.issue_token(db, agent)
    assert agent.state == "available"
    stored = db.get(AgentToken, hashlib.sha256(token.encode()).hexdigest())
    assert stored is not None and stored.expires_at == expires
    assert db.get(AgentToken, token) is None  # the token itself is never stored
    assert agents.agent_for_token(db, token).id == agent.id
    assert agents.agent_for_token(db, token, now=expires + timedelta(seconds=1)) is None
    assert agents.agent_for_token(db, "x" * 300) is None
    agents.revoke_token(db, token)
    assert agents.agent_for_token(db, token) is None


def test_expired_tokens_are_purged_at_login(db: Session) -> None:
    agent = agents.create_agent(db, "purge", "advisor", PASSWORD)
    old, _ = agents.issue_token(db, agent, now=utcnow() - timedelta(days=2))
    agents.issue_token(db, agent)
    assert db.get(AgentToken, hashlib.sha256(old.encode()).hexdigest()) is None


def test_public_demo_password_is_rehashed_at_first_login(db: Session) -> None:
    agent = agents.create_agent(db, "demo", "advisor", "demo-demo-demo", public_password=True)
    cheap = agent.password_hash
    agents.use_password_cost(time_cost=2, memory_cost=8192)
    try:
        agents.authenticate(db, "demo", "demo-demo-demo")
        assert agent.password_hash != cheap and "t=2" in agent.password_hash
    finally:
        agents.use_password_cost(time_cost=1, memory_cost=8192)


def test_inactive_agents_cannot_log_in(db: Session) -> None:
    agent = agents.create_agent(db, "parti", "advisor", PASSWORD)
    token, _ = agents.issue_token(db, agent)
    agent.active = False
    db.flush()
    assert agents.agent_for_token(db, token) is None
    with pytest.raises(Unauthorized):
        agents.authenticate(db, "parti", PASSWORD)
