"""Fixtures of the local fiche tests: editors and an advisor, created in the test's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from allo.contacts.models import Agent
from allo.kb.local.services import Policy

#: the bundled official fiche « Perte, vol ou détérioration de la carte grise »
CARTE_GRISE = "F1726"


@pytest.fixture
def editor(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent("editor")


@pytest.fixture
def reviewer(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent("editor")


@pytest.fixture
def policy() -> Policy:
    return Policy(four_eyes=True)


def content(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Carte grise perdue : ce que dit le conseiller",
        "summary": "Demander un duplicata en ligne après une perte.",
        "audiences": ["particuliers"],
        "sector": "interieur",
        "theme": "Transports",
        "keywords": ["duplicata", "carte grise perdue"],
        "body": "## Démarche\n\nLa demande se fait sur le site de l'ANTS.\n",
        "advisor_note": "Demander d'abord si la carte a été volée (plainte).",
        "related": [CARTE_GRISE],
        "pivots": ["prefecture"],
        "services": [{"title": "ANTS", "url": "https://immatriculation.ants.gouv.fr"}],
        "sites": [],
        "public": False,
    }
    data.update(overrides)
    return data


@pytest.fixture
def login(client: Any) -> Callable[[str], Any]:
    """`login("conseil1")`: the test client now carries that demo agent's session cookie."""

    def _login(username: str) -> Any:
        response = client.post(
            "/connexion",
            data={"identifiant": username, "mot_de_passe": f"demo-{username}"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:300]
        return client

    return _login
