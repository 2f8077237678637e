"""pilkada-bot: a voter-education chatbot for a regional election (Pilkada)."""

__version__ = "0.1.0"
