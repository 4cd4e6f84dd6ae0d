"""A lean keep-alive HTTP/1.1 client for timing the server, not the client.

``http.client`` parses every answer's headers through the ``email`` package, which costs
0.1-0.3 ms per answer on these machines, more than the server's own HTTP parsing. This client
writes each request in one ``sendall`` and reads the answer by its ``Content-Length``, the way a
client in C (wrk, h2load) would, so that what is timed is the server and the loopback.
"""
from __future__ import annotations

import socket
from typing import Any

import orjson

HEADER_END = b"\r\n\r\n"


class WireError(RuntimeError):
    """The server closed the connection or answered without a Content-Length."""


class Wire:
    """One keep-alive connection to *host*:*port*; reconnect() opens a fresh one."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.reconnect()

    def reconnect(self) -> None:
        """Close the connection (if any) and open a new one, without Nagle's delay."""
        self.close()
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def post_json(self, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        """POST *body* as JSON to *path*; return the status and the decoded JSON answer."""
        payload = orjson.dumps(body)
        return self.send("POST", path, {"Content-Type": "application/json", **headers}, payload)

    def get_json(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """GET *path*; return the status and the decoded JSON answer."""
        return self.send("GET", path, headers or {}, b"")

    def send(self, method: str, path: str, headers: dict[str, str], payload: bytes) -> tuple[int, Any]:
        """Send one request in one write; return the status and the decoded JSON answer."""
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        length = f"Content-Length: {len(payload)}\r\n" if payload or method == "POST" else ""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{lines}{length}\r\n"
        assert self.sock is not None
        self.sock.sendall(head.encode("latin-1") + payload)
        status, body_bytes = self._answer()
        return status, orjson.loads(body_bytes)

    def _answer(self) -> tuple[int, bytes]:
        buffer = b""
        while HEADER_END not in buffer:
            buffer += self._receive()
        head, _, rest = buffer.partition(HEADER_END)
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = next((int(line.split(b":", 1)[1]) for line in lines[1:]
                       if line[:15].lower() == b"content-length:"), None)
        if length is None:
            raise WireError(f"the answer ({status}) has no Content-Length")
        while len(rest) < length:
            rest += self._receive()
        return status, rest[:length]

    def _receive(self) -> bytes:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise WireError("the server closed the connection")
        return chunk

    def close(self) -> None:
        """Close the connection."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None
