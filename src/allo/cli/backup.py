"""`allo backup PATH` and `allo restore PATH`: the whole database to a file and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allo.cli._common import console, runtime
from allo.french import decimal_fr, size_fr


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
            f"({size_fr(report.size)}, {decimal_fr(report.seconds)} s)."
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
            f"Base restaurée depuis {report.path} ({size_fr(report.size)}, {decimal_fr(report.seconds)} s). "
            "Redémarrez les serveurs pour qu'ils relisent la base."
        )
