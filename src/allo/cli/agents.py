"""`allo agents add|list` and `allo demo-agents`: the team that logs in to the consoles."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from allo.cli._common import console, out, session


def register(app: typer.Typer) -> None:
    agents = typer.Typer(
        help="Agents : conseillers, spécialistes, rédacteurs, superviseurs, administrateurs.",
        no_args_is_help=True,
    )
    app.add_typer(agents, name="agents")

    @agents.command("add")
    def add(
        name: str = typer.Argument(
            ..., help="Identifiant de connexion (minuscules, chiffres, . _ -)."
        ),
        role: str = typer.Option(
            ..., "--role", help="advisor, specialist, editor, supervisor ou administrator."
        ),
        sector: Annotated[
            list[str] | None,
            typer.Option(
                "--sector",
                help="Secteur d'un spécialiste (répétable) : interieur, travail, consommation, justice, fiscalite, logement.",
            ),
        ] = None,
        display_name: str = typer.Option("", "--display-name", help="Nom affiché."),
        generate: bool = typer.Option(
            False, "--generate-password", help="Générer le mot de passe au lieu de le demander."
        ),
    ) -> None:
        """Crée un agent ; le mot de passe est demandé (ou généré et affiché une seule fois)."""
        from allo.contacts.agents import create_agent, generate_password

        if generate:
            password = generate_password()
        else:
            password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
        with session() as s:
            agent = create_agent(
                s, name, role, password, sectors=sector or [], display_name=display_name
            )
            username = agent.username
        console.print(f"Agent « {username} » créé ({role}).")
        if generate:
            out.print(f"Mot de passe (affiché une seule fois) : {password}")

    @agents.command("list")
    def list_() -> None:
        """Liste les agents, leur rôle, leurs secteurs et leur état."""
        from allo.contacts import repository
        from allo.contacts.agents import ROLE_LABELS, STATE_LABELS
        from allo.contacts.models import QUEUE_LABELS

        table = Table("identifiant", "nom", "rôle", "secteurs", "état")
        with session() as s:
            for a in repository.agents(s):
                table.add_row(
                    a.username,
                    a.display_name,
                    ROLE_LABELS[a.role],
                    ", ".join(QUEUE_LABELS.get(code, code) for code in a.sectors),
                    STATE_LABELS[a.state],
                )
        out.print(table)

    @app.command("demo-agents")
    def demo_agents() -> None:
        """Crée l'équipe de démonstration (mots de passe publics, pour la démo seulement)."""
        from allo.contacts.bundled import create_demo_team, describe

        with session() as s:
            created = create_demo_team(s)
        if not created:
            console.print("L'équipe de démonstration existe déjà.")
            return
        console.print(
            "Équipe de démonstration créée — mots de passe publics, pour la démo seulement :"
        )
        for line in describe(created):
            out.print("  " + line)
