"""`allo demo-calls`: callers ring the simulated phone platform, for the demo consoles."""

from __future__ import annotations

import random

import typer

from allo.cli._common import console, runtime
from allo.french import plural


def register(app: typer.Typer) -> None:
    @app.command("demo-calls")
    def demo_calls(
        count: int = typer.Option(10, "--count", min=1, max=1000, help="Nombre d'appels."),
        hang_ups: int = typer.Option(
            0, "--hang-ups", min=0, help="Appelants qui raccrochent avant d'être pris."
        ),
        seed: int = typer.Option(1, "--seed", help="Graine du tirage des raccrochés."),
    ) -> None:
        """Des appels arrivent sur la plateforme téléphonique simulée : autant de contacts
        « téléphone » dans la file du premier niveau (sans aucune donnée sur l'appelant)."""
        from allo.contacts.telephony import CallBridge, SimulatedConnector

        platform = SimulatedConnector()
        CallBridge(platform, runtime().sessions)
        calls = [platform.place_call() for _ in range(count)]
        draw = random.Random(seed)  # noqa: S311 - a demo draw, not a secret
        for call in draw.sample(calls, min(hang_ups, count)):
            platform.caller_hangs_up(call)
        console.print(
            f"{plural(count, 'appel simulé', 'appels simulés')} : {count - min(hang_ups, count)} "
            f"en attente dans la file « niveau1 », {plural(min(hang_ups, count), 'abandonné')}."
        )
