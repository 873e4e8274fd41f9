"""Per-queue targets from ALLO_STAFFING_TARGETS, checked at start, applied by the plan."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from allo.contacts.calendar import DEFAULT_HOURS
from allo.errors import InvalidInput
from allo.settings import Settings, SettingsError
from allo.stats.staffing import forecast as fc
from allo.stats.staffing import plan
from allo.stats.staffing.plan import configured_targets, targets_with
from allo.stats.staffing.repository import History


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


def test_shrinkage_and_occupancy_are_settings_overridden_by_options() -> None:
    defaults = plan.settings_targets(Settings.from_env({}))
    assert (defaults["niveau1"].shrinkage, defaults["niveau1"].max_occupancy) == (0.3, 0.85)
    settings = Settings.from_env(
        {"ALLO_STAFFING_SHRINKAGE": "0.5", "ALLO_STAFFING_MAX_OCCUPANCY": "0.9"}
    )
    targets = plan.settings_targets(settings)
    assert all((t.shrinkage, t.max_occupancy) == (0.5, 0.9) for t in targets.values())
    # An option (CLI or API) wins over the setting, for that request only.
    chosen = plan.settings_targets(settings, shrinkage=0.0, max_occupancy=1.0)
    assert (chosen["travail"].shrinkage, chosen["travail"].max_occupancy) == (0.0, 1.0)
    # The plan uses them: positions = agents / (1 − shrinkage).
    forecast = fc.forecast_day(
        History(start=datetime(2031, 1, 1, tzinfo=UTC), end=datetime(2031, 3, 10, tzinfo=UTC)),
        date(2031, 3, 10),
        DEFAULT_HOURS,
        ZoneInfo("Europe/Paris"),
    )
    rows = plan.plan_day(forecast, ZoneInfo("Europe/Paris"), targets).rows
    busy = [r for r in rows if r.agents_required >= 10]
    assert busy and all(r.positions == math.ceil(r.agents_required / 0.5) for r in busy)
    assert all(r.occupancy <= 0.9 for r in rows)
    with pytest.raises(InvalidInput, match="absence"):
        plan.settings_targets(settings, shrinkage=1.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALLO_STAFFING_SHRINKAGE", "1"),
        ("ALLO_STAFFING_SHRINKAGE", "-0.1"),
        ("ALLO_STAFFING_SHRINKAGE", "trente"),
        ("ALLO_STAFFING_MAX_OCCUPANCY", "0"),
        ("ALLO_STAFFING_MAX_OCCUPANCY", "85"),
    ],
)
def test_bad_ratios_stop_the_start_in_french(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{name} doit être une proportion"):
        Settings.from_env({name: value})
