"""The test stand-in for Telegram's webhook delivery (tests/support/webhooksender.py): order, retries, secret."""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.webhooksender import SECRET_HEADER, WebhookSender


def update(update_id: int, chat_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": update_id, "chat": {"id": chat_id}, "text": "x"}}


async def test_sender_keeps_each_chat_in_order_retries_failures_and_sends_the_secret() -> None:
    seen: list[tuple[int, int, float, float]] = []  # update_id, chat, start, end
    failures = {3: 2}  # update 3 fails twice (503) before it is confirmed
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            start = time.monotonic()
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            assert self.headers[SECRET_HEADER] == "sekret"
            time.sleep(0.05)
            with lock:
                status = 503 if failures.get(body["update_id"], 0) > 0 else 200
                if status == 503:
                    failures[body["update_id"]] -= 1
                seen.append((body["update_id"], body["message"]["chat"]["id"], start, time.monotonic()))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/telegram"
        updates = [update(i, chat_id=100 + i % 2) for i in range(1, 9)]
        async with WebhookSender(url, "sekret", retry_delays=(0.05, 0.05, 0.05)) as sender:
            report = await sender.deliver(updates)
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(report.confirmed) == list(range(1, 9)) and not report.given_up
    assert report.retried() == {3: 3}
    for chat in (100, 101):
        calls = [s for s in seen if s[1] == chat]
        # In order, and never two of one chat at once.
        assert [c[0] for c in calls] == sorted(c[0] for c in calls)
        assert all(later[2] >= earlier[3] for earlier, later in itertools.pairwise(calls))
    # The two chats did overlap: different chats go concurrently.
    assert any(a[1] != b[1] and a[2] < b[3] and b[2] < a[3] for a in seen for b in seen)
