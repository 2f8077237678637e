"""The knowledge base: the files staff edit, loaded and checked once at start (and on /reload).

- `knowledge.py`: KnowledgeBase and `KnowledgeBase.load`, which runs the loaders below;
- `model.py`: the parts (Source, Entry, Lexicon, Topic, Messages);
- `sources.py`, `entries.py`, `lexicon.py`, `messages.py`: one loader per YAML file;
- `grounding.py`: render {fakta:} and {link:} in a text and check it against the facts;
- `phases.py`: texts that differ before, on and after voting day;
- `smalltalk.py`, `english.py`: the small-talk words and the English marker words of
  messages.yaml, and the detectors built from them (the knowledge base holds both);
- `staff_texts.py`: knowledge/staff.yaml, the words of the staff commands;
- `scope.py`: which election the knowledge base is about, against config.yaml.
"""
