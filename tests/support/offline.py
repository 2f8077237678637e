"""The Bot API answered in-process: `OfflineRequest` records every call, `feed` hands the bot an update.

As python-telegram-bot's tests/auxil/networking.py: the real Application runs
`process_update` with no network, and tests assert on what it would have sent.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.nlu.matcher import MatchResult
from tests.support.constants import App
from tests.support.fakebotapi import BOT_ID


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]


class OfflineRequest(BaseRequest):
    """Answers Bot API calls without a network and records each (method, decoded params)."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self._message_ids = itertools.count(9000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(ApiCall(name, params))
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "Pilkada Test Bot", "username": "PilkadaTestBot"}
        if name == "getMe":
            return bot | {"can_join_groups": True, "supports_inline_queries": True}
        if name in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
            message_id = params.get("message_id") or next(self._message_ids)
            return {"message_id": message_id, "date": 0, "chat": chat, "from": bot, "text": params["text"]}
        return True

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Params of every recorded call of `method`, in order."""
        return [c.params for c in self.calls if c.method == method]


@dataclass
class FakeRecorder:
    """Remembers what the handlers report; `fail` makes record_match raise."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)
    fail: Exception | None = None

    async def record_match(self, user_id: int, text: str, result: MatchResult) -> None:
        if self.fail is not None:
            raise self.fail
        self.calls.append(("match", user_id, text, result.outcome))

    async def record_suggestion_chosen(self, user_id: int, entry_id: str) -> None:
        self.calls.append(("suggestion_chosen", user_id, entry_id))

    async def record_feedback(self, user_id: int, entry_id: str, positive: bool, comment: str | None = None) -> None:
        self.calls.append(("feedback", user_id, entry_id, positive, *([comment] if comment is not None else [])))


_update_ids: Iterator[int] = itertools.count(1)


async def feed(app: App, data: dict[str, Any]) -> int:
    """Process one update dict like the updater would; returns its update_id."""
    data.setdefault("update_id", next(_update_ids))
    await app.process_update(Update.de_json(data, app.bot))
    return int(data["update_id"])


def keyboard(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return params["reply_markup"]["inline_keyboard"]


def callback_data(params: dict[str, Any]) -> list[str]:
    return [b["callback_data"] for row in keyboard(params) for b in row if "callback_data" in b]
