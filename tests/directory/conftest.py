"""Fixtures for the directory tests: the service and real records of the shared archive."""

from __future__ import annotations

import copy
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from allo.directory.services import DirectoryService, get_directory
from allo.runtime import Runtime
from tests.directory.directory_factories import ARCHIVE


@pytest.fixture
def directory(runtime: Runtime) -> DirectoryService:
    return get_directory(runtime)


#: the real source files the tests read (one pass over the shared archive)
REAL_FILES = (
    ("57", "prefecture"),
    ("13", "ddpp"),
    ("15", "mairie"),
    ("28", "28103"),
    ("01", "afpa"),
    ("14", "tresorerie"),
    ("02", "prefecture"),
)


@pytest.fixture(scope="session")
def real_features(shared_data: Path) -> Callable[[str, str], list[dict[str, Any]]]:
    """The real features of `organismes/<dep>/<type>.json` from the shared archive."""
    wanted = {f"organismes/{dep}/{name}.json" for dep, name in REAL_FILES}
    cache: dict[str, Any] = {}
    with tarfile.open(shared_data / ARCHIVE) as archive:
        for member in archive:
            if member.name in wanted:
                handle = archive.extractfile(member)
                assert handle is not None
                cache[member.name] = json.loads(handle.read())["features"]

    def read(departement: str, office_type: str) -> list[dict[str, Any]]:
        return copy.deepcopy(cache[f"organismes/{departement}/{office_type}.json"])

    return read
