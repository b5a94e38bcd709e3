"""A TCP proxy between a client and PostgreSQL that can lose one reply after its commit, or one request, as a network
can.

Armed with a piece of SQL text, it passes everything on until a client runs a statement with that text (sent as a
query, prepared, or bound to a statement prepared earlier on the connection). Losing the reply, it lets the statement
reach the server and run to its end, then closes the client's connection in place of the statement's completion: the
server has committed (it drops only a reply that ends outside a transaction), the client sees a lost connection.
Losing the request, it closes the client's connection without passing the statement on, after running what the test
says happens meanwhile. The proxy speaks the protocol only as far as it must: it refuses SSL (so that it can read the
messages), splits both streams into messages by their lengths, and notes the names of prepared statements.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

SSL_REQUEST = struct.pack("!ii", 8, 80877103)
GSSENC_REQUEST = struct.pack("!ii", 8, 80877104)
COMMAND_COMPLETE, READY_FOR_QUERY, IDLE = b"C", b"Z", b"I"


@dataclass
class Drop:
    """One loss to come: of the next statement whose text holds `sql`, its request (after running `meanwhile`) or
    its reply."""

    sql: bytes
    request: bool
    meanwhile: Callable[[], object]


class ReplyDroppingProxy:
    """Listens on 127.0.0.1 at `port` and forwards to PostgreSQL at `target`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.drops: list[Drop] = []  # in the order armed; the first that matches a statement is used
        self.dropped = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def drop_the_reply_to(self, sql: str) -> None:
        """Lose the completion of the next statement whose text contains `sql` (one only)."""
        with self.lock:
            self.drops.append(Drop(sql.encode(), request=False, meanwhile=lambda: None))

    def drop_the_request_to(self, sql: str, meanwhile: Callable[[], object] = lambda: None) -> None:
        """Lose the next statement whose text contains `sql` on its way to the server (one only), running
        `meanwhile` before the client sees its connection closed."""
        with self.lock:
            self.drops.append(Drop(sql.encode(), request=True, meanwhile=meanwhile))

    def close(self) -> None:
        """Stop accepting connections (those open end with their clients)."""
        self.listener.close()

    def _accept(self) -> None:
        with suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client, socket.create_connection(self.target) as server:
            opening = _receive_exactly(client, 8)
            while opening in (SSL_REQUEST, GSSENC_REQUEST):
                client.sendall(b"N")  # no encryption: the proxy reads the messages
                opening = _receive_exactly(client, 8)
            startup_length = struct.unpack("!i", opening[:4])[0]
            server.sendall(opening + _receive_exactly(client, startup_length - 8))
            triggered = threading.Event()
            threading.Thread(target=self._from_client, args=(client, server, triggered), daemon=True).start()
            self._from_server(server, client, triggered)

    def _from_client(self, client: socket.socket, server: socket.socket, triggered: threading.Event) -> None:
        prepared: dict[bytes, bytes] = {}  # this connection's prepared statements: their names and texts
        with suppress(OSError):
            while True:
                kind, message, body = _message(client)
                text = _statement_text(kind, body, prepared)
                with self.lock:
                    drop = next((drop for drop in self.drops if drop.sql in text), None)
                    if drop is not None:
                        self.drops.remove(drop)
                if drop is not None and not drop.request:
                    triggered.set()  # before the server can answer
                if drop is not None and drop.request:
                    try:
                        drop.meanwhile()
                    finally:
                        with self.lock:
                            self.dropped += 1
                        client.shutdown(socket.SHUT_RDWR)
                    break
                server.sendall(message)
        with suppress(OSError):
            server.shutdown(socket.SHUT_WR)

    def _from_server(self, server: socket.socket, client: socket.socket, triggered: threading.Event) -> None:
        withholding = False
        with suppress(OSError):
            while True:
                kind, message, body = _message(server)
                withholding = withholding or (triggered.is_set() and kind == COMMAND_COMPLETE)
                if withholding and kind == READY_FOR_QUERY and body == IDLE:  # committed: the reply is lost on its way
                    with self.lock:
                        self.dropped += 1
                    client.shutdown(socket.SHUT_RDWR)
                    return
                if not withholding:
                    client.sendall(message)


def _message(connection: socket.socket) -> tuple[bytes, bytes, bytes]:
    """The next message of the protocol: its type, the whole message, its body."""
    kind, length = _receive_exactly(connection, 1), _receive_exactly(connection, 4)
    body = _receive_exactly(connection, struct.unpack("!i", length)[0] - 4)
    return kind, kind + length + body, body


def _statement_text(kind: bytes, body: bytes, prepared: dict[bytes, bytes]) -> bytes:
    """The SQL a client message runs or prepares: a simple query's, a Parse's (noted under its name), or that of the
    prepared statement a Bind names (a client sends a prepared statement's text once per connection)."""
    if kind == b"Q":
        return body
    if kind == b"P":
        name, text = body.split(b"\0")[:2]
        prepared[name] = text
        return text
    if kind == b"B":
        return prepared.get(body.split(b"\0")[1], b"")
    return b""


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("closed")
        data += chunk
    return data
