"""Fixtures of the web page tests: logging in as one of the bundled demo agents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

HTML = {"Accept": "text/html"}
#: the bundled demo team (allo.contacts.bundled): one login per role
DEMO = {
    "advisor": "conseil1",
    "specialist": "travail",
    "supervisor": "supervision",
    "editor": "redaction",
}


@pytest.fixture
def login(client: Any) -> Callable[[str], Any]:
    """`login("advisor")`: the test client now carries that demo agent's session cookie."""

    def _login(role: str) -> Any:
        username = DEMO[role]
        response = client.post(
            "/connexion",
            data={"identifiant": username, "mot_de_passe": f"demo-{username}"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:300]
        return client

    return _login
