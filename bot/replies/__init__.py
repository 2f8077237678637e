"""Replies as neutral data (text, buttons) for every front end.

- `replies.py`: Reply, Button, and the ReplyBuilder that routes and words them;
- `election.py`: the countdown and dates in the election's time zone.
"""
