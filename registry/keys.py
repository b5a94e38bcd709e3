"""The registry's secrets: one key per purpose, each at least 256 bits, derived from one master secret with HKDF.

A key is never used for two purposes (a token key that also hashed persons would let whoever holds one forge the
other). Every purpose key can also be given on its own, which is how one key is rotated without the others.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MIN_KEY_BYTES = 32
HKDF_SALT = b"civil-registry/330782/keys/v1"
# Development master keys carry this prefix, so that one copied into a production setting is recognised and refused.
DEVELOPMENT_MARKER = b"civil-registry-development-only\x00"


class SettingsError(ValueError):
    """A setting that is missing or unusable; the message names the setting and the fix."""


class Purpose(StrEnum):
    """What a key is for; each purpose has its own key and its own optional setting."""

    TOKEN = "token"
    PERSON_HASH = "person-hash"
    EVENT_CIPHER = "event-cipher"
    CERTIFICATE_CODE = "certificate-code"
    FEED_AT_REST = "exchange-feed-at-rest"
    CHECKPOINT_SIGNING = "checkpoint-signing"
    EXCHANGE_SIGNING = "exchange-signing"
    CERTIFICATE_SIGNING = "certificate-signing"


# The setting that overrides each purpose's derived key (base64 of at least 32 bytes; the cipher key exactly 32).
OVERRIDES = {
    Purpose.TOKEN: "REGISTRY_JWT_SECRET",
    Purpose.PERSON_HASH: "REGISTRY_PERSON_HASH_KEY",
    Purpose.EVENT_CIPHER: "REGISTRY_EVENT_CIPHER_KEY",
    Purpose.CERTIFICATE_CODE: "REGISTRY_CERTIFICATE_CODE_KEY",
    Purpose.FEED_AT_REST: "REGISTRY_FEED_AT_REST_KEY",
    Purpose.CHECKPOINT_SIGNING: "REGISTRY_CHECKPOINT_SIGNING_KEY",
    Purpose.EXCHANGE_SIGNING: "REGISTRY_EXCHANGE_SIGNING_KEY",
    Purpose.CERTIFICATE_SIGNING: "REGISTRY_CERTIFICATE_SIGNING_KEY",
}
SIGNING_PURPOSES = (Purpose.CHECKPOINT_SIGNING, Purpose.EXCHANGE_SIGNING, Purpose.CERTIFICATE_SIGNING)


def decode_secret(name: str, text: str, *, exact: int | None = None) -> bytes:
    """The bytes of a base64 secret setting; refused when shorter than 256 bits (or not the exact size needed)."""
    standard = text.strip().replace("-", "+").replace("_", "/")  # accept the URL-safe alphabet too
    try:
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(f"{name} must be base64 (e.g. from `registry keys generate`)") from None
    if exact is not None and len(raw) != exact:
        raise SettingsError(f"{name} must be base64 of exactly {exact} bytes, not {len(raw)}")
    if len(raw) < MIN_KEY_BYTES:
        raise SettingsError(f"{name} must be base64 of at least {MIN_KEY_BYTES} bytes (256 bits), not {len(raw)}")
    return raw


def derive(master: bytes, purpose: Purpose) -> bytes:
    """The 32-byte key of one purpose (HKDF-SHA256, RFC 5869)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=purpose.value.encode()).derive(master)


@dataclass(frozen=True)
class RegistryKeys:
    """One key per purpose; signing keys are Ed25519 seeds; the federation key is shared by the provinces."""

    by_purpose: dict[Purpose, bytes]
    federation: bytes | None
    development: bool

    @classmethod
    def from_settings(
        cls, master: bytes | None, overrides: dict[Purpose, bytes], federation: bytes | None, *, development: bool
    ) -> RegistryKeys:
        missing = [OVERRIDES[p] for p in Purpose if p not in overrides] if master is None else []
        if missing:
            raise SettingsError(
                "REGISTRY_MASTER_KEY is required (or every purpose key: " + ", ".join(missing) + "); "
                "generate one with `registry keys generate`"
            )
        by_purpose = {p: overrides[p] if p in overrides else derive(master or b"", p) for p in Purpose}
        return cls(by_purpose, federation, development)

    def __getitem__(self, purpose: Purpose) -> bytes:
        return self.by_purpose[purpose]

    @property
    def event_cipher_text(self) -> str:
        """The event cipher key as the library's CIPHER_KEY setting wants it (base64)."""
        return base64.b64encode(self[Purpose.EVENT_CIPHER]).decode()

    def signer(self, purpose: Purpose) -> Ed25519PrivateKey:
        if purpose not in SIGNING_PURPOSES:
            raise ValueError(f"{purpose} is not a signing purpose")
        return Ed25519PrivateKey.from_private_bytes(self[purpose][:32])


def key_id(jurisdiction: str, purpose: Purpose, key: Ed25519PrivateKey) -> str:
    """The `kid` of a signing key: the registry, the purpose and a digest of the public key (so a new key gets a new
    name). The JWKS publishes it and every signed document carries it."""
    return f"{jurisdiction}-{purpose.value}-{public_key_digest(key.public_key())}"


def public_key_digest(public_key: Ed25519PublicKey) -> str:
    """The part of a `kid` that names the key itself: 16 hex digits of the SHA-256 of the raw public key."""
    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def new_secret() -> str:
    """A new random secret of 256 bits, base64: what every secret setting takes."""
    return base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode()


def new_development_master() -> bytes:
    """A development master key: recognisable, so that it is refused outside the embedded default."""
    return DEVELOPMENT_MARKER + secrets.token_bytes(32)


def is_development(secret: bytes) -> bool:
    return secret.startswith(DEVELOPMENT_MARKER)


# -- where the keys come from: the settings, or the embedded default's data directory ------------------------------


def registry_keys(env: Mapping[str, str], data_dir: Path, *, embedded: bool) -> RegistryKeys:
    """Every purpose key, from the master key and the per-purpose settings; refused when weak or a development key
    outside the embedded default."""
    master_text = env.get("REGISTRY_MASTER_KEY")
    master = decode_secret("REGISTRY_MASTER_KEY", master_text) if master_text else None
    if master is not None and is_development(master) and not embedded:
        raise SettingsError("REGISTRY_MASTER_KEY is a development key: generate one with `registry keys generate`")
    overrides = {
        purpose: decode_secret(name, env[name], exact=32 if purpose == Purpose.EVENT_CIPHER else None)
        for purpose, name in OVERRIDES.items()
        if env.get(name)
    }
    federation_text = env.get("REGISTRY_FEDERATION_KEY")
    federation = decode_secret("REGISTRY_FEDERATION_KEY", federation_text) if federation_text else None
    if master is None and embedded:
        master = development_master(data_dir)
        overrides = {**legacy_development_keys(data_dir), **overrides}
    return RegistryKeys.from_settings(master, overrides, federation, development=embedded and not master_text)


def development_master(data_dir: Path) -> bytes:
    """The embedded default's master key, created once under the data directory (never for production)."""
    path = data_dir / "dev-master.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = data_dir / f"dev-master.{os.getpid()}.tmp"
        temporary.write_text(base64.b64encode(new_development_master()).decode())
        temporary.chmod(0o600)
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(temporary, path)
        temporary.unlink()
    return base64.b64decode(path.read_text().strip())


def legacy_development_keys(data_dir: Path) -> dict[Purpose, bytes]:
    """Keys of an embedded store created before the master key (var/dev-keys.json): its events stay readable."""
    keys: dict[Purpose, bytes] = {}
    path = data_dir / "dev-keys.json"
    if path.exists():
        old = json.loads(path.read_text())
        keys[Purpose.TOKEN] = old["jwt_secret"].encode()
        keys[Purpose.PERSON_HASH] = old["person_hash_key"].encode()
        keys[Purpose.EVENT_CIPHER] = base64.b64decode(old["event_cipher_key"])
    signing = data_dir / "dev-signing.key"
    if signing.exists():
        keys[Purpose.CHECKPOINT_SIGNING] = base64.b64decode(signing.read_text().strip())
    return keys
