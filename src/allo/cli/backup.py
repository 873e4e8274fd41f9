"""`allo backup PATH` and `allo restore PATH`: the whole database to a file and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allo.cli._common import console, runtime
from allo.french import decimal_fr


def _size(n: int) -> str:
    return f"{decimal_fr(n / 1_000_000)} Mo" if n >= 100_000 else f"{decimal_fr(n / 1000)} ko"


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup(
        path: Annotated[
            Path, typer.Argument(help="Fichier de sauvegarde à écrire (remplacé s'il existe).")
        ],
    ) -> None:
        """Sauvegarde toute la base (SQLite : copie à chaud ; PostgreSQL : pg_dump), serveur en marche."""
        from allo.ops import backup as ops

        report = ops.backup(runtime().engine, path)
        console.print(
            f"Sauvegarde {report.backend} écrite dans {report.path} "
            f"({_size(report.size)}, {decimal_fr(report.seconds)} s)."
        )

    @app.command("restore")
    def restore(
        path: Annotated[Path, typer.Argument(help="Fichier écrit par « allo backup ».")],
        force: bool = typer.Option(
            False, "--force", help="Remplacer une base qui contient déjà des données."
        ),
    ) -> None:
        """Restaure une sauvegarde : remplace tout le contenu de la base (arrêtez d'abord les serveurs)."""
        from allo.ops import backup as ops

        report = ops.restore(runtime().engine, path, force=force)
        console.print(
            f"Base restaurée depuis {report.path} ({_size(report.size)}, {decimal_fr(report.seconds)} s). "
            "Redémarrez les serveurs pour qu'ils relisent la base."
        )
