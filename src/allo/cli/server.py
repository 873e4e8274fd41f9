"""`allo serve`, `allo init` and `allo db upgrade`."""

from __future__ import annotations

import os

import typer

from allo.cli._common import console, runtime


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Base de données : migrations.", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command("upgrade")
    def db_upgrade() -> None:
        """Applique les migrations jusqu'à la dernière version."""
        rt = runtime()
        console.print(f"Schéma à jour ({rt.engine.url.render_as_string(hide_password=True)}).")

    @app.command("init")
    def init() -> None:
        """Crée la base et charge les données réelles embarquées si elle est vide."""
        from allo.bootstrap import initialize

        initialize(runtime(), console.print)

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Adresse d'écoute."),
        port: int = typer.Option(8000, help="Port d'écoute."),
        workers: int = typer.Option(1, min=1, max=32, help="Nombre de processus applicatifs."),
        init: bool = typer.Option(
            False, "--init", help="Charger d'abord les données embarquées si la base est vide."
        ),
    ) -> None:
        """Démarre l'application web (API sous /api, OpenAPI sur /openapi.json)."""
        import uvicorn

        from allo.bootstrap import initialize
        from allo.ops import logs, metrics
        from allo.web.serving import embed_threads_share, uvicorn_options

        rt = runtime()
        if rt.settings.embed_threads is None and "OMP_NUM_THREADS" not in os.environ:
            # the workers inherit it (Settings.from_env): their share of the cores
            os.environ["ALLO_EMBED_THREADS"] = str(embed_threads_share(workers))
        logs.configure(rt.settings.log_level, rt.settings.log_format)
        metrics.enable_multiprocess(rt.settings.ensure_home() / "metrics" / f"port-{port}")
        if init:
            initialize(rt, console.print)
        console.print(f"Allo est servi sur [bold]http://{host}:{port}[/] — Ctrl+C pour arrêter.")
        uvicorn.run(
            "allo.web.serving:create_served_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,  # query strings may carry personal data; the app logs paths only
            log_level="warning",
            **uvicorn_options(rt.settings),
        )
