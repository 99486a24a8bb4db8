"""The cue baseline and the numpy model: rules from the guidelines, learning, scores."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suggestions import learning
from suggestions.cues import cue_suggest

KEYS = {"claim", "speculation", "sourced_fact"}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Officials confirmed the meetings on Friday, according to Reuters.", "sourced_fact"),
        ("The minister said the budget was balanced.", "sourced_fact"),
        ("He called it “a betrayal of every voter in the country”.", "sourced_fact"),
        ("A 2019 study found that trams cut traffic.", "sourced_fact"),
        ("The talks may collapse within weeks.", "speculation"),
        ("If the bank raises rates, house prices will fall.", "speculation"),
        ("Perhaps the council knew all along.", "speculation"),
        ("Washington must act now.", "claim"),
        ("The war began in 2023.", "claim"),
    ],
)
def test_the_cue_baseline_follows_the_guidelines(text, label):
    assert cue_suggest(text, KEYS).label == label


def test_attribution_beats_hedging_and_the_cue_says_why():
    found = cue_suggest("The ministry said prices may rise.", KEYS)
    assert (found.label, found.cue) == ("sourced_fact", "said")


def test_the_cue_baseline_suggests_only_labels_the_corpus_has():
    assert cue_suggest("The talks may collapse.", {"claim"}).label == "claim"
    assert cue_suggest("The talks may collapse.", {"other"}) is None
    assert cue_suggest("Hello", {"claim", "none"}).label == "none"
    assert cue_suggest("Hello", {"claim"}).label == "claim"


def test_an_unclosed_quote_is_read_in_linear_time():
    import time

    text = "“" + "word " * 200_000
    started = time.perf_counter()
    cue_suggest(text, KEYS)
    assert time.perf_counter() - started < 5


def _vectorize_row_by_row(texts: list[str]) -> learning.Sparse:
    """The model's features as defined: each row its sentence's distinct feature buckets in
    increasing order, each 1/sqrt(how many), and the cue baseline's label."""
    indptr, indices, values, cues = [0], [], [], []
    for text in texts:
        cue = cue_suggest(text, learning.CUE_KEYS)
        cues.append(cue.label if cue else "")
        ids = sorted(
            {zlib.crc32(name.encode()) % learning.HASH_BUCKETS for name in learning.features(text)}
        )
        indices.extend(ids)
        values.extend([1.0 / np.sqrt(len(ids))] * len(ids))
        indptr.append(len(indices))
    return learning.Sparse(
        np.array(indptr, dtype=np.int64),
        np.array(indices, dtype=np.int64),
        np.array(values, dtype=np.float64),
        np.array(cues, dtype=str),
    )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.lists(
                st.sampled_from(["said", "may", "A", "study", "found", "“x y z”", "?", "a", "a"]),
                max_size=12,
            ).map(" ".join),
        ),
        max_size=12,
    )
)
def test_sentences_are_vectorized_as_the_features_define_them(texts):
    """Batch hashing (one sort for all rows) gives each row exactly its own buckets."""
    expected = _vectorize_row_by_row(texts)
    got = learning.vectorize(texts)
    for field in ("indptr", "indices", "values", "cues"):
        want, have = getattr(expected, field), getattr(got, field)
        assert have.dtype == want.dtype, field
        assert np.array_equal(have, want), field


def _toy(n_per_label: int = 20):
    texts, targets = [], []
    for i in range(n_per_label):
        texts.append(f"Alpha beta topic{i} gamma.")
        targets.append("a")
        texts.append(f"Delta epsilon topic{i} zeta.")
        targets.append("b")
    return texts, targets


def test_the_model_learns_words_that_tell_labels_apart_and_round_trips():
    texts, targets = _toy()
    model = learning.train(texts, targets, ["a", "b", "c"])
    predicted, confidence = model.predict(["Alpha beta something new.", "Epsilon zeta again."])
    assert predicted == ["a", "b"]
    assert (confidence > 0.5).all()
    again = learning.Model.loads(model.dumps())
    assert again.labels == ["a", "b", "c"]
    assert again.predict(["Alpha beta something new."])[0] == ["a"]


def test_unknown_words_alone_give_the_prior_not_an_error():
    model = learning.train(*_toy(), ["a", "b"])
    predicted, confidence = model.predict(["Qwerty uiop."])
    assert len(predicted) == 1
    assert 0.0 < confidence[0] <= 1.0


def test_folds_keep_each_document_whole():
    groups = [1, 1, 1, 2, 2, 3, 4, 4, 5, 6]
    fold = learning.group_folds(groups, 3)
    for g in set(groups):
        assert len({int(fold[i]) for i, x in enumerate(groups) if x == g}) == 1
    assert len(set(fold.tolist())) == 3
    # One document: items are dealt round-robin instead.
    assert len(set(learning.group_folds([7] * 10, 5).tolist())) == 5


def test_cross_validation_predicts_every_item_without_having_seen_it():
    texts, targets = _toy(10)
    groups = [i // 4 for i in range(len(texts))]
    cv = learning.cross_validate(texts, targets, ["a", "b"], groups)
    assert all(cv.predicted)
    assert cv.report["macro_f1"] == 1.0
    assert cv.report["per_label"]["a"]["support"] == 10
    assert np.all((cv.confidence > 0) & (cv.confidence <= 1))


def test_cross_validation_calls_between_before_each_fold_and_changes_nothing():
    """A background training steps aside there: once before each fold's fit, the
    predictions the same as without it."""
    texts, targets = _toy(10)
    groups = [i // 4 for i in range(len(texts))]
    calls: list[int] = []
    cv = learning.cross_validate(
        texts, targets, ["a", "b"], groups, folds=3, between=lambda: calls.append(1)
    )
    plain = learning.cross_validate(texts, targets, ["a", "b"], groups, folds=3)
    assert len(calls) == len(set(learning.group_folds(groups, 3).tolist())) == 3
    assert cv.predicted == plain.predicted
    assert np.array_equal(cv.confidence, plain.confidence)


def test_scores_report_matches_hand_counts():
    truth = ["a", "a", "b", "b", "c"]
    predicted = ["a", "b", "b", "b", "a"]
    report = learning.scores_report(truth, predicted, ["a", "b", "c", "d"])
    # a: tp 1, fp 1, fn 1 -> p 0.5 r 0.5; b: tp 2 fp 1 fn 0 -> p 2/3, r 1, f1 0.8; c: 0.
    assert report["per_label"]["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["per_label"]["b"]["f1"] == 0.8
    assert report["per_label"]["c"]["f1"] == 0.0
    # d never occurs: not in the macro average.
    assert report["macro_f1"] == round((0.5 + 0.8 + 0.0) / 3, 4)
    assert report["accuracy"] == 0.6
