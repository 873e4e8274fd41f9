"""Per-queue targets from ALLO_STAFFING_TARGETS, checked at start, applied by the plan."""

from __future__ import annotations

import pytest

from allo.errors import InvalidInput
from allo.settings import Settings, SettingsError
from allo.stats.staffing.plan import configured_targets, targets_with


def test_configured_targets_override_the_defaults_per_queue() -> None:
    settings = Settings.from_env({"ALLO_STAFFING_TARGETS": "niveau1=0.9/30, travail=0.7/300"})
    targets = configured_targets(settings.staffing_targets)
    assert (targets["niveau1"].service_level, targets["niveau1"].within_s) == (0.9, 30)
    assert (targets["travail"].service_level, targets["travail"].within_s) == (0.7, 300)
    assert (targets["justice"].service_level, targets["justice"].within_s) == (0.8, 120)
    # A level given on the command line or the API applies to every queue.
    assert targets_with(0.85, None, settings.staffing_targets)["travail"].within_s == 300
    assert targets_with(0.85, None, settings.staffing_targets)["travail"].service_level == 0.85


def test_bad_targets_stop_the_start_or_the_request_in_french() -> None:
    with pytest.raises(SettingsError, match=r"niveau1=0\.8/60"):
        Settings.from_env({"ALLO_STAFFING_TARGETS": "niveau1=1/20"})
    with pytest.raises(SettingsError, match="illisible"):
        Settings.from_env({"ALLO_STAFFING_TARGETS": "niveau1:0.8"})
    with pytest.raises(InvalidInput, match="file « accueil » inconnue"):
        configured_targets("accueil=0.8/60")
