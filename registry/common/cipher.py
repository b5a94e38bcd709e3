"""How stored events are encrypted: the library's AES-GCM cipher, with its key schedule made once, not per event."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

NONCE, TAG = 12, 16


class EventCipher(AESCipher):
    """`eventsourcing.cryptography.AESCipher`'s format and errors (nonce, tag, then the encrypted text), keeping one
    AESGCM object: the library builds one for every event, which took half of each decryption's time.

    An AESGCM object holds only its key and may be shared between threads (each call starts from a copy of its
    context), so the projection runner and the request threads use the same one.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self._aesgcm = AESGCM(self.key)

    def encrypt(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        sealed = self._aesgcm.encrypt(nonce, plaintext, None)
        return nonce + sealed[-TAG:] + sealed[:-TAG]

    def decrypt(self, ciphertext: bytes) -> bytes:
        if len(ciphertext) < NONCE:
            raise ValueError("Damaged cipher text: invalid nonce length")
        if len(ciphertext) < NONCE + TAG:
            raise ValueError("Damaged cipher text: invalid tag length")
        nonce, tag, encrypted = ciphertext[:NONCE], ciphertext[NONCE : NONCE + TAG], ciphertext[NONCE + TAG :]
        try:
            return self._aesgcm.decrypt(nonce, encrypted + tag, None)
        except InvalidTag as error:
            raise ValueError("Invalid cipher tag") from error
