"""What a message is: pure, at run time, no Telegram.

- `text.py`: normalization (slang, Javanese, English, emoji, repeats, numbers);
- `matcher.py`: rank entries and the signals the decision reads;
- `decision.py`: the learned decision, answer / suggest / none (model: decision_model.json);
- `claims.py`: the claim check, contradicted / confirmed / unverifiable;
- `evaluation.py`: accuracy and rejection per split of a labelled set;
- `training.py`: `train`, fit the decision model and choose its operating point.
"""
