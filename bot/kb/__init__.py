"""The knowledge base: the files staff edit, loaded and checked once at start (and on /reload).

- `knowledge.py`: KnowledgeBase and its parts, one parser per YAML file, the grounding check;
- `phases.py`: texts that differ before, on and after voting day;
- `smalltalk.py`, `english.py`: the small-talk words and the English marker words of
  messages.yaml, and the detectors built from them (the knowledge base holds both);
- `staff_texts.py`: knowledge/staff.yaml, the words of the staff commands;
- `scope.py`: which election the knowledge base is about, against config.yaml.
"""
