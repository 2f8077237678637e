"""Helpers the tests share (as python-telegram-bot's tests/auxil): fixtures go in tests/conftest.py.

- constants.py: TOKEN, USER, GROUP, ADMIN and the questions with a known outcome
- clocks.py: clocks frozen or moved by hand
- kbcopy.py: a throw-away copy of config.yaml and knowledge/ that a test may break
- pipelines.py: the pipeline with settings changed (tuned, unpaced, force_suggestions)
- offline.py: OfflineRequest (the Bot API answered in-process), FakeRecorder, feed()
- botapp.py: bot_app(), the one way to start the bot (offline or polling the fake Bot API)
- cli.py: `python -m bot run` as a subprocess (CliRun) and its environment
- fakebotapi.py, pgserver.py, nginxserver.py, replicacluster.py, webhooksender.py, connflood.py:
  the servers and clients the tests run against, on 127.0.0.1
"""
