"""A loopback HTTP server for `ApiClient` tests that writes the bytes each
test scripts (where `responses`, which fakes requests' adapter, cannot say
how a body arrives or a connection ends)."""

from __future__ import annotations

import socket
import threading


class Server:
    """Answers every request on a connection with `answer` (bytes, or a list
    of byte strings written one by one); `close` ends the connection after
    each answer (an empty answer and `close`: a connection dropped after the
    request). Counts connections and requests; `stop` ends it."""

    def __init__(self, answer: bytes | list[bytes], *, close: bool = False) -> None:
        self.answer = answer if isinstance(answer, list) else [answer]
        self.close = close
        self.connections = 0
        self.requests = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.listener.settimeout(0.2)
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()
        self.listener.close()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            while not self.stop.is_set():
                try:
                    if not conn.recv(65536):
                        return
                except OSError:
                    return
                self.requests += 1
                for part in self.answer:
                    conn.sendall(part)
                if self.close:
                    return
