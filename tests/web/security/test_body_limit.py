"""Body size limits (finding 7): 413 in French, enforced while the body streams in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio

from allo.runtime import Runtime
from allo.web.app import create_app

CHUNK = 64 * 1024


def chunks(count: int, consumed: list[int]) -> Iterator[bytes]:
    yield b'{"question": "'
    for _ in range(count):
        consumed.append(1)
        yield b"a" * CHUNK
    yield b'"}'


def test_declared_oversized_json_is_refused_before_reading(client: Any) -> None:
    body = b'{"question": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = client.post(
        "/api/messages", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "Les données envoyées sont trop volumineuses (1 Mo au plus)."
    )


def test_streamed_body_is_cut_at_the_limit_not_read_whole(runtime: Runtime) -> None:
    """100 MB with no Content-Length (chunked), driven at the ASGI level (the test client would
    buffer it): the app stops reading right after the first 1 MB and answers 413."""
    app = create_app(runtime=runtime)
    consumed: list[int] = []
    body = chunks(1600, consumed)  # 1,600 × 64 KiB = 100 MiB
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = next(body, None)
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/messages",
        "raw_path": b"/api/messages",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    # a thread of its own: an event loop may already run in this one (Playwright's sync API)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, app, scope, receive, send).result()
    assert sent[0]["status"] == 413
    assert "trop volumineuses" in sent[1]["body"].decode()
    assert len(consumed) <= 1024 * 1024 // CHUNK + 2


def test_form_limit_is_its_own_setting(client_with: Callable[..., Any]) -> None:
    client = client_with(max_form_body=4096)
    small = client.post(
        "/poser-une-question", data={"question": "Bonjour ?"}, follow_redirects=False
    )
    assert small.status_code == 303
    big = client.post(
        "/poser-une-question", data={"question": "x" * 5000}, headers={"Accept": "text/html"}
    )
    assert big.status_code == 413
    assert "trop volumineuses (4 Ko au plus)" in big.text


def test_ordinary_bodies_pass(client: Any) -> None:
    response = client.post("/api/messages", json={"question": "Comment refaire ma carte ?"})
    assert response.status_code == 201
