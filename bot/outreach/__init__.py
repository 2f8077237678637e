"""Outreach kit: deep links, WhatsApp share texts, answer cards and posters.

Pure: no Telegram imports. The Telegram layer and the CLI call `Outreach` (kit.py);
the modules below it each do one job (links, share, card, poster; typeset and qr draw).
"""
