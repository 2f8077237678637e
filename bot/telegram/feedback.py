"""👍 and 👎 under an answer, and why: after 👎 the bot asks what was wrong.

In a private chat 👎 is followed by one message: "what was wrong?" with one button per
reason (messages.yaml `feedback_reasons`) and a "write it yourself" button. A reason is
stored as the vote's comment at once; "write it" sends a prompt the user answers as a
reply (Telegram opens the reply for them: ForceReply), and that reply is the comment.
Staff read the comments in /unanswered and `pilkada-bot unanswered`.

In groups a vote is only thanked with a toast: a "what was wrong?" message there would
be noise for everyone else. A reason or "write it" press from anywhere but a private chat
(forged: the buttons are never sent there) is thanked the same way and does nothing else.

The prompts waiting for a written reason are remembered in memory only (the newest
MAX_PROMPTS); after a restart a late reply is simply treated as a question.
"""

from __future__ import annotations

import re

from telegram import CallbackQuery, ForceReply, Message, Update
from telegram.constants import ChatType

from bot.replies.reply import Reply
from bot.telegram.handlers import BotData, Context, edit_into, question, question_text, record, send_reply
from bot.telegram.render import ButtonPress, decode_callback

# The callback data this module handles: 👍 (u), 👎 (d), a reason (r0-r9), "write it" (w).
PATTERN = re.compile(r"^[udrw]\d?:")
MAX_PROMPTS = 10_000
# A comment is a sentence or two; a pasted essay is cut (and staff read it in one line).
MAX_COMMENT_LENGTH = 500


async def press(update: Update, context: Context) -> None:
    """A press on 👍, 👎, one of the reasons, or "write it yourself"."""
    query = update.callback_query
    if query is None:
        return
    data = context.bot_data
    pressed = decode_callback(query.data)
    if pressed is None or pressed.entry_id not in data.pipeline.kb.by_id:
        await query.answer(data.replies.message("expired_button").text)
        return
    user_id = query.from_user.id
    if pressed.kind == "feedback_up":
        await record(data, data.recorder.record_feedback(user_id, pressed.entry_id, True))
        await query.answer(data.replies.message("feedback_thanks").text)
    elif pressed.kind == "feedback_down":
        await record(data, data.recorder.record_feedback(user_id, pressed.entry_id, False))
        await _ask_why(query, data, pressed.entry_id)
    elif pressed.kind in ("feedback_reason", "feedback_write") and not _in_private_chat(query):
        # Only a private chat gets these buttons; a forged press elsewhere (issue 25, item 7)
        # must not post the prompt in a group or turn the bot's answer there into "noted".
        await query.answer(data.replies.message("feedback_thanks").text)
    elif pressed.kind == "feedback_reason":
        await _reason(query, data, pressed)
    elif pressed.kind == "feedback_write":
        await _prompt(query, data, pressed.entry_id)
    else:  # an entry button whose data happens to fit PATTERN cannot occur: prefixes differ
        await query.answer()


def _in_private_chat(query: CallbackQuery) -> bool:
    """Whether the pressed button is on a message in a private chat (not a group, nor an inline message)."""
    return query.message is not None and query.message.chat.type == ChatType.PRIVATE


async def _ask_why(query: CallbackQuery, data: BotData, entry_id: str) -> None:
    message = query.message
    ask = data.replies.feedback_reasons(entry_id)
    if ask is None or not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
        await query.answer(data.replies.message("feedback_thanks").text)
        return
    await query.answer()
    await send_reply(message, ask, quote=False)


async def _reason(query: CallbackQuery, data: BotData, pressed: ButtonPress) -> None:
    reasons = data.pipeline.kb.messages.feedback_reasons
    if pressed.option is None or pressed.option >= len(reasons):  # staff removed that reason since
        await query.answer(data.replies.message("expired_button").text)
        return
    comment = reasons[pressed.option]
    await record(data, data.recorder.record_feedback(query.from_user.id, pressed.entry_id, False, comment))
    await query.answer()
    if isinstance(query.message, Message):
        await edit_into(query.message, data.replies.message("feedback_noted"))


async def _prompt(query: CallbackQuery, data: BotData, entry_id: str) -> None:
    await query.answer()
    message = query.message
    if message is None:
        return
    sent = await query.get_bot().send_message(
        message.chat.id, data.text("feedback_write_prompt"), reply_markup=ForceReply(selective=True)
    )
    prompts = data.feedback_prompts
    prompts[(sent.chat_id, sent.message_id)] = entry_id
    while len(prompts) > MAX_PROMPTS:
        prompts.pop(next(iter(prompts)))  # dicts keep insertion order: the oldest goes first


async def comment(update: Update, context: Context) -> None:
    """A reply in a private chat: the reason asked for by a "write it" prompt, or else a question."""
    message = update.message
    data = context.bot_data
    replied = message.reply_to_message if message is not None else None
    text = question_text(message) if message is not None else None
    entry_id = None
    if message is not None and replied is not None:
        entry_id = data.feedback_prompts.pop((message.chat_id, replied.message_id), None)
    if message is None or text is None or entry_id is None or entry_id not in data.pipeline.kb.by_id:
        await question(update, context)
        return
    if update.effective_user is not None:
        words = " ".join(text.split())[:MAX_COMMENT_LENGTH]
        await record(data, data.recorder.record_feedback(update.effective_user.id, entry_id, False, words))
    await send_reply(message, Reply("info", data.text("feedback_noted")))
