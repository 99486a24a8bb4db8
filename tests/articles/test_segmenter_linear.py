"""The segmenter's work per character is bounded, whatever the shape of its input (issue 10).

Property: for a text made of a unit repeated (runs of stops, tokens without
spaces, citation markers, emoticons, abbreviations and numbers on one long
line, ...), segmenting GROWTH times as much text costs at most MAX_RATIO times
as much CPU time. Linear work gives a ratio near GROWTH (8); work growing with
the square of the input gives GROWTH squared (64). Times are CPU times of this
process (not wall-clock time, which other processes on the machine would
inflate), the best of a few runs; the ratio, not an absolute speed, is what is
checked, so the test holds on slower or faster machines.

A segmenter needing minutes on the larger text fails fast instead: the smaller
text must take under MAX_S_PER_MB (ten times the target of bench/README.md).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from articles.segmenter import segment

SIZE = 8_000  # characters of the smaller text
GROWTH = 8
MAX_RATIO = 12
MAX_S_PER_MB = 20.0
FLOOR_S = 0.0003  # below this the smaller text's time is timer noise

# Characters the segmenter's rules look at: stops, closing and opening
# punctuation, citation brackets, emoticon parts, white space, letters, digits.
HOSTILE_CHARS = ".!?…‽\"'”’)]»›“‘([«¿[]:;=8-^_<>*DPpOxX3/\\|@,– \t\naAbBzZI15"
FRAGMENTS = [
    *".!?…",
    "...",
    ". . .",
    "[1]",
    "[12]",
    "[1].",
    "[p]",
    ":)",
    ":(",
    ";-)",
    "x.x",
    "^_^",
    " ",
    "\t",
    "a",
    "A",
    "The",
    "it",
    "Mr",
    "U.S",
    "a.m",
    "p.m",
    "Jan",
    "No",
    "e.g",
    "Inc",
    "5",
    "12",
    "At",
    "and",
    '"',
    "”",
    "“",
    "(",
    ")",
    "-",
    "•",
    "Image:",
    "Figure",
    "https://a.b/",
    "www.",
    "said",
]

units = st.one_of(
    st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=8),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map("".join),
)
prefixes = st.sampled_from(["", "A", "It was 5. ", "Fine :", "See https://example.com/", "- "])
suffixes = st.sampled_from(["", "x", " Then.", "."])


def build(prefix: str, unit: str, suffix: str, size: int) -> str:
    return prefix + unit * max(1, (size - len(prefix) - len(suffix)) // len(unit)) + suffix


def cpu_seconds(text: str, runs: int, give_up: float = float("inf")) -> float:
    """Best CPU time of ``runs`` calls; stops after one call slower than ``give_up``."""
    best = float("inf")
    for _ in range(runs):
        gc.disable()
        try:
            t0 = time.process_time()
            segment(text)
            best = min(best, time.process_time() - t0)
        finally:
            gc.enable()
        if best > give_up:
            break
    return best


def check_linear(text_of_size: Callable[[int], str], size: int = SIZE) -> None:
    small = text_of_size(size)
    large = text_of_size(size * GROWTH)
    shape = repr(small[:40]) + ("..." if len(small) > 40 else "")
    budget = MAX_S_PER_MB * len(small) / 1e6
    t_small = cpu_seconds(small, runs=5, give_up=budget)
    assert t_small <= budget, (
        f"{len(small)} characters of {shape} took {t_small:.2f} s "
        f"({t_small / len(small) * 1e6:.0f} s/MB)"
    )
    t_large = cpu_seconds(large, runs=3)
    ratio = t_large / max(t_small, FLOOR_S)
    assert ratio <= MAX_RATIO, (
        f"{GROWTH} times as much text of {shape} took {ratio:.1f} times as long "
        f"({t_small * 1000:.1f} ms for {len(small)} characters, {t_large * 1000:.1f} ms "
        f"for {len(large)})"
    )


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a timing test must not wander
    database=None,
    phases=[Phase.explicit, Phase.generate],  # shrinking would re-time slow inputs
    suppress_health_check=[HealthCheck.too_slow],
)
@given(prefix=prefixes, unit=units, suffix=suffixes)
# The shapes of issue 10, each quadratic before the segmenter's rework:
@example(prefix="", unit=".", suffix="x")
@example(prefix="", unit="!", suffix="x")
@example(prefix="", unit="…", suffix="x")
@example(prefix="", unit="aa.Bb", suffix="")
@example(prefix="", unit="a?Bb", suffix="")
@example(prefix="See https://example.com/", unit="a.Bc/", suffix="")
@example(prefix="", unit="At 5 a.m. The boat left. ", suffix="")
@example(prefix="", unit="a.\t5.\t", suffix="")
# and the others found in the rules: emoticon mouths, citation markers glued by
# dots.
@example(prefix="Fine :", unit=")", suffix="x")
@example(prefix="Fine :(", unit="[p]", suffix="x")
@example(prefix="A fact.", unit="[1].", suffix="x")
def test_work_grows_linearly_with_the_input(prefix, unit, suffix):
    check_linear(lambda size: build(prefix, unit, suffix, size))


def test_first_line_of_a_bullet_spaces_and_stops_in_linear_time():
    """The list-marker check of the first line read its long run of spaces again for
    each stop after it."""
    check_linear(lambda size: "-" + " " * (size // 2) + "a. " * (size // 6))


def test_one_long_line_of_numbers_and_stops_in_linear_time():
    """A line of sentences ending in numbers ("It was 5."): the text before each
    number was sliced from the start of the line, at C speed, so the square only
    shows on larger texts."""
    check_linear(lambda size: build("", "It was 5. The end came. ", "", size), size=32_000)
