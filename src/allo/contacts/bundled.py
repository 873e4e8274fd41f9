"""The demo team: advisors, a specialist per sector, an editor, a supervisor, an administrator.

Loaded by `allo init` / `allo serve --init` into an empty agent table and by `allo demo-agents`.
The passwords are public (printed once and documented): this team is for the bundled demo only,
never for a real service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from allo.contacts import repository as repo
from allo.contacts.agents import ROLE_LABELS, create_agent
from allo.contacts.models import QUEUE_LABELS
from allo.db.session import unit_of_work
from allo.runtime import Runtime


@dataclass(frozen=True)
class DemoAgent:
    username: str
    display_name: str
    role: str
    sectors: tuple[str, ...] = ()

    @property
    def password(self) -> str:
        """Public demo password: « demo- » followed by the login name."""
        return f"demo-{self.username}"


DEMO_TEAM: tuple[DemoAgent, ...] = (
    DemoAgent("conseil1", "Camille Conseil", "advisor"),
    DemoAgent("conseil2", "Dominique Conseil", "advisor"),
    DemoAgent("conseil3", "Sacha Conseil", "advisor"),
    DemoAgent("interieur", "Spécialiste Intérieur", "specialist", ("interieur",)),
    DemoAgent("travail", "Spécialiste Travail", "specialist", ("travail",)),
    DemoAgent("consommation", "Spécialiste Consommation", "specialist", ("consommation",)),
    DemoAgent("justice", "Spécialiste Justice", "specialist", ("justice",)),
    DemoAgent("fiscalite", "Spécialiste Fiscalité", "specialist", ("fiscalite",)),
    DemoAgent("logement", "Spécialiste Logement", "specialist", ("logement",)),
    DemoAgent("redaction", "Rédaction", "editor"),
    DemoAgent("redaction2", "Relecture", "editor"),
    DemoAgent("supervision", "Supervision", "supervisor"),
    DemoAgent("admin", "Administration", "administrator"),
)


def create_demo_team(session: Session) -> list[DemoAgent]:
    """Create the demo agents that do not exist yet; returns those created."""
    created = []
    for demo in DEMO_TEAM:
        if repo.agent_by_username(session, demo.username) is not None:
            continue
        create_agent(
            session,
            demo.username,
            demo.role,
            demo.password,
            sectors=demo.sectors,
            display_name=demo.display_name,
            public_password=True,
        )
        created.append(demo)
    return created


def describe(team: list[DemoAgent]) -> list[str]:
    """One line an agent: login, password, role and sectors as the consoles name them."""
    lines = []
    for d in team:
        sectors = ", ".join(QUEUE_LABELS.get(s, s) for s in d.sectors)
        role = ROLE_LABELS.get(d.role, d.role) + (f" : {sectors}" if sectors else "")
        lines.append(f"{d.username:<13} {d.password:<18} {role}")
    return lines


def load_if_empty(runtime: Runtime, report: Callable[[str], None]) -> None:
    """First start: with no agent at all, create the demo team and print its passwords once."""
    with unit_of_work(runtime.sessions) as session:
        if repo.count_agents(session) > 0:
            return
        created = create_demo_team(session)
    report("Équipe de démonstration créée (mots de passe publics, pour la démo seulement) :")
    for line in describe(created):
        report("  " + line)
