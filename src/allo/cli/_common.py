"""What every command shares: the runtime, a unit of work, the Rich console, clean French errors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import NoReturn

from rich.console import Console
from rich.progress import Progress
from sqlalchemy.orm import Session

from allo.db.session import unit_of_work
from allo.runtime import Runtime
from allo.settings import Settings

console = Console(stderr=True)
out = Console(soft_wrap=True)


@cache
def runtime() -> Runtime:
    """The CLI's runtime, migrated to the latest schema on first use."""
    from allo.db.migrate import upgrade

    rt = Runtime.from_settings(Settings.from_env())
    upgrade(rt.engine)
    return rt


@contextmanager
def session() -> Iterator[Session]:
    """One transaction per command: committed on success, rolled back on error."""
    with unit_of_work(runtime().sessions) as s:
        yield s


def progress_bar() -> Progress:
    """A transient bar on stderr for counted work: what, how far (n / total), how long, how
    long still."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def fail(message: str, code: int = 1) -> NoReturn:
    """A French error on stderr, and the exit code (1: failed, 2: bad input)."""
    console.print(f"[bold red]Erreur :[/] {message}")
    sys.exit(code)
