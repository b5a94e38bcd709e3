"""Stored events are encrypted by the registry's EventCipher: the library's AES-GCM format and errors, one AESGCM
object kept instead of one built per event (registry/common/cipher.py)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment, resolve_topic

from registry.common.cipher import EventCipher
from registry.settings import Settings

KEY = {"CIPHER_KEY": base64.b64encode(b"k" * 32).decode()}
OURS, LIBRARY = EventCipher(Environment(env=KEY)), AESCipher(Environment(env=KEY))
TEXT = '{"name":"测试","document_number":"330782199001010011"}'.encode()


@pytest.mark.parametrize("size", [16, 24, 32])
def test_the_event_cipher_reads_what_the_library_cipher_wrote_and_the_other_way_round(size: int) -> None:
    key = {"CIPHER_KEY": base64.b64encode(b"k" * size).decode()}
    ours, library = EventCipher(Environment(env=key)), AESCipher(Environment(env=key))
    assert ours.decrypt(library.encrypt(TEXT)) == TEXT
    assert library.decrypt(ours.encrypt(TEXT)) == TEXT


def test_each_encryption_takes_a_new_nonce() -> None:
    first, second = OURS.encrypt(TEXT), OURS.encrypt(TEXT)
    assert first[:12] != second[:12] and first != second


@pytest.mark.parametrize("length", [0, 11, 12, 27, 28])
def test_a_cut_cipher_text_is_refused_with_the_library_error(length: int) -> None:
    cut = OURS.encrypt(TEXT)[:length]
    with pytest.raises(ValueError) as ours:
        OURS.decrypt(cut)
    with pytest.raises(ValueError) as library:
        LIBRARY.decrypt(cut)
    assert str(ours.value) == str(library.value)


@pytest.mark.parametrize("position", [0, 12, 28, -1])
def test_a_changed_byte_is_refused_as_an_invalid_tag(position: int) -> None:
    damaged = bytearray(OURS.encrypt(TEXT))
    damaged[position] ^= 1
    for cipher in (OURS, LIBRARY):
        with pytest.raises(ValueError, match="Invalid cipher tag"):
            cipher.decrypt(bytes(damaged))


def test_every_application_encrypts_its_events_with_the_event_cipher(tmp_path: Path) -> None:
    master = base64.b64encode(b"m" * 32).decode()
    settings = Settings.from_env({"REGISTRY_MASTER_KEY": master, "REGISTRY_DATA_DIR": str(tmp_path)})
    assert resolve_topic(settings.store_environment("marriage")["CIPHER_TOPIC"]) is EventCipher
