"""Render what a chat with the bot looks like on a phone: docs/screens/*.png.

    python tools/chat_screens.py              # HTML and PNG for every scene
    python tools/chat_screens.py --html-only  # only the HTML (no browser needed)

Every bot message is a real Reply from the shipped knowledge base (the same
ReplyBuilder the bot uses, with the outreach row the Telegram handlers add under
answers: "Bagikan ke WhatsApp" and the card button), rendered by bot/telegram/render.py
exactly as it is sent to Telegram (HTML text, inline keyboard); the user's side is what a person would type
or tap. The clock is fixed (20 November 2026, 10:00 WIB), so the countdown line says
the vote has passed, as it does today. The page mimics Telegram's light theme; the
screenshot is taken with headless Chromium from Debian (`apt-get install chromium`)
at a phone's size, with Debian's fonts-noto-color-emoji for the emoji. Not a test:
nothing in tests/ needs a browser.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.outreach.kit import Outreach  # noqa: E402
from bot.pipeline import Pipeline  # noqa: E402
from bot.replies.reply import Reply  # noqa: E402
from bot.telegram.render import render_reply  # noqa: E402

OUT = ROOT / "docs" / "screens"
BOT_NAME = "Pilkada Blora"
BOT_USERNAME = "PilkadaBloraBot"
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
WIDTH, HEIGHT, SCALE = 390, 844, 1.5  # a common phone screen, in CSS pixels
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


@dataclass
class Chat:
    """One screen: a title and the bubbles in order (HTML fragments)."""

    name: str
    title: str
    subtitle: str
    group: bool = False
    bubbles: list[str] = field(default_factory=list)
    toast: str | None = None

    def user(self, text: str, *, who: str = "Rina", quote: str | None = None, forwarded: str | None = None) -> None:
        parts = []
        if self.group:
            parts.append(f'<div class="who">{html.escape(who)}</div>')
        if forwarded:
            parts.append(f'<div class="fwd">Diteruskan dari <b>{html.escape(forwarded)}</b></div>')
        if quote:
            parts.append(f'<div class="quote"><b>{BOT_NAME}</b><br>{html.escape(quote)}</div>')
        parts.append(html.escape(text))
        self.bubbles.append(f'<div class="row me"><div class="bubble me">{"".join(parts)}</div></div>')

    def photo(self, caption: str, *, forwarded: str | None = None) -> None:
        head = f'<div class="fwd">Diteruskan dari <b>{html.escape(forwarded)}</b></div>' if forwarded else ""
        poster = '<div class="poster">🗳️<br>PILKADA<br>SERENTAK<br>2024</div>'
        self.bubbles.append(
            f'<div class="row me"><div class="bubble me photo">{head}{poster}{html.escape(caption)}</div></div>'
        )

    def bot(self, reply: Reply, *, quote: str | None = None, quoted: str = "Rina") -> None:
        rendered = render_reply(reply)
        for i, chunk in enumerate(rendered.chunks):
            head = ""
            if quote and i == 0:  # in a group the bot answers as a reply to the question
                head = f'<div class="quote"><b>{html.escape(quoted)}</b><br>{html.escape(quote)}</div>'

            keyboard = ""
            if rendered.keyboard is not None and i == len(rendered.chunks) - 1:
                rows = []
                for row in rendered.keyboard.inline_keyboard:
                    cells = "".join(f'<div class="key">{html.escape(b.text)}</div>' for b in row)
                    rows.append(f'<div class="keys">{cells}</div>')
                keyboard = "".join(rows)
            self.bubbles.append(
                f'<div class="row bot"><div class="botmsg"><div class="bubble bot">{head}{chunk}</div>'
                f"{keyboard}</div></div>"
            )

    def note(self, text: str) -> None:
        """A grey line in the middle of the chat (what the user did: a tap, silence)."""
        self.bubbles.append(f'<div class="row center"><div class="service">{html.escape(text)}</div></div>')

    def page(self) -> str:
        avatar = "👥" if self.group else "🗳️"
        toast = f'<div class="toast">{html.escape(self.toast)}</div>' if self.toast else ""
        return PAGE.format(
            title=html.escape(self.title),
            subtitle=html.escape(self.subtitle),
            avatar=avatar,
            bubbles="\n".join(self.bubbles),
            toast=toast,
            width=WIDTH,
            height=HEIGHT,
        )


PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><style>
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; width: {width}px; height: {height}px; overflow: hidden;
  font: 15px/1.35 "Noto Sans", "DejaVu Sans", "Noto Color Emoji", sans-serif; }}
body {{ display: flex; flex-direction: column; background: #c5d6b2;
  background-image: radial-gradient(rgba(255,255,255,.25) 1px, transparent 1px); background-size: 18px 18px; }}
.top {{ background: #fff; padding: 10px 12px; display: flex; align-items: center; gap: 10px;
  box-shadow: 0 1px 2px rgba(0,0,0,.15); z-index: 1; }}
.top .back {{ color: #3390ec; font-size: 22px; }}
.top .avatar {{ width: 38px; height: 38px; border-radius: 50%; background: #5eb5f7; display: flex;
  align-items: center; justify-content: center; font-size: 20px; }}
.top .name {{ font-weight: 600; }} .top .sub {{ color: #8a8a8a; font-size: 13px; }}
.chat {{ flex: 1; display: flex; flex-direction: column; justify-content: flex-end; overflow: hidden;
  padding: 8px 8px 4px; gap: 6px; }}
.row {{ display: flex; }} .row.me {{ justify-content: flex-end; }} .row.center {{ justify-content: center; }}
.bubble {{ max-width: 310px; padding: 6px 10px; border-radius: 14px; white-space: pre-wrap;
  word-wrap: break-word; box-shadow: 0 1px 1px rgba(0,0,0,.12); }}
.bubble.me {{ background: #e3fcc6; border-bottom-right-radius: 4px; }}
.bubble.bot {{ background: #fff; border-bottom-left-radius: 4px; }}
.botmsg {{ max-width: 310px; display: flex; flex-direction: column; gap: 3px; }}
.keys {{ display: flex; gap: 3px; }}
.key {{ flex: 1; background: rgba(70, 100, 60, .38); color: #fff; font-weight: 600; font-size: 14px;
  text-align: center; padding: 8px 4px; border-radius: 8px; min-width: 0;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.quote {{ border-left: 3px solid #3390ec; background: rgba(51,144,236,.08); padding: 2px 6px;
  margin-bottom: 4px; border-radius: 4px; font-size: 13px; color: #555; white-space: normal; }}
.quote b {{ color: #3390ec; }}
.who {{ color: #d4693b; font-weight: 600; font-size: 13px; }}
.fwd {{ color: #3390ec; font-size: 13px; margin-bottom: 2px; }}
.service {{ background: rgba(0,0,0,.22); color: #fff; font-size: 13px; padding: 3px 10px; border-radius: 12px; }}
.photo .poster {{ width: 200px; height: 150px; margin-bottom: 6px; border-radius: 8px; background: #b03a2e;
  color: #fff; font-weight: 700; display: flex; flex-direction: column; align-items: center;
  justify-content: center; text-align: center; line-height: 1.2; white-space: normal; }}
.input {{ background: #fff; margin: 4px 8px 10px; padding: 10px 14px; border-radius: 22px; color: #9a9a9a; }}
.toast {{ position: absolute; left: 50%; top: 45%; transform: translateX(-50%); background: rgba(0,0,0,.75);
  color: #fff; padding: 10px 16px; border-radius: 10px; font-size: 14px; max-width: 300px; text-align: center; }}
i {{ color: #666; }}
</style></head><body>
<div class="top"><span class="back">‹</span><div class="avatar">{avatar}</div>
<div><div class="name">{title}</div><div class="sub">{subtitle}</div></div></div>
<div class="chat">
{bubbles}
</div>
<div class="input">Pesan</div>
{toast}
</body></html>
"""


def scenes(pipeline: Pipeline) -> list[Chat]:
    replies = pipeline.replies
    # What handlers.question and handlers.button send: answers get the outreach row.
    kit = Outreach(replies, BOT_USERNAME, clock=lambda: NOW)
    entry = kit.decorate

    def ask(text: str, *, forwarded: bool = False) -> Reply:
        return kit.decorate(replies.for_question(text, forwarded=forwarded))

    private = {"title": BOT_NAME, "subtitle": "bot"}

    first = Chat("start", **private)
    first.note("Rina membuka bot untuk pertama kali")
    first.user("/start")
    welcome = replies.welcome()
    first.bot(welcome)

    tapped = Chat("answer", **private)
    tapped.bot(welcome)
    tapped.note(f"Rina menekan “{welcome.buttons[0][0].label}”")
    tapped.bot(entry(replies.for_entry(welcome.buttons[0][0].value)))

    talk = Chat("small-talk", **private)
    for text in ("halo", "golput itu apa", "makasih", "ok", "wkwkwk"):
        talk.user(text)
        reply = ask(text)
        if reply.text or reply.buttons:
            talk.bot(reply)
        else:
            talk.note("(“ok” tidak perlu dibalas)")

    caption = Chat("caption", **private)
    # A chain message: a poster forwarded with its caption goes through the claim check.
    hoax = "PENTING!! Pencoblosan Pilkada Blora DIUNDUR ke 4 Desember 2024. Sebarkan"
    caption.photo(hoax, forwarded="Info Warga Blora")
    caption.bot(ask(hoax, forwarded=True))

    feedback = Chat("feedback", **private)
    feedback.user("kalau golput kenapa sih?")
    answer = ask("kalau golput kenapa sih?")
    feedback.bot(answer)
    feedback.note("Rina menekan 👎")
    assert answer.entry_id is not None
    why = replies.feedback_reasons(answer.entry_id)
    assert why is not None
    feedback.bot(why)
    feedback.note("Rina menekan “✍️ Tulis sendiri”")
    prompt = replies.text("feedback_write_prompt")
    feedback.bot(Reply("info", prompt))
    feedback.user("aku tanya kalau golput ada sanksinya nggak", quote=prompt)
    feedback.bot(replies.message("feedback_noted"))

    in_group = {"title": "Relawan KPPS Cepu", "subtitle": "23 anggota", "group": True}
    group = Chat("group", **in_group)  # type: ignore[arg-type]
    group.user("Ada bot pilkada nih, coba ya", who="Pak Joko")
    group.user(f"/start@{BOT_USERNAME}", who="Pak Joko")
    group.bot(replies.group_welcome(BOT_USERNAME), quote=f"/start@{BOT_USERNAME}", quoted="Pak Joko")

    asking = Chat("group-ask", **in_group)  # type: ignore[arg-type]
    asking.user("golput itu apa sih?", who="Dewi")
    asking.note("(tidak memanggil bot: bot diam)")
    question = "golput itu apa"
    asking.user(f"@{BOT_USERNAME} {question}", who="Dewi")
    asking.bot(ask(question), quote=f"@{BOT_USERNAME} {question}", quoted="Dewi")

    english = Chat("english", **private)
    english.user("when is the voting day")
    english.bot(ask("when is the voting day"))
    return [first, tapped, talk, caption, feedback, group, asking, english]


def screenshot(browser: str, page: Path, png: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="chat-screens-") as profile:
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--force-device-scale-factor={SCALE}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html-only", action="store_true", help="write the HTML pages only")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT.relative_to(ROOT)})")
    parser.add_argument(
        "--config", type=Path, default=ROOT / "config.yaml", help="the bot to show (default: the shipped config.yaml)"
    )
    args = parser.parse_args()
    pipeline = Pipeline.load(args.config, clock=lambda: NOW)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not args.html_only and browser is None:
        print("Chromium not found: `apt-get install chromium fonts-noto-color-emoji`, or --html-only.", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chat-pages-") as tmp:
        for chat in scenes(pipeline):
            page = (Path(tmp) if not args.html_only else args.out) / f"{chat.name}.html"
            page.write_text(chat.page(), encoding="utf-8")
            if browser is not None and not args.html_only:
                png = args.out / f"{chat.name}.png"
                screenshot(browser, page, png)
                print(f"wrote {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
            else:
                print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
