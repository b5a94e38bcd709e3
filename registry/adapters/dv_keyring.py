"""The DV keyring: key-encryption keys by epoch, kept outside the events' database, and what each epoch's key does.

A data key is never stored in clear: its row is wrapped under the current epoch's key-encryption key, and owners and
subjects are found by keyed tags under that key (registry/adapters/dv_key_store.py says why epochs).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


class Keyring(Protocol):
    """Key-encryption keys by epoch, kept outside the events' database (the KMS-style provider interface)."""

    def epochs(self) -> list[int]:
        """The epochs whose keys exist."""
        ...

    def key(self, epoch: int) -> bytes | None:
        """The epoch's 32-byte key, or None once destroyed."""
        ...

    def create(self, epoch: int) -> None:
        """Make a new random key for the epoch (durably, before any row is wrapped under it)."""
        ...

    def destroy(self, epoch: int) -> None:
        """Destroy the epoch's key for good."""
        ...


class FileKeyring:
    """One file per epoch in a directory of its own (mode 0700, files 0600); destroying overwrites, then unlinks.

    Keep the directory off the database's disks and out of the database's backups; on SSDs and copy-on-write file
    systems an overwrite is not guaranteed to reach the old blocks, which is why production should use a KMS or HSM.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, epoch: int) -> Path:
        return self.directory / f"epoch-{epoch:08d}.key"

    def epochs(self) -> list[int]:
        if not self.directory.exists():
            return []
        return sorted(int(p.stem.split("-")[1]) for p in self.directory.glob("epoch-*.key"))

    def key(self, epoch: int) -> bytes | None:
        try:
            return base64.b64decode(self._path(epoch).read_text())
        except FileNotFoundError:
            return None

    def create(self, epoch: int) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.directory / f".epoch-{epoch:08d}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(base64.b64encode(AESGCM.generate_key(bit_length=256)).decode())
            file.flush()
            os.fsync(file.fileno())
        os.rename(temporary, self._path(epoch))
        _fsync_directory(self.directory)

    def destroy(self, epoch: int) -> None:
        path = self._path(epoch)
        with contextlib.suppress(FileNotFoundError):
            size = path.stat().st_size
            with path.open("r+b") as file:
                file.write(os.urandom(size))
                file.flush()
                os.fsync(file.fileno())
            path.unlink()
            _fsync_directory(self.directory)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass(frozen=True)
class EpochKey:
    """What one epoch's key-encryption key is used for: wrapping rows, and tagging owners and subjects."""

    epoch: int
    wrap: bytes
    tag: bytes

    @classmethod
    def of(cls, epoch: int, key: bytes) -> EpochKey:
        def derive(purpose: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)

        return cls(epoch, derive(b"dv-data-key-wrap"), derive(b"dv-data-key-tag"))

    def tag_of(self, kind: str, value: str) -> str:
        return hmac.new(self.tag, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def wrap_row(self, key_id: str, content: dict[str, Any]) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.wrap).encrypt(nonce, json.dumps(content).encode(), key_id.encode())
        return base64.b64encode(nonce + sealed).decode()

    def unwrap_row(self, key_id: str, wrapped: str) -> dict[str, Any]:
        raw = base64.b64decode(wrapped)
        content: dict[str, Any] = json.loads(
            AESGCM(self.wrap).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode())
        )
        return content
