"""Telegram front end: renders Replies and turns updates into questions.

app.py builds and runs the Application, handlers.py answers chats and button presses,
inline.py serves inline mode, render.py turns a Reply into HTML and keyboards, and
errors.py is the error handler.
"""
