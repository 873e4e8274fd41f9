"""The `allo` command run in a subprocess, as an operator runs it, against a test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ALLO = [sys.executable, "-c", "from allo.cli.main import main; main()"]


def run_allo(
    url: str, home: Path, *args: str, stdin: str = "", timeout: int = 300, **env: str
) -> subprocess.CompletedProcess[str]:
    """`allo ARGS` on the database at `url`, data in `home`, lexical search only (no model load)."""
    environ = {**os.environ, "ALLO_DATABASE_URL": url, "ALLO_HOME": str(home), **env}
    environ["ALLO_EMBEDDER"] = "none"
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [*ALLO, *args],
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
