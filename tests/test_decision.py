"""bot/nlu/decision.py and bot/nlu/training.py: the learned decision of when to answer (issue #21)."""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.nlu.decision import DEFAULT_MODEL, FEATURES, DecisionModel, fit, word_rates
from bot.nlu.evaluation import EvalItem
from bot.nlu.matcher import Matcher, _is_figure
from bot.nlu.training import choose_point, choose_point_over, examples, train
from bot.pipeline import Pipeline
from tests.support.kbcopy import KbCopy

ROWS = [
    ("kapan nyoblos", "jadwal_pencoblosan"),
    ("tanggal berapa pilkada blora", "jadwal_pencoblosan"),
    ("apa itu golput", "apa_itu_golput"),
    ("golput artinya apa", "apa_itu_golput"),
    ("kenapa harus memilih", "kenapa_memilih"),
    ("siapa ketua kpu blora", "ketua_kpu_blora"),
    ("partisipasi pilkada 2020 berapa", "partisipasi_pilkada_2020"),
    ("target partisipasi pilkada", "target_partisipasi"),
    ("resep nasi goreng", "none"),
    ("ketua bawaslu blora siapa", "none"),
    ("harga cabai hari ini", "none"),
    ("jadwal kereta ke semarang", "none"),
]

# Two questions the matcher ranks right, and one it answers with a wrong entry.
TWO_RIGHT_ONE_WRONG = [
    EvalItem("kapan nyoblos pilkada blora", "jadwal_pencoblosan", (), "train"),
    EvalItem("apa itu golput", "apa_itu_golput", (), "train"),
    EvalItem("ketua bawaslu blora siapa", None, (), "train"),
]


def test_fit_recovers_a_known_logistic_relation() -> None:
    rng = random.Random(3)
    rows, labels = [], []
    for _ in range(2000):
        a, b = rng.gauss(0, 1), rng.gauss(0, 1)
        p = 1 / (1 + math.exp(-(2.0 * a - 1.0 * b + 0.5)))
        rows.append({"a": a, "b": b})
        labels.append(int(rng.random() < p))
    weights, bias, means, scales = fit(rows, labels, ("a", "b"), l2=0.1)
    # Weights are for standardized features: undo the scaling to compare with the truth.
    assert weights[0] / scales[0] == pytest.approx(2.0, abs=0.25)
    assert weights[1] / scales[1] == pytest.approx(-1.0, abs=0.2)
    assert bias - sum(w * m / s for w, m, s in zip(weights, means, scales, strict=True)) == pytest.approx(0.5, abs=0.2)


def test_the_shipped_model_loads_and_names_only_known_signals() -> None:
    model = DecisionModel.load(DEFAULT_MODEL)
    assert set(model.features) <= set(FEATURES)
    assert 0 < model.suggest_at <= model.answer_at < 1
    assert "train" in model.trained_on


def test_a_broken_model_file_is_reported_with_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "model.json"
    bad.write_text(json.dumps({"features": ["score", "colour"], "weights": [1, 2]}), encoding="utf-8")
    with pytest.raises(ValueError, match=str(bad)):
        DecisionModel.load(bad)


def test_the_operating_point_weighs_a_wrong_answer_against_right_ones(pipeline: Pipeline) -> None:
    data = examples(pipeline.matcher, TWO_RIGHT_ONE_WRONG)
    assert [d.right for d in data] == [1, 1, 0]
    # The wrong one is the most confident: answering it costs more than the two right ones gain.
    point = choose_point(data, [0.8, 0.7, 0.9], wrong_cost=20)
    assert point.answered_wrong == 0 and point.answer_at == 1.0
    # Ranked below both right ones, it is left out: answer halfway between the last right one and it.
    point = choose_point(data, [0.8, 0.7, 0.6], wrong_cost=20)
    assert (round(point.answer_at, 6), point.answered_right, point.answered_wrong) == (0.65, 2, 0)


def test_a_question_that_asks_for_a_detail_the_answer_lacks_is_marked(pipeline: Pipeline) -> None:
    matcher = pipeline.matcher
    # "kapan" asks for a date; the golput definition holds none.
    ranking = matcher.rank("arti golput itu apa dan kapan")
    assert ranking.candidates[0].entry_id == "apa_itu_golput"
    signals = matcher.signals(ranking)
    assert signals["asks_detail"] == 1.0 and signals["asks_missing"] == 1.0
    signals = matcher.signals(matcher.rank("berapa persen partisipasi pilkada 2020"))
    assert signals["asks_detail"] == 1.0 and signals["asks_missing"] == 0.0


def test_a_count_does_not_answer_berapa_persen(pipeline: Pipeline) -> None:
    """The invalid ballots of 2019 are a count: "berapa persen" asks what that entry does not hold."""
    matcher = pipeline.matcher
    assert "figure" in matcher.holds("suara_tidak_sah_2019") and "percent" not in matcher.holds("suara_tidak_sah_2019")
    assert matcher.holds("partisipasi_pilkada_2020") == {"figure", "percent"}
    ranking = matcher.rank("suara tidak sah pemilu 2019 di blora itu berapa persen dari semua suara?")
    assert ranking.candidates[0].entry_id == "suara_tidak_sah_2019"
    assert matcher.signals(ranking)["asks_missing"] == 1.0
    assert matcher.match("suara tidak sah pemilu 2019 di blora itu berapa persen dari semua suara?").outcome != "answer"
    assert matcher.signals(matcher.rank("suara tidak sah pemilu 2019 berapa"))["asks_missing"] == 0.0
    # Asking a figure and a percent of an entry that holds only the count still asks what it lacks.
    both = matcher.rank("persentase suara tidak sah 2019 brp")
    assert matcher.asked(set(both.normalized.split())) >= {"percent"}
    assert matcher.signals(both)["asks_missing"] == 1.0


def test_a_longer_ask_phrase_says_what_is_asked(pipeline: Pipeline) -> None:
    # "berapa" asks a figure, but "berapa lama sejak" asks how long ago: a date answers it.
    matcher = pipeline.matcher
    words = set(matcher.query_tokens("udah berapa lama sejak pilkada blora"))
    assert matcher.asked(words) == {"date"}
    assert matcher.asked(set(matcher.query_tokens("berapa persen partisipasi"))) == {"percent"}
    assert matcher.asked(set(matcher.query_tokens("kapan dan berapa persen"))) == {"date", "percent"}
    assert matcher.asked(set(matcher.query_tokens("berapa jumlah surat suara"))) == {"figure"}
    result = matcher.match("udah berapa lama sejak pilkada blora")
    assert (result.outcome, result.entry_id) == ("answer", "jadwal_pencoblosan")


def test_the_lead_over_runners_up_that_hold_what_is_asked(pipeline: Pipeline) -> None:
    # Asked "where", a runner-up that holds no place is no rival: the lead counts from the first that does.
    matcher = pipeline.matcher
    ranking = matcher.rank("raker kpu blora bulan juli diadain dmn")
    signals = matcher.signals(ranking)
    placeless = [c for c in ranking.candidates[1:] if "place" not in matcher.holds(c.entry_id)]
    assert placeless and signals["fit_margin"] > signals["margin"]


def test_small_numbers_are_words_not_figures(pipeline: Pipeline) -> None:
    # "1 suara" is one vote, not a figure no entry states: it must not sink the ranking.
    matcher = pipeline.matcher
    assert matcher.signals(matcher.rank("emang 1 suara bisa ngubah apa"))["number_missing"] == 0.0
    assert [_is_figure(t) for t in ("1", "18", "27", "2019", "83", "77,6", "26238")] == [False] * 3 + [True] * 4


def test_the_preamble_does_not_decide(pipeline: Pipeline) -> None:
    text = "Izin, saya anggota KPPS baru, mau memastikan kapan hari pemungutan suara pilkada blora?"
    ranking = pipeline.matcher.rank(text)
    assert ranking.candidates[0].entry_id == "jadwal_pencoblosan"
    closing = "Selamat malam, berapa persen partisipasi pemilih Blora pada pilkada 2020? Terima kasih"
    assert pipeline.matcher.rank(closing).candidates[0].entry_id == "partisipasi_pilkada_2020"


def test_train_command_writes_a_model_the_bot_then_uses(
    tmp_path: Path, kb_root: Path, capsys: pytest.CaptureFixture[str], pipeline: Pipeline
) -> None:
    questions = tmp_path / "mine.yaml"
    questions.write_text(
        "questions:\n" + "".join(f'  - {{q: "{q}", expect: {e}, split: mine}}\n' for q, e in ROWS * 2),
        encoding="utf-8",
    )
    out = tmp_path / "model.json"
    code = main(["--config", str(kb_root / "config.yaml"), "train", str(questions), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "answered right" in capsys.readouterr().out
    model = DecisionModel.load(out)
    matcher = Matcher.for_knowledge(pipeline.kb, pipeline.config.matching, model=model)
    assert matcher.match("kapan nyoblos pilkada").outcome in ("answer", "suggest")
    assert matcher.match("resep rendang padang").outcome == "none"


def test_train_refuses_too_few_questions(tmp_path: Path, kb_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = tmp_path / "few.yaml"
    questions.write_text('questions:\n  - {q: "kapan nyoblos", expect: jadwal_pencoblosan, split: x}\n')
    code = main(["--config", str(kb_root / "config.yaml"), "train", str(questions), "--out", str(tmp_path / "m.json")])
    assert code == 1
    assert str(questions) in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


def test_training_is_pure_python(pipeline: Pipeline) -> None:
    """The model is trained and read with no third-party package: staff can retrain where the bot runs."""
    import bot.nlu.decision
    import bot.nlu.training

    for module in (bot.nlu.decision, bot.nlu.training):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
        assert all(line.split()[1].split(".")[0] in {"__future__", "bot", *sys.stdlib_module_names} for line in imports)
    items = [EvalItem(q, None if e == "none" else e, (), "x") for q, e in ROWS]
    model, point = train(pipeline.matcher, items * 2)
    assert 0 < point.total <= 2 * len(ROWS) and model.features == FEATURES  # no ranking: never answered


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("golput", "apa_itu_golput"),  # not "jangan golput", which uses the word most
        ("golput?", "apa_itu_golput"),
        ("pilkada", "apa_itu_pilkada"),
        ("golput boleh?", "jangan_golput"),  # more than the term: the ranking decides
    ],
)
def test_a_term_alone_gets_the_entry_that_defines_it(pipeline: Pipeline, text: str, entry: str) -> None:
    result = pipeline.matcher.match(text)
    assert (result.outcome, result.entry_id) == ("answer", entry)


def test_a_term_two_entries_define_is_left_to_the_ranking(kb_copy: KbCopy) -> None:
    """ "golput" defined by two entries says nothing about which one a bare "golput" means."""
    kb_copy.replace(
        "knowledge/entries.yaml",
        "    questions:\n",
        "    questions:\n      - arti golput\n",
        after="id: jangan_golput\n",
    )
    matcher = Pipeline.load(kb_copy.config_path).matcher
    assert matcher.match("golput").entry_id != "apa_itu_golput"
    assert matcher.match("pilkada").entry_id == "apa_itu_pilkada"  # still defined by one entry


def test_word_rates_smooth_each_word_and_rare_words_share_one_prior() -> None:
    missing = [("persen",), ("persen",), ("persen", "nyuwun"), ("nyuwun",), ("nyuwun",), ("bioskop",), ()]
    labels = [0, 0, 0, 1, 1, 0, 1]
    rates, prior = word_rates(missing, labels, smoothing=1.0, least=2)
    overall = 3 / 7
    assert rates["persen"] == pytest.approx((0 + overall) / (3 + 1))
    assert rates["nyuwun"] == pytest.approx((2 + overall) / (3 + 1))
    assert "bioskop" not in rates  # seen once: it keeps the prior of rare words
    assert prior == pytest.approx((0 + overall) / (1 + 1))


def test_the_worst_missing_word_sets_the_rate_and_the_file_keeps_the_table(tmp_path: Path) -> None:
    model = DecisionModel.load(DEFAULT_MODEL)
    assert "missing_rate" in model.features and model.word_rates
    assert model.missing_rate(()) == 1.0
    assert model.missing_rate(("persen", "nyuwun")) == min(model.word_rates["persen"], model.word_rates["nyuwun"])
    assert model.missing_rate(("kata-yang-tak-pernah-ada",)) == model.word_prior
    # A question lacking a word that asks what the entry lacks ("persen") is less sure than the same signals without it.
    signals = {f: 0.5 for f in FEATURES}
    assert model.probability(signals, ("persen",)) < model.probability(signals, ())
    copy = tmp_path / "model.json"
    copy.write_text(model.to_json(), encoding="utf-8")
    assert DecisionModel.load(copy).word_rates == pytest.approx(model.word_rates, abs=1e-3)
    broken = json.loads(model.to_json())
    broken["word_rates"]["persen"] = 1.5
    copy.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ValueError, match="between 0 and 1"):
        DecisionModel.load(copy)


def test_the_point_is_where_the_gain_averaged_over_draws_peaks(pipeline: Pipeline) -> None:
    data = examples(pipeline.matcher, TWO_RIGHT_ONE_WRONG)
    assert [e.right for e in data] == [1, 1, 0] and data[2].states
    one = [0.9, 0.8, 0.7]
    assert choose_point_over(data, [one, one]) == choose_point(data, one)
    # One draw ranks the wrong answer above a right one: answering down to 0.8 gains 1.5 right and costs half a
    # wrong one on average, so only the surest question is answered (halfway to the next probability down).
    point = choose_point_over(data, [[0.9, 0.8, 0.7], [0.9, 0.7, 0.8]], wrong_cost=10)
    assert point.answer_at == pytest.approx(0.85) and (point.answered_right, point.answered_wrong) == (1, 0)
    assert choose_point_over(data, [[0.9, 0.8, 0.7], [0.9, 0.7, 0.8]], wrong_cost=0.5).answer_at == pytest.approx(
        0.35
    )  # cheap: all


def test_a_word_only_a_known_unknown_knows_keeps_a_factual_answer_away(pipeline: Pipeline) -> None:
    """Post-vote: "the commissioner in office NOW" is not answered with 2024's commissioners."""
    result = pipeline.matcher.match("Siapa komisioner Divisi Teknis KPU Blora yang menjabat saat ini?")
    assert result.outcome != "answer"
    assert pipeline.matcher.match("siapa komisioner divisi teknis kpu blora").entry_id == "anggota_kpu_blora"
