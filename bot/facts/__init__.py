"""Facts and reading them in text: pure, used at load time and by the claim check.

- `facts.py`: facts bound to quotes, {fakta:id} references, every item bound to a fact;
- `statements.py`: dates, weekdays, figures, names and elections in any common format.

The atlas of regions they read names with is bot/regions.py, beside its data (bot/data/).
"""
