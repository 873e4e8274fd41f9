"""Helpers of the contact-flow tests (imported by name: tests/ is not a package)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from allo.contacts import agents as agents_domain

PASSWORD = "mot-de-passe-de-test"


@dataclass
class Api:
    """A TestClient that logs in as a given agent and sends its bearer token."""

    client: Any
    db: Session

    def login(self, role: str = "advisor", *sectors: str) -> dict[str, str]:
        name = f"api-{role}-{'-'.join(sectors) or 'x'}-{id(object())}"[:60]
        agents_domain.create_agent(self.db, name, role, PASSWORD, sectors=sectors)
        self.db.commit()
        response = self.client.post(
            "/api/auth/login", json={"username": name, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        # Only the bearer token authenticates the next calls, not the cookie the client kept.
        self.client.cookies.clear()
        return {"Authorization": f"Bearer {response.json()['token']}"}
