"""Telegram front end: renders Replies and turns updates into questions.

build.py builds the Application, lifecycle.py starts and stops it, app.py runs the
process (`pilkada-bot run`), handlers.py answers chats and button presses (state.py:
what they share, send.py: how they send, guard.py: the flood gate before them),
inline.py serves inline mode, render.py turns a Reply into HTML and keyboards, and
errors.py is the error handler. network.py sends to a misbehaving Bot API, polling.py
gets updates from it, and logs.py
keeps secrets and personal data out of the logs (docs/reliability.md). Flood control is
bot/storage/flood.py: it knows nothing of Telegram, and replicas share its verdicts.
"""
