"""The cue baseline: a transparent rule that suggests a label before a corpus has a model.

Pure Python, no Django. The cues are the ones the labeling guidelines name
(docs/architecture.md, "Suggestions"): attribution ("said", "according to", a
study found, a quotation) -> sourced fact; hedges, modals, conditionals and
forecasts -> speculation; otherwise claim. Ties follow the guidelines:
attribution beats hedging, hedging beats plain assertion. The word lists were
written from the guidelines, not tuned on any evaluation set.

Words are looked up in sets after one pass of tokenising (linear in the
sentence, no backtracking pattern). ``cue_features`` gives the same cues as
model features, so a trained model starts from what the baseline knows and
learns how far to trust each cue.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

SOURCED = "sourced_fact"
SPECULATION = "speculation"
CLAIM = "claim"
NONE = "none"

# Verbs of saying and reporting, and the words that name a source.
_SAY = frozenset(
    "said says told tells stated announced reported reports wrote writes added explained "
    "noted argued argues claimed insisted testified confirmed estimated warned acknowledged "
    "admitted revealed concluded quoted recalled spokesman spokeswoman spokesperson cited "
    "citing quoting".split()
)
# "<evidence> found / shows ...": a study, survey, data set or record as the source.
_EVIDENCE = frozenset(
    "study studies survey surveys report data figures statistics research poll polls census "
    "records analysis".split()
)
_SHOWS = frozenset("found finds show shows showed indicate indicates indicated revealed".split())
_SAY_PHRASES = frozenset({("according", "to"), ("in", "a", "statement"), ("in", "an", "interview")})
# Hedges, modals, conditionals and forecasts (the guidelines' list, in its word forms).
_HEDGE = frozenset(
    "may might could would should likely unlikely perhaps maybe possibly probably presumably "
    "apparently appear appears appeared seem seems seemed suggest suggests possible possibility "
    "if unless whether will won't shall expected predict predicts predicted forecast forecasts "
    "anticipate anticipated potentially could've would've might've".split()
)
_HEDGE_PHRASES = frozenset({("going", "to"), ("i", "think"), ("i", "believe"), ("i", "guess")})
_WORD = re.compile(r"[a-z0-9']+", re.IGNORECASE)
# A quotation: text between a pair of double quotes; no quote inside, so each is read once.
_QUOTED = re.compile(r"[\"“]([^\"“”]*)[\"”]")


@dataclass(frozen=True)
class CueSuggestion:
    label: str
    score: float
    cue: str  # the words that decided it, or why nothing did


@dataclass(frozen=True)
class Cues:
    attribution: str
    quotation: bool
    hedge: str
    words: int
    question: bool


def _phrase(words: list[str], phrases: frozenset[tuple[str, ...]]) -> str:
    starts = {phrase[0] for phrase in phrases}
    for i, word in enumerate(words):
        if word not in starts:
            continue
        for size in (2, 3):
            if tuple(words[i : i + size]) in phrases:
                return " ".join(words[i : i + size])
    return ""


def find_cues(text: str) -> Cues:
    words = [w.lower() for w in _WORD.findall(text)]
    attribution = next((w for w in words if w in _SAY), "") or _phrase(words, _SAY_PHRASES)
    if not attribution:
        for a, b in itertools.pairwise(words):
            if a in _EVIDENCE and b in _SHOWS:
                attribution = f"{a} {b}"
                break
    quotation = any(len(_WORD.findall(m.group(1))) >= 3 for m in _QUOTED.finditer(text))
    hedge = next((w for w in words if w in _HEDGE), "") or _phrase(words, _HEDGE_PHRASES)
    return Cues(attribution, quotation, hedge, len(words), text.rstrip().endswith("?"))


def cue_suggest(text: str, label_keys: frozenset[str] | set[str]) -> CueSuggestion | None:
    """The cue baseline's label for ``text`` among ``label_keys``; None if it has none to offer.

    The score is a fixed confidence per rule (a cue's match tells more than
    its absence), not a probability learned from data.
    """
    return cues_suggest(find_cues(text), label_keys)


def cues_suggest(cues: Cues, label_keys: frozenset[str] | set[str]) -> CueSuggestion | None:
    """``cue_suggest`` from cues already found (``find_cues``)."""
    if NONE in label_keys and cues.words < 3:
        return CueSuggestion(NONE, 0.5, "fewer than three words")
    if (cues.attribution or cues.quotation) and SOURCED in label_keys:
        return CueSuggestion(SOURCED, 0.7, cues.attribution or "a quotation")
    if cues.hedge and SPECULATION in label_keys:
        return CueSuggestion(SPECULATION, 0.6, cues.hedge)
    if CLAIM in label_keys:
        return CueSuggestion(CLAIM, 0.5, "no attribution or hedge")
    return None


def cue_features(text: str) -> list[str]:
    """The cues found in ``text``, as feature names for the trained model."""
    return cues_features(find_cues(text))


def cues_features(cues: Cues) -> list[str]:
    """``cue_features`` from cues already found (``find_cues``)."""
    found = []
    if cues.attribution:
        found.append("cue:attribution")
    if cues.quotation:
        found.append("cue:quotation")
    if cues.hedge:
        found.append("cue:hedge")
    found.append("cue:short" if cues.words < 3 else "cue:long" if cues.words > 30 else "cue:medium")
    if cues.question:
        found.append("cue:question")
    return found
