"""A bounded connection flood against a server on this machine (issue #25 item 1), for tests and measurements.

`ConnectionFlood(port, sockets=150, mode="idle")` keeps `sockets` TCP connections open to
127.0.0.1:port, each opened again as soon as the server closes it (renewed), for at most
`duration` seconds and at most `max_connects` connections in all:

- "idle": not a byte is sent (a client that connected and went quiet);
- "slow": request headers at one byte every `slow_interval` seconds (2 s), which never end.

It runs in a process of its own, as an attacker would (`start()` … `stop()`, or as a
context manager; `python -m tests.support.connflood PORT [SOCKETS] [idle|slow] [SECONDS]` by
hand), so the test's own client is not slowed down by it, and counts what it did:
connections opened, closed by the server, bytes sent. Only the loopback address is ever
a target.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import selectors
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

SLOW_HEADERS = (
    b"POST /telegram HTTP/1.1\r\nHost: bot.example.org\r\nContent-Type: application/json\r\n" + b"X-Pad: a" * 500
)


@dataclass
class FloodFigures:
    connects: int = 0  # connections opened (or tried) in all
    closed_by_server: int = 0  # connections the server closed (or reset)
    bytes_sent: int = 0
    seconds: float = 0.0


@dataclass
class _Conn:
    sock: socket.socket
    opened: float
    sent: int = 0
    next_byte: float = 0.0


@dataclass
class ConnectionFlood:
    port: int
    sockets: int = 150
    mode: Literal["idle", "slow"] = "idle"
    duration: float = 5.0
    max_connects: int = 50_000
    slow_interval: float = 2.0
    host: str = "127.0.0.1"
    figures: FloodFigures = field(default_factory=FloodFigures)
    _stop: threading.Event = field(default_factory=threading.Event)
    _process: multiprocessing.process.BaseProcess | None = None
    _queue: Any = None

    def __post_init__(self) -> None:
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("a connection flood only ever targets this machine")

    def start(self) -> ConnectionFlood:
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue()
        self._process = context.Process(target=_flood_process, args=(self._settings(), self._queue), daemon=True)
        self._process.start()
        ready = self._queue.get(timeout=30)
        assert ready == "ready", ready
        return self

    def stop(self) -> FloodFigures:
        """Ends the flood (if its time is not up yet) and returns its figures."""
        if self._process is None:
            return self.figures
        assert self._process.pid is not None
        if self._process.is_alive():
            self._process.terminate()  # SIGTERM: the flood closes its sockets and reports
        try:
            self.figures = FloodFigures(**json.loads(self._queue.get(timeout=30)))
        finally:
            self._process.join(30)
            self._process = None
        return self.figures

    def wait(self) -> FloodFigures:
        """Until the flood's time is up; its figures."""
        if self._process is not None:
            self._process.join(self.duration + 30)
        return self.stop()

    def _settings(self) -> dict[str, object]:
        return {
            "port": self.port,
            "sockets": self.sockets,
            "mode": self.mode,
            "duration": self.duration,
            "max_connects": self.max_connects,
            "slow_interval": self.slow_interval,
            "host": self.host,
        }

    def __enter__(self) -> ConnectionFlood:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ the flood's own loop

    def _open(self, selector: selectors.DefaultSelector, now: float) -> bool:
        if self.figures.connects >= self.max_connects:
            return False
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex((self.host, self.port))
        self.figures.connects += 1
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self.figures.closed_by_server += 1
            return True
        selector.register(sock, selectors.EVENT_READ, _Conn(sock, now, next_byte=now))
        return True

    def run(self, ready: Any = None) -> FloodFigures:
        """The flood itself, in this thread, until its time is up or `_stop` is set."""
        started = time.monotonic()
        selector = selectors.DefaultSelector()
        try:
            for _ in range(self.sockets):
                self._open(selector, started)
            if ready is not None:
                ready.put("ready")
            while not self._stop.is_set() and time.monotonic() - started < self.duration:
                for key, _ in selector.select(timeout=0.05):
                    conn: _Conn = key.data
                    try:
                        data = conn.sock.recv(4096)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if data:
                        continue  # an answer (408, 400): the server closes next
                    selector.unregister(conn.sock)
                    conn.sock.close()
                    self.figures.closed_by_server += 1
                    self._open(selector, time.monotonic())  # renewed at once
                if self.mode == "slow":
                    now = time.monotonic()
                    for key in list(selector.get_map().values()):
                        conn = key.data
                        if now >= conn.next_byte and conn.sent < len(SLOW_HEADERS):
                            try:
                                conn.sock.send(SLOW_HEADERS[conn.sent : conn.sent + 1])
                            except (BlockingIOError, OSError):
                                continue  # not connected yet, or closed: seen by select
                            conn.sent += 1
                            conn.next_byte = now + self.slow_interval
                            self.figures.bytes_sent += 1
        finally:
            for key in list(selector.get_map().values()):
                key.data.sock.close()
            selector.close()
            self.figures.seconds = round(time.monotonic() - started, 2)
        return self.figures


def _flood_process(settings: dict[str, Any], queue: Any) -> None:
    import signal

    flood = ConnectionFlood(**settings)
    signal.signal(signal.SIGTERM, lambda *_: flood._stop.set())
    figures = flood.run(ready=queue)
    queue.put(json.dumps(figures.__dict__))


if __name__ == "__main__":
    port, *rest = sys.argv[1:]
    flood = ConnectionFlood(
        int(port),
        sockets=int(rest[0]) if rest else 150,
        mode="slow" if rest[1:2] == ["slow"] else "idle",
        duration=float(rest[2]) if rest[2:] else 5.0,
    )
    print(flood.run())
