"""A terminal chat on the same pipeline as the Telegram bot (no token needed)."""

from __future__ import annotations

from typing import TextIO

from bot.pipeline import Pipeline
from bot.replies.reply import Reply


def render_text(reply: Reply) -> str:
    """Plain-text rendering: the text, the source line, and numbered choices."""
    parts = [reply.text]
    if reply.source_line:
        parts.append(f"({reply.source_line})")
    choices = choice_ids(reply)
    if choices:
        labels = [b.label for row in reply.buttons for b in row if b.action == "entry"]
        parts.append("\n".join(f"  {i}. {label}" for i, label in enumerate(labels, 1)))
    return "\n".join(parts)


def choice_ids(reply: Reply) -> list[str]:
    """Entry ids behind the reply's entry buttons, in display order (for numbered choices)."""
    return [b.value for row in reply.buttons for b in row if b.action == "entry"]


def run_console(pipeline: Pipeline, stdin: TextIO, stdout: TextIO, prompt: str = "Kamu> ") -> int:
    """Chat until /keluar or end of input. Returns the exit code.

    Free text gets what Telegram gives it (Pipeline.respond: the same length limit and policy).
    """
    replies = pipeline.replies
    commands = {
        "/start": replies.welcome,
        "/help": replies.help,
        "/bantuan": replies.help,
        "/topik": replies.topics,
        "/hitungmundur": replies.countdown,
        "/sumber": replies.sources,
    }
    interactive = stdin.isatty()

    def say(reply: Reply) -> list[str]:
        if not reply.text and not reply.buttons:
            return []  # small talk that needs no answer ("ok")
        stdout.write(f"Bot> {render_text(reply)}\n")
        choices = choice_ids(reply)
        if choices:
            stdout.write(f"     {replies.text('console_choice')}\n")
        stdout.flush()
        return choices

    choices = say(replies.welcome())
    stdout.write(f"     {replies.text('console_hint')}\n")
    while True:
        if interactive:
            stdout.write(prompt)
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        command = text.split()[0].lower()
        if command in ("/keluar", "/exit", "/quit"):
            break
        if text.isdigit() and choices and 1 <= int(text) <= len(choices):
            choices = say(replies.for_entry(choices[int(text) - 1]))
        elif command in commands:
            choices = say(commands[command]())
        elif command.startswith("/"):
            choices = say(replies.message("unknown_command"))
        else:
            choices = say(pipeline.respond(text).reply)
    stdout.write(f"Bot> {replies.text('console_bye')}\n")
    stdout.flush()
    return 0
