"""`python -m bot run` as a real process: its environment, its config and its stderr."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.constants import TOKEN
from tests.support.kbcopy import KbCopy


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_") and k != "PILKADA_BOT_CONFIG"}
    return env | extra


def cli_config(kb_copy: KbCopy, **bot_settings: object) -> Path:
    """The copied config.yaml with these `bot:` keys set (each key already in the file, once)."""
    for key, value in bot_settings.items():
        text = kb_copy.read("config.yaml")
        new, count = re.subn(rf"(?m)^(\s+{key}:) [^#\n]*", rf"\g<1> {value}  ", text, count=1)
        assert count == 1, key
        kb_copy.write("config.yaml", new)
    return kb_copy.config_path


class CliRun:
    """`python -m bot run` as a subprocess; stderr is collected line by line as it comes."""

    def __init__(self, repo_root: Path, config: Path, api_url: str, token: str = TOKEN, **env: str) -> None:
        self.lines: list[str] = []
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=repo_root,
            env=cli_env(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_URL=api_url, PILKADA_BOT_CONFIG=str(config), **env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, count: int = 1, timeout: float = 15) -> list[str]:
        """Block until `count` stderr lines match the regex `pattern`."""
        deadline = time.monotonic() + timeout
        while len(found := [line for line in list(self.lines) if re.search(pattern, line)]) < count:
            if time.monotonic() > deadline or (self.proc.poll() is not None and not self._reader.is_alive()):
                raise AssertionError(f"no {count} line(s) matching {pattern!r} in:\n{self.stderr}")
            time.sleep(0.02)
        return found

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> tuple[int, float]:
        """Send `sig`; the exit code and how long the process took to exit."""
        sent = time.monotonic()
        self.proc.send_signal(sig)
        return self.wait(timeout), time.monotonic() - sent

    def wait(self, timeout: float = 15) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=5)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


def wait_until(condition: object, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
