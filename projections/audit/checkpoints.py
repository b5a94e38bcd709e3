"""Signed checkpoints (tree size, root hash, time) with the registry's Ed25519 key, and their verification."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ORIGIN = "civil-registry/330782"


@dataclass(frozen=True)
class Checkpoint:
    application: str
    tree_size: int
    last_position: int
    root_hash: str  # base64
    signed_at: str
    signature: str = ""  # base64 Ed25519 over body()
    key_id: str = ""  # the `kid` of the signing key in the JWKS; a hint, outside the signed body (older checkpoints)

    def body(self) -> bytes:
        """The signed text, in the manner of a transparency log's signed note."""
        lines = [f"{ORIGIN}/{self.application}", self.tree_size, self.last_position, self.root_hash, self.signed_at]
        return "".join(f"{line}\n" for line in lines).encode()

    def root(self) -> bytes:
        return base64.b64decode(self.root_hash)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        return cls(**json.loads(text))


def sign(
    key: Ed25519PrivateKey, application: str, size: int, last_position: int, root: bytes, at: datetime, key_id: str
) -> Checkpoint:
    unsigned = Checkpoint(application, size, last_position, base64.b64encode(root).decode(), at.isoformat())
    signature = base64.b64encode(key.sign(unsigned.body())).decode()
    return replace(unsigned, signature=signature, key_id=key_id)


def verify_signature(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.body())
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip()))
