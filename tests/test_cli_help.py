"""Every command's help is French, the options Typer adds itself included."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from allo.cli.main import app

ENGLISH = (
    "Show this message",
    "Install completion",
    "Show completion",
    "[default:",
    "[required]",
    "Usage:",
    "Commands",
)


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        paths.extend(_command_paths(sub, (*prefix, name)))
    return paths


PATHS = _command_paths(typer.main.get_command(app))


def test_every_command_is_reached() -> None:
    assert ("directory", "find") in PATHS and ("serve",) in PATHS


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "allo")
def test_help_is_french(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Affiche cette aide et quitte." in result.output
    assert [s for s in ENGLISH if s in result.output] == []


def _allo(*args: str) -> subprocess.CompletedProcess[str]:
    """`allo ARGS` as an operator types it (usage errors stop before any database is opened)."""
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-c", "from allo.cli.main import main; main()", *args],
        env={**os.environ, "COLUMNS": "200", "ALLO_EMBEDDER": "none"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "french"),
    [
        (("staffing", "plan"), "Option manquante : '--date'."),
        (
            ("serve", "--port", "abc"),
            "Valeur invalide pour '--port' : nombre entier attendu, lu 'abc'",
        ),
        (
            ("serve", "--workers", "99"),
            "Valeur invalide pour '--workers' : doit être inférieur ou égal à 32",
        ),
        (("nimporte",), "Commande inconnue : 'nimporte'."),
        (("serve", "--nope"), "Option inconnue : --nope"),
        (("serve", "--port"), "L'option '--port' attend une valeur."),
        (("serve", "x"), "Argument en trop : x"),
        (("serve", "x", "y"), "Arguments en trop : x y"),
    ],
    ids=[
        "missing-option",
        "bad-value",
        "out-of-range",
        "unknown-command",
        "unknown-option",
        "no-value",
        "extra-argument",
        "extra-arguments",
    ],
)
def test_usage_errors_are_french(args: tuple[str, ...], french: str) -> None:
    result = _allo(*args)
    assert result.returncode == 2
    assert french in result.stderr
    assert "Erreur" in result.stderr
    english = ("Missing", "Invalid value", "No such", "Error", "Try '", "requires an argument")
    assert [s for s in english if s in result.stderr] == []


def test_type_labels_are_french() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert "<entier>" in result.output and "<texte>" in result.output
    assert "<entier borné>" in result.output
    assert "<int>" not in result.output and "<str>" not in result.output
