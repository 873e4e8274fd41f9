"""Every command's help is French, the options Typer adds itself included."""

from __future__ import annotations

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
