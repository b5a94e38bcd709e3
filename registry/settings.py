"""Typed settings, read from the environment in one place, on demand."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from registry.common.workdays import HOLIDAYS_2026, MAKEUP_WORKDAYS_2026


@dataclass(frozen=True)
class Settings:
    """Everything the registry reads from its environment.

    REGISTRY_DATABASE_URL  unset: SQLite files under REGISTRY_DATA_DIR (the embedded default);
                           postgresql://user[:password]@host[:port]/dbname[?schema=name]: PostgreSQL.
    REGISTRY_DATA_DIR      where the embedded store and the development keys live (default ./var).
    REGISTRY_HOST / REGISTRY_PORT   where `registry serve` listens (default 127.0.0.1:8000).
    REGISTRY_JWT_SECRET, REGISTRY_PERSON_HASH_KEY, REGISTRY_EVENT_CIPHER_KEY (base64 of 32 bytes)
                           secrets; unset, development keys are created and kept under the data dir.
    REGISTRY_LOG_FORMAT    json | console | auto (console on a terminal, JSON elsewhere).
    REGISTRY_POOL_SIZE     PostgreSQL connections at most per application and process (default 10); each
                           application keeps one open when idle and opens more under load.
    REGISTRY_AGGREGATE_CACHE   aggregates kept in memory per application, fast-forwarded from the store on every
                           read, so that long-lived aggregates (certificate books) are not replayed (default 5000).
    REGISTRY_PROJECTION_BATCH  events per projection transaction (default 500).
    REGISTRY_DV_KEYS_URL   where the keys of sealed DV details live, apart from the events: a SQLite path or a
                           postgresql:// URL with ?schema= (default: dv-keys.sqlite in the data dir, or the schema
                           <schema>_dv_keys beside the events).
    REGISTRY_DV_POLICE_WARNINGS  y: accept police written warnings as a fourth DV record source (default n).
    REGISTRY_SIGNING_KEY   base64 of the 32-byte Ed25519 seed that signs audit checkpoints (default: a development
                           key kept under the data dir).
    REGISTRY_CHECKPOINT_SECONDS  how often the projection process publishes signed checkpoints (default 300).
    REGISTRY_JURISDICTION  this registry's code in the marriage exchange (default 33, Zhejiang).
    REGISTRY_EXCHANGE_PEERS  JSON list of {jurisdiction, url, public_key, token}: the feeds `registry exchange follow`
                           reads, the keys their pages must be signed with, and the tokens they issued us.
    REGISTRY_BANNED_PLACE_NAMES  entry=rule,... (rules: company-or-trademark-name, foreign-place-name).
    REGISTRY_PUBLIC_HOLIDAYS, REGISTRY_MAKEUP_WORKDAYS  comma-separated ISO dates for working-day deadlines
                           (default: the 2026 schedule in registry/common/workdays.py).
    REGISTRY_BENEFIT_ENDS  benefit=rule,... when each benefit ends after a death, over the defaults (rules:
                           day-after-death, month-after-death; default: subsistence-allowance, extreme-poverty-support,
                           elderly-allowance and disability-allowance month-after-death, any other day-after-death).
    REGISTRY_ECO_BURIAL_ELIGIBILITY  local-household (default: the deceased's resident identity number is of the
                           city, 330782) or any-death-in-city (also anyone who died in the city).
    REGISTRY_ECO_BURIAL_AMOUNT_DATE  burial (default) or cremation: the date whose schedule entry sets the reward.
    REGISTRY_REWARD_OFFICE the office a citizen's own eco-burial claim is filed at (default 330782-civil-affairs);
                           a clerk's claim is filed at the clerk's office.
    """

    data_dir: Path
    database_url: str | None
    host: str
    port: int
    jwt_secret: str
    person_hash_key: bytes
    event_cipher_key: str
    log_format: str
    pool_size: int
    aggregate_cache: int
    projection_batch: int
    dv_keys_url: str | None
    dv_police_warnings: bool
    public_holidays: str
    makeup_workdays: str
    banned_place_names: str | None
    signing_key: str
    checkpoint_seconds: float
    jurisdiction: str
    exchange_peers: str | None
    benefit_ends: str | None = None
    eco_burial_eligibility: str = "local-household"
    eco_burial_amount_date: str = "burial"
    reward_office: str = "330782-civil-affairs"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("REGISTRY_DATA_DIR", "var")).resolve()
        jwt_secret = env.get("REGISTRY_JWT_SECRET")
        person_key = env.get("REGISTRY_PERSON_HASH_KEY")
        cipher_key = env.get("REGISTRY_EVENT_CIPHER_KEY")
        if not (jwt_secret and person_key and cipher_key):
            dev_keys = development_keys(data_dir)
            jwt_secret = jwt_secret or dev_keys["jwt_secret"]
            person_key = person_key or dev_keys["person_hash_key"]
            cipher_key = cipher_key or dev_keys["event_cipher_key"]
        return cls(
            data_dir=data_dir,
            database_url=env.get("REGISTRY_DATABASE_URL") or None,
            host=env.get("REGISTRY_HOST", "127.0.0.1"),
            port=int(env.get("REGISTRY_PORT", "8000")),
            jwt_secret=jwt_secret,
            person_hash_key=person_key.encode(),
            event_cipher_key=cipher_key,
            log_format=env.get("REGISTRY_LOG_FORMAT", "auto"),
            pool_size=int(env.get("REGISTRY_POOL_SIZE", "10")),
            aggregate_cache=int(env.get("REGISTRY_AGGREGATE_CACHE", "5000")),
            projection_batch=int(env.get("REGISTRY_PROJECTION_BATCH", "500")),
            dv_keys_url=env.get("REGISTRY_DV_KEYS_URL") or None,
            dv_police_warnings=env.get("REGISTRY_DV_POLICE_WARNINGS", "n").lower() in ("y", "yes", "true", "1"),
            public_holidays=env.get("REGISTRY_PUBLIC_HOLIDAYS", HOLIDAYS_2026),
            makeup_workdays=env.get("REGISTRY_MAKEUP_WORKDAYS", MAKEUP_WORKDAYS_2026),
            banned_place_names=env.get("REGISTRY_BANNED_PLACE_NAMES") or None,
            signing_key=env.get("REGISTRY_SIGNING_KEY") or development_signing_key(data_dir),
            checkpoint_seconds=float(env.get("REGISTRY_CHECKPOINT_SECONDS", "300")),
            jurisdiction=env.get("REGISTRY_JURISDICTION", "33"),
            exchange_peers=env.get("REGISTRY_EXCHANGE_PEERS") or None,
            benefit_ends=env.get("REGISTRY_BENEFIT_ENDS") or None,
            eco_burial_eligibility=env.get("REGISTRY_ECO_BURIAL_ELIGIBILITY") or "local-household",
            eco_burial_amount_date=env.get("REGISTRY_ECO_BURIAL_AMOUNT_DATE") or "burial",
            reward_office=env.get("REGISTRY_REWARD_OFFICE") or "330782-civil-affairs",
        )

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    def postgres_target(self) -> tuple[str, str]:
        """The PostgreSQL URL without its query, and the schema it names ("" for the default)."""
        url = urlparse(self.database_url or "")
        return url._replace(query="").geturl(), parse_qs(url.query).get("schema", [""])[0]

    def store_environment(self, application_name: str) -> dict[str, str]:
        """The eventsourcing environment for one application; tables are created only by `registry db migrate`.

        Stored events are encrypted (AES-GCM) so that personal data is never at rest in clear.
        """
        common = {
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": self.event_cipher_key,
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
            # The library's pool keeps pool_size connections open: one each, the rest opened under load.
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": str(max(self.pool_size - 1, 0)),
            "POSTGRES_LOCK_TIMEOUT": "5",
            "CREATE_TABLE": "n",
            **common,
        }


def development_keys(data_dir: Path) -> dict[str, str]:
    """Keys for the embedded default, created once and kept under the data directory (never for production)."""
    path = data_dir / "dev-keys.json"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fresh = {
            "jwt_secret": secrets.token_urlsafe(48),
            "person_hash_key": secrets.token_urlsafe(32),
            "event_cipher_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        temporary = data_dir / f"dev-keys.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(fresh))
        temporary.chmod(0o600)
        with contextlib.suppress(FileExistsError):  # another process made them first: use theirs
            os.link(temporary, path)
        temporary.unlink()
    keys: dict[str, str] = json.loads(path.read_text())
    return keys


def development_signing_key(data_dir: Path) -> str:
    """An Ed25519 seed for the embedded default, created once under the data directory (never for production)."""
    path = data_dir / "dev-signing.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = data_dir / f"dev-signing.{os.getpid()}.tmp"
        temporary.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        temporary.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
        temporary.unlink()
    return path.read_text().strip()
