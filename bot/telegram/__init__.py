"""Telegram front end: renders Replies and turns updates into questions."""
