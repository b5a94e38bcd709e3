"""How stored events are encrypted: the library's AES-GCM cipher, with its key schedule made once, not per event."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

NONCE, TAG = 12, 16


class EventCipher(AESCipher):
    """`eventsourcing.cryptography.AESCipher`'s format and errors (nonce, tag, then the encrypted text), keeping one
    AESGCM object: the library builds one for every event, which took half of each decryption's time.

    The projection runner and the request threads share it. cryptography (50) makes an AESGCM object immutable: with
    OpenSSL 3.2 or later, which its wheels bundle, it holds the key schedule, and each call works on a copy of it
    (under the interpreter lock); with an older OpenSSL it builds the context on each call, as the library did, and
    the gain is gone. Its documentation promises no thread safety: this rests on that implementation.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self._aesgcm = AESGCM(self.key)

    def encrypt(self, plaintext: bytes) -> bytes:
        """A new nonce, the tag, then the encrypted text (the library's order)."""
        nonce = self.random_bytes(NONCE)
        sealed = self._aesgcm.encrypt(nonce, plaintext, None)
        return nonce + sealed[-TAG:] + sealed[:-TAG]

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext; ValueError with the library's message for a cut or changed cipher text."""
        if len(ciphertext) < NONCE:
            raise ValueError("Damaged cipher text: invalid nonce length")
        if len(ciphertext) < NONCE + TAG:
            raise ValueError("Damaged cipher text: invalid tag length")
        nonce, tag, encrypted = ciphertext[:NONCE], ciphertext[NONCE : NONCE + TAG], ciphertext[NONCE + TAG :]
        try:
            return self._aesgcm.decrypt(nonce, encrypted + tag, None)
        except InvalidTag as error:
            raise ValueError("Invalid cipher tag") from error
