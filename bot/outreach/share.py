"""Share to WhatsApp: the answer, its source line and the deep link back, as one wa.me link.

Most sharing between election staff happens in WhatsApp groups. `https://wa.me/?text=...`
opens WhatsApp with the text ready to send to a chosen chat: one tap on the button,
one on the chat.
"""

from __future__ import annotations

import re
from urllib.parse import quote

WHATSAPP_SHARE = "https://wa.me/?text="
# Telegram documents no maximum for a URL button's address, and WhatsApp none for wa.me
# (a WhatsApp message may hold 65,536 characters). 2,000 characters is the length that
# every browser, link handler and proxy on the way accepts (the old 2,083 of Internet
# Explorer is the usual floor), so the whole encoded link stays within it.
MAX_SHARE_URL = 2000
ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")


def compose(answer: str, source_line: str | None, footer: str | None) -> str:
    """The share text: the answer, then its source line and the footer with the link, a blank line apart."""
    return "\n\n".join(part for part in (answer.strip(), source_line, footer) if part)


def whatsapp_url(text: str) -> str:
    """The wa.me link that opens WhatsApp with `text` typed in (every reserved character encoded)."""
    return WHATSAPP_SHARE + quote(text, safe="")


def share_text(answer: str, source_line: str | None, footer: str | None, max_url: int = MAX_SHARE_URL) -> str:
    """`compose(...)`, with the answer cut at a word (and "…" added) if the link would exceed `max_url`.

    The source line and the footer are never cut: a shared answer always says where it
    comes from and how to ask the bot.
    """
    text = compose(answer, source_line, footer)
    if len(whatsapp_url(text)) <= max_url:
        return text
    cuts = [m.start() for m in _SPACE.finditer(answer.strip())]
    low, high, best = 0, len(cuts) - 1, ""
    while low <= high:  # the longest prefix, ending before a space, that still fits
        mid = (low + high) // 2
        candidate = compose(answer[: cuts[mid]].rstrip(" ,.;:") + ELLIPSIS, source_line, footer)
        if len(whatsapp_url(candidate)) <= max_url:
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    return best or compose(ELLIPSIS, source_line, footer)
