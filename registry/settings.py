"""Typed settings, read from the environment in one place, on demand."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from registry.common.workdays import WorkingCalendar
from registry.keys import (
    Purpose,
    RegistryKeys,
    SettingsError,
    key_id,
    registry_keys,
)


@dataclass(frozen=True)
class Settings:
    """Everything the registry reads from its environment.

    REGISTRY_DATABASE_URL  unset: SQLite files under REGISTRY_DATA_DIR (the embedded default);
                           postgresql://user[:password]@host[:port]/dbname[?schema=name]: PostgreSQL.
    REGISTRY_DATA_DIR      where the embedded store and the development keys live (default ./var).
    REGISTRY_HOST / REGISTRY_PORT   where `registry serve` listens (default 127.0.0.1:8000).
    REGISTRY_MASTER_KEY    base64 of at least 32 bytes: every purpose key (tokens, person hashes, the event cipher,
                           certificate codes, the exchange feed at rest, the three signing keys) is derived from it
                           with HKDF; each may instead be given on its own (registry/keys.py OVERRIDES). Required
                           outside the embedded default; there a development master is kept under the data dir.
    REGISTRY_FEDERATION_KEY  base64 of at least 32 bytes shared by the federated provinces: the key of the person
                           hashes the marriage exchange carries instead of identity numbers.
    REGISTRY_TOKEN_MAX_HOURS   the longest lifetime a bearer token may have (default 12).
    REGISTRY_LOG_FORMAT    json | console | auto (console on a terminal, JSON elsewhere).
    REGISTRY_DB_CONNECTIONS  PostgreSQL connections at most per process (default 10, at least 4): one pool shared
                           by every application and read model (one connection kept open when idle, more under
                           load), the projection runner's LISTEN connection and the DV key store's connection.
                           (Replaces REGISTRY_POOL_SIZE, which was per application.)
    REGISTRY_REPLICA_URL   postgresql://user@host:port/dbname of ONE streaming replica (a hot standby of the events'
                           database, not a balancer over several): the read models' lists and counts that say their
                           log position are read there; commands, record reads and projections use the primary. A
                           read naming a position (wait_for) the replica lacks waits for it, bounded (api/views.py).
                           Unset: everything from the primary.
    REGISTRY_REPLICA_CONNECTIONS  the replica pool's own budget per process (default REGISTRY_DB_CONNECTIONS).
    REGISTRY_AGGREGATE_CACHE   aggregates kept in memory per application, fast-forwarded from the store on every
                           read, so that long-lived aggregates (certificate books) are not replayed (default 5000).
    REGISTRY_PROJECTION_BATCH  events per projection transaction (default 500).
    REGISTRY_DV_KEYS_URL   where the wrapped data keys of sealed DV details live, apart from the events: a SQLite path
                           or a postgresql:// URL of another database (default: dv-keys.sqlite in the data dir; required
                           on PostgreSQL).
    REGISTRY_DV_KEYS_IN_EVENTS_DATABASE  `accept-for-development`: allow the DV key store in the events' database.
    REGISTRY_DV_KEYRING    the directory of the key-encryption keys (one per epoch) that wrap the DV data keys; never
                           in the events' database nor in its backups (default: dv-keyring in the data dir).
    REGISTRY_DV_KEY_RETENTION_HOURS  how long a retired key epoch survives a sealing before it is destroyed (default 0:
                           at once; a backup of the key store older than the sealing can then never open the record).
    REGISTRY_DV_POLICE_WARNINGS  y: accept police written warnings as a fourth DV record source (default n).
    REGISTRY_DV_RECORDS_FROM  the first day of acts the DV register covers (default 2017-01-01).
    REGISTRY_READY_MAX_LAG  events a read model may lag behind its log before `/ready` answers not ready (default
                           1000; a short lag is normal while a burst of commands is projected).
    REGISTRY_CHECKPOINT_SECONDS  how often the projection process publishes signed checkpoints (default 300).
    REGISTRY_JURISDICTION  this registry's code in the marriage exchange (default 33, Zhejiang).
    REGISTRY_EXCHANGE_PEERS  JSON list of {jurisdiction, url, public_key, token}: the feeds `registry exchange follow`
                           reads, the keys their pages must be signed with, and the tokens they issued us.
    REGISTRY_BANNED_PLACE_NAMES  entry=rule,... (rules: leader-name, personal-name, foreign-personal-name,
                           foreign-place-name, company-or-trademark-name; default: examples in
                           registry/places/policy.py).
    REGISTRY_PLACE_NAME_AUTHORITIES  kind=office,...: who approves each kind of place name (default: the Place Name
                           Regulations art. 12 as registry/places/policy.py states it).
    REGISTRY_BUILT_UP_AREAS  code=description,...: the built-up areas (建成区) within which roads, estates and
                           buildings must not share a name (default: the whole city as one area).
    REGISTRY_PLACE_NAME_GENERICS  kind=suffix|suffix;...: the generic parts (通名) of a kind, replacing its defaults.
    REGISTRY_PUBLIC_CONSULTATION_DAYS  days a proposed name is open for public comment (art. 11; default 15).
    REGISTRY_PUBLIC_HOLIDAYS, REGISTRY_MAKEUP_WORKDAYS  comma-separated ISO dates; each year that has a holiday
                           listed is taken from these two settings as a whole (to add a year, e.g. 2027, once the
                           State Council publishes it, or to correct one); other years are the published ones in
                           registry/common/calendars.py (2025, 2026). A period reaching a year with no calendar is
                           refused (working-calendar-missing), never guessed.
    REGISTRY_DESIGNATED_OFFICES  comma-separated codes of the offices the province designates for marriages with a
                           foreigner, a Hong Kong, Macao or Taiwan resident or an overseas Chinese (regs art 2);
                           default none: such couples are then filed and registered at no office of the city.
    REGISTRY_APPLICATION_LAPSE_DAYS  days a marriage application stays open to be registered or refused (default
                           30, at least 1); from the day after, it has lapsed and the couple files anew. A local
                           choice: regs art 10 say the office registers on the spot or refuses, and set no period.
    REGISTRY_BENEFIT_ENDS  benefit=rule,... when each benefit ends after a death, over the defaults (rules:
                           day-after-death, month-after-death; default: subsistence-allowance, extreme-poverty-support,
                           elderly-allowance and disability-allowance month-after-death, any other day-after-death).
    REGISTRY_ECO_BURIAL_ELIGIBILITY  local-household (default: the deceased's resident identity number is of the
                           city, 330782) or any-death-in-city (also anyone who died in the city).
    REGISTRY_ECO_BURIAL_AMOUNT_DATE  burial (default) or cremation: the date whose schedule entry sets the reward.
    REGISTRY_REWARD_OFFICE the office a citizen's own eco-burial claim is filed at (default 330782-civil-affairs);
                           a clerk's claim is filed at the clerk's office.
    REGISTRY_PUBLIC_URL    the address browsers use for the portal and the console (default http://HOST:PORT); the
                           session and CSRF cookies are Secure (and __Host- prefixed) when it is https.
    REGISTRY_WEB_SESSION_HOURS  how long a browser session lasts after sign-in (default 8).
    REGISTRY_OIDC_ISSUER, REGISTRY_OIDC_CLIENT_ID, REGISTRY_OIDC_CLIENT_SECRET  the OpenID Connect provider whose ID
                           tokens sign people in to the portal and the console (unset: no OIDC sign-in); its discovery
                           document and JWKS are read from the issuer, which must be https (loopback excepted).
    REGISTRY_OIDC_ID_NUMBER_CLAIM  the ID-token claim that carries a citizen's resident identity number (default
                           id_number); only its keyed hash enters the session.
    REGISTRY_OIDC_ROLE_CLAIM, REGISTRY_OIDC_OFFICE_CLAIM  claims that make an official's session: a console role
                           (clerk, department, place-name-officer, auditor, supervisor) and its office (defaults
                           registry_role, registry_office).
    REGISTRY_RATE_LIMIT    requests a minute per token subject (or signed-in session), per process (default 600).
    REGISTRY_RATE_LIMIT_ANONYMOUS  requests a minute per client address on the routes that need no token: /health,
                           /ready, the JWKS, certificate verification, sign-in and the public pages (default 60).
    """

    data_dir: Path
    database_url: str | None
    host: str
    port: int
    keys: RegistryKeys
    token_max_hours: int
    log_format: str
    db_connections: int
    aggregate_cache: int
    projection_batch: int
    dv_keys_url: str | None
    dv_keys_in_events_database: bool
    dv_keyring: Path
    dv_key_retention_hours: float
    dv_police_warnings: bool
    dv_register_starts_on: date
    public_holidays: str
    makeup_workdays: str
    banned_place_names: str | None
    place_name_authorities: str | None
    built_up_areas: str | None
    place_name_generics: str | None
    public_consultation_days: int
    checkpoint_seconds: float
    jurisdiction: str
    exchange_peers: str | None
    designated_offices: frozenset[str] = frozenset()
    application_lapse_days: int = 30
    ready_max_lag: int = 1000
    benefit_ends: str | None = None
    eco_burial_eligibility: str = "local-household"
    eco_burial_amount_date: str = "burial"
    reward_office: str = "330782-civil-affairs"
    public_url: str | None = None
    web_session_hours: int = 8
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_id_number_claim: str = "id_number"
    oidc_role_claim: str = "registry_role"
    oidc_office_claim: str = "registry_office"
    rate_limit: int = 600
    rate_limit_anonymous: int = 60
    replica_url: str | None = None
    replica_connections: int = 10

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings of the REGISTRY_* variables (os.environ by default); SettingsError naming a malformed one."""
        env = os.environ if env is None else env
        settings = cls(**_serving(env), **_stores(env), **_local_rules(env))
        settings.working_calendar()  # a malformed holiday list is a settings error now, before any store is opened
        return settings

    def working_calendar(self) -> WorkingCalendar:
        """The published years with the configured ones; a malformed year fails here, at start-up (SettingsError)."""
        try:
            return WorkingCalendar.configured(self.public_holidays, self.makeup_workdays)
        except ValueError as error:
            raise SettingsError(
                f"REGISTRY_PUBLIC_HOLIDAYS / REGISTRY_MAKEUP_WORKDAYS: {str(error).splitlines()[0][:160]}"
            ) from None

    def signing_key_id(self, purpose: Purpose) -> str:
        """The `kid` of this registry's signing key for `purpose`."""
        return key_id(self.jurisdiction, purpose, self.keys.signer(purpose))

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def browser_url(self) -> str:
        """Where browsers reach the portal and the console."""
        return self.public_url or f"http://{self.host}:{self.port}"

    def postgres_target(self) -> tuple[str, str]:
        """The PostgreSQL URL without its query, and the schema it names ("" for the default)."""
        url = urlparse(self.database_url or "")
        return url._replace(query="").geturl(), parse_qs(url.query).get("schema", [""])[0]

    def postgres_connection(self, replica: bool = False) -> dict[str, Any]:
        """The connection parameters (host, port, dbname, user, password) of the events' database or its replica."""
        url = urlparse((self.replica_url if replica else self.database_url) or "")
        return {
            "dbname": url.path.lstrip("/"),
            "host": url.hostname or "127.0.0.1",
            "port": url.port or 5432,
            "user": unquote(url.username or "postgres"),
            "password": unquote(url.password or ""),
        }

    def store_environment(self, application_name: str) -> dict[str, str]:
        """The eventsourcing environment for one application; tables are created only by `registry db migrate`.

        Stored events are encrypted (AES-GCM: registry/common/cipher.py): personal data is never at rest in clear.
        """
        common = {
            "CIPHER_TOPIC": "registry.common.cipher:EventCipher",
            "CIPHER_KEY": self.keys.event_cipher_text,
            "AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache),
        }
        if self.database_url is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.data_dir / f"{application_name}.sqlite"),
                "SQLITE_LOCK_TIMEOUT": "10",
                "CREATE_TABLE": "n",
                **common,
            }
        url = urlparse(self.database_url)
        _, schema = self.postgres_target()
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_SCHEMA": schema,
            # For the library's own pool (a tool using one application alone); the registry shares one pool per
            # process instead (registry/adapters/postgres_pool.py).
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": "1",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "CREATE_TABLE": "n",
            **common,
        }


def _serving(env: Mapping[str, str]) -> dict[str, Any]:
    """How the process serves: address, tokens, logs, the web front ends' sign-in and the rate limits."""
    return {
        "host": env.get("REGISTRY_HOST", "127.0.0.1"),
        "port": _integer(env, "REGISTRY_PORT", 8000, maximum=65535),
        "token_max_hours": _integer(env, "REGISTRY_TOKEN_MAX_HOURS", 12),
        "log_format": env.get("REGISTRY_LOG_FORMAT", "auto"),
        "public_url": (env.get("REGISTRY_PUBLIC_URL") or "").rstrip("/") or None,
        "web_session_hours": _integer(env, "REGISTRY_WEB_SESSION_HOURS", 8),
        "oidc_issuer": (env.get("REGISTRY_OIDC_ISSUER") or "").rstrip("/") or None,
        "oidc_client_id": env.get("REGISTRY_OIDC_CLIENT_ID") or None,
        "oidc_client_secret": env.get("REGISTRY_OIDC_CLIENT_SECRET") or None,
        "oidc_id_number_claim": env.get("REGISTRY_OIDC_ID_NUMBER_CLAIM") or "id_number",
        "oidc_role_claim": env.get("REGISTRY_OIDC_ROLE_CLAIM") or "registry_role",
        "oidc_office_claim": env.get("REGISTRY_OIDC_OFFICE_CLAIM") or "registry_office",
        "rate_limit": _integer(env, "REGISTRY_RATE_LIMIT", 600),
        "rate_limit_anonymous": _integer(env, "REGISTRY_RATE_LIMIT_ANONYMOUS", 60),
    }


PLAIN_SCHEMA = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _check_schema(name: str, url: str) -> None:
    """A schema is a plain name: it is written into SQL, in the body of the functions `registry db migrate` creates
    among other places, where a quoted name with $ in it could end the body's quoting."""
    for schema in parse_qs(urlparse(url).query).get("schema", []):
        if not PLAIN_SCHEMA.fullmatch(schema):
            raise SettingsError(
                f"the schema in {name} must be letters, digits and _, not starting with a digit, at most 63: "
                f"not {schema[:70]!r}"
            )


def _stores(env: Mapping[str, str]) -> dict[str, Any]:
    """Where the events, the read models and the DV keys are kept, the keys, and how the stores are used."""
    data_dir = Path(env.get("REGISTRY_DATA_DIR", "var")).resolve()
    database_url = env.get("REGISTRY_DATABASE_URL") or None
    replica_url = env.get("REGISTRY_REPLICA_URL") or None
    if replica_url is not None and (database_url is None or not replica_url.startswith("postgresql://")):
        raise SettingsError("REGISTRY_REPLICA_URL must be a postgresql:// URL, and only with REGISTRY_DATABASE_URL")
    for name in ("REGISTRY_DATABASE_URL", "REGISTRY_REPLICA_URL", "REGISTRY_DV_KEYS_URL"):
        _check_schema(name, env.get(name) or "")
    connections = _integer(env, "REGISTRY_DB_CONNECTIONS", 10, minimum=4)
    return {
        "data_dir": data_dir,
        "database_url": database_url,
        "replica_url": replica_url,
        "replica_connections": _integer(env, "REGISTRY_REPLICA_CONNECTIONS", connections, minimum=2),
        "keys": registry_keys(env, data_dir, embedded=database_url is None),
        "db_connections": connections,
        "aggregate_cache": _integer(env, "REGISTRY_AGGREGATE_CACHE", 5000, minimum=0),
        "projection_batch": _integer(env, "REGISTRY_PROJECTION_BATCH", 500),
        "dv_keys_url": env.get("REGISTRY_DV_KEYS_URL") or None,
        "dv_keys_in_events_database": env.get("REGISTRY_DV_KEYS_IN_EVENTS_DATABASE") == "accept-for-development",
        "dv_keyring": Path(env.get("REGISTRY_DV_KEYRING") or data_dir / "dv-keyring").resolve(),
        "dv_key_retention_hours": _decimal(env, "REGISTRY_DV_KEY_RETENTION_HOURS", 0.0),
        "checkpoint_seconds": _decimal(env, "REGISTRY_CHECKPOINT_SECONDS", 300.0),
        "ready_max_lag": _integer(env, "REGISTRY_READY_MAX_LAG", 1000),
    }


def _local_rules(env: Mapping[str, str]) -> dict[str, Any]:
    """The choices the law leaves to the city and the province: calendars, place names, the exchange, periods."""
    offices = env.get("REGISTRY_DESIGNATED_OFFICES", "").split(",")
    return {
        "dv_police_warnings": env.get("REGISTRY_DV_POLICE_WARNINGS", "n").lower() in ("y", "yes", "true", "1"),
        "dv_register_starts_on": _day(env, "REGISTRY_DV_RECORDS_FROM", "2017-01-01"),
        "public_holidays": env.get("REGISTRY_PUBLIC_HOLIDAYS", ""),
        "makeup_workdays": env.get("REGISTRY_MAKEUP_WORKDAYS", ""),
        "banned_place_names": env.get("REGISTRY_BANNED_PLACE_NAMES") or None,
        "place_name_authorities": env.get("REGISTRY_PLACE_NAME_AUTHORITIES") or None,
        "built_up_areas": env.get("REGISTRY_BUILT_UP_AREAS") or None,
        "place_name_generics": env.get("REGISTRY_PLACE_NAME_GENERICS") or None,
        "public_consultation_days": _integer(env, "REGISTRY_PUBLIC_CONSULTATION_DAYS", 15, minimum=0),
        "jurisdiction": env.get("REGISTRY_JURISDICTION", "33"),
        "exchange_peers": env.get("REGISTRY_EXCHANGE_PEERS") or None,
        "designated_offices": frozenset(office.strip() for office in offices if office.strip()),
        "application_lapse_days": _integer(env, "REGISTRY_APPLICATION_LAPSE_DAYS", 30, minimum=1),
        "benefit_ends": env.get("REGISTRY_BENEFIT_ENDS") or None,
        "eco_burial_eligibility": env.get("REGISTRY_ECO_BURIAL_ELIGIBILITY") or "local-household",
        "eco_burial_amount_date": env.get("REGISTRY_ECO_BURIAL_AMOUNT_DATE") or "burial",
        "reward_office": env.get("REGISTRY_REWARD_OFFICE") or "330782-civil-affairs",
    }


def _integer(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole-number setting within its range, or SettingsError naming it."""
    text = env.get(name, "").strip() or str(default)
    bounds = f"from {minimum}" + (f" to {maximum}" if maximum is not None else "")
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number {bounds}, not {text[:40]!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise SettingsError(f"{name} must be a whole number {bounds}, not {value}")
    return value


def _decimal(env: Mapping[str, str], name: str, default: float) -> float:
    """A non-negative number setting (seconds, hours), or SettingsError naming it."""
    text = env.get(name, "").strip() or str(default)
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise SettingsError(f"{name} must be a number of 0 or more, not {text[:40]!r}")
    return value


def _day(env: Mapping[str, str], name: str, default: str) -> date:
    """A date setting (YYYY-MM-DD), or SettingsError naming it."""
    text = env.get(name, "").strip() or default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"{name} must be a date (YYYY-MM-DD), not {text[:40]!r}") from None
