"""How an `ApiClient` reads an answer's body (`core.http._read_whole`):
against a loopback server that writes the bytes each test scripts
(`core.tests.loopback`)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from core import errors, jsontext
from core.http import ApiClient
from core.tests.loopback import Server

DOCUMENT = {"items": [{"id": str(n), "title": "Разработчик " * 20} for n in range(1000)]}
BODY = jsontext.dumps_bytes(DOCUMENT)


class Client(ApiClient):
    system = "example"


@pytest.fixture
def serve() -> Iterator:
    servers: list[Server] = []

    def start(answer: bytes | list[bytes], **kwargs) -> Server:
        servers.append(Server(answer, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.stop.set()


def _head(**headers: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/json; charset=utf-8"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_long_body_is_read_whole_and_its_connection_serves_the_next_call(serve):
    assert len(BODY) > 30 * 10 * 1024  # thirty of requests' own chunks
    server = serve(_head(Content_Length=str(len(BODY))) + BODY)
    client = Client(base_url=server.url)
    assert client._json("GET", "/items") == DOCUMENT
    response = client._request("GET", "/items")
    assert response.content == BODY and response.json() == DOCUMENT
    assert response.text == BODY.decode()
    assert (server.requests, server.connections) == (2, 1)


def test_a_chunked_body_is_read_whole(serve):
    parts = [BODY[i : i + 7000] for i in range(0, len(BODY), 7000)]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"
    server = serve(_head(Transfer_Encoding="chunked") + chunked)
    client = Client(base_url=server.url)
    assert client._json("GET", "/items") == DOCUMENT
    assert client._json("GET", "/items") == DOCUMENT
    assert server.connections == 1


def test_a_body_cut_short_is_unavailable(serve):
    server = serve(_head(Content_Length=str(len(BODY))) + BODY[:5000], close=True)
    client = Client(base_url=server.url, sleep=lambda _: None, max_retries=2)
    with pytest.raises(errors.Unavailable):
        client._json("GET", "/items")


def test_a_body_that_stalls_past_the_read_timeout_is_unavailable(serve):
    # The head and part of the body come at once; the rest never does.
    server = serve(_head(Content_Length=str(len(BODY))) + BODY[:5000])
    client = Client(base_url=server.url, timeout=(1.0, 0.3), sleep=lambda _: None, max_retries=0)
    started = time.monotonic()
    with pytest.raises(errors.Unavailable):
        client._json("GET", "/items")
    assert time.monotonic() - started < 5  # the read timeout ended it, not the server


def test_an_error_answer_gives_its_connection_back(serve):
    body = b'{"error": "no"}'
    head = _head(Content_Length=str(len(body))).replace(b"200 OK", b"404 Not Found")
    server = serve(head + body)
    client = Client(base_url=server.url)
    for _ in range(3):
        with pytest.raises(errors.NotFound):
            client._json("GET", "/items")
    assert (server.requests, server.connections) == (3, 1)
