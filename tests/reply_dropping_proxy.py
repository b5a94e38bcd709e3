"""A TCP proxy between a client and PostgreSQL that can lose one reply after its commit, or one request, as a network
can.

Armed with a piece of SQL text, it passes everything on until a client sends that text. Losing the reply, it lets the
statement reach the server and run to its end, then closes the client's connection in place of the statement's
completion: the server has committed (it drops only a reply that ends outside a transaction), the client sees a lost
connection. Losing the request, it closes the client's
connection without passing the statement on, after running what the test says happens meanwhile. The proxy speaks
the protocol only as far as it must: it refuses SSL (so that it can read the server's messages) and splits the
server's stream into messages by their lengths. A client that prepares its statements sends their text only the first
time on each connection: the trigger is the text, so a test drops a statement on a connection that has not yet run it
(and asserts `dropped`, so that a statement that was never dropped fails the test rather than passing it).
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from contextlib import suppress

SSL_REQUEST = struct.pack("!ii", 8, 80877103)
GSSENC_REQUEST = struct.pack("!ii", 8, 80877104)
COMMAND_COMPLETE, READY_FOR_QUERY, IDLE = b"C", b"Z", b"I"


class ReplyDroppingProxy:
    """Listens on 127.0.0.1 at `port` and forwards to PostgreSQL at `target`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.trigger: bytes | None = None
        self.meanwhile: Callable[[], object] | None = None  # set: the request is lost, after running this
        self.dropped = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def drop_the_reply_to(self, sql: str) -> None:
        """Lose the completion of the next statement whose text contains `sql` (one only)."""
        with self.lock:
            self.trigger, self.meanwhile = sql.encode(), None

    def drop_the_request_to(self, sql: str, meanwhile: Callable[[], object]) -> None:
        """Lose the next statement whose text contains `sql` on its way to the server (one only), running
        `meanwhile` before the client sees its connection closed."""
        with self.lock:
            self.trigger, self.meanwhile = sql.encode(), meanwhile

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
                client.sendall(b"N")  # no encryption: the proxy reads the server's messages
                opening = _receive_exactly(client, 8)
            server.sendall(opening)
            triggered = threading.Event()
            threading.Thread(target=self._from_client, args=(client, server, triggered), daemon=True).start()
            self._from_server(server, client, triggered)

    def _from_client(self, client: socket.socket, server: socket.socket, triggered: threading.Event) -> None:
        with suppress(OSError):
            while data := client.recv(65536):
                with self.lock:
                    meanwhile = None
                    if self.trigger is not None and self.trigger in data:
                        self.trigger, meanwhile = None, self.meanwhile
                        triggered.set()  # before the server can answer
                if meanwhile is not None:
                    meanwhile()
                    with self.lock:
                        self.dropped += 1
                    client.shutdown(socket.SHUT_RDWR)
                    break
                server.sendall(data)
        with suppress(OSError):
            server.shutdown(socket.SHUT_WR)

    def _from_server(self, server: socket.socket, client: socket.socket, triggered: threading.Event) -> None:
        withholding = False
        with suppress(OSError):
            while True:
                kind = _receive_exactly(server, 1)
                length = _receive_exactly(server, 4)
                body = _receive_exactly(server, struct.unpack("!i", length)[0] - 4)
                withholding = withholding or (triggered.is_set() and kind == COMMAND_COMPLETE)
                if withholding and kind == READY_FOR_QUERY and body == IDLE:  # committed: the reply is lost on its way
                    with self.lock:
                        self.dropped += 1
                    client.shutdown(socket.SHUT_RDWR)
                    return
                if not withholding:
                    client.sendall(kind + length + body)


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("closed")
        data += chunk
    return data
