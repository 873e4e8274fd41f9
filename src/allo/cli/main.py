"""Entry point: assembles the commands that each `allo.cli.<module>` registers."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from allo.cli import _french
from allo.errors import AlloError

_french.install()

app = typer.Typer(
    name="allo",
    help="Allo — service de renseignement administratif à deux niveaux.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    import allo.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "main":
            continue
        module = importlib.import_module(f"allo.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:
    from allo.cli._common import fail

    try:
        app()
    except AlloError as exc:
        fail(exc.message, 2)
