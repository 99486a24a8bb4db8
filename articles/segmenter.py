"""Rule-based sentence segmenter for opinion pieces and news text.

Pure Python, no Django import: this module must import on its own.

The text is split into paragraphs at every newline (a newline is always a hard
boundary). Each paragraph is either a *heading* (title, section heading, byline,
dateline: a short line without final sentence punctuation), which is one
segment, or prose, which is split into sentences by rules:

* a candidate boundary is a run of terminal punctuation (``.``, ``!``, ``?``,
  ``…``, spaced ellipses ``. . .``) followed by closing quotes/brackets and
  citation markers (``[12]``), then white space;
* whether a candidate splits depends on the token before the punctuation (plain
  word, known abbreviation, title, initial, dotted acronym, number) and on the
  token after it (capitalised, lower case, digit, common sentence opener).

Offsets are character offsets into the original text, end exclusive, trimmed of
white space.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["SEGMENTER_VERSION", "Segment", "segment", "spans"]

SEGMENTER_VERSION = "1.0"


class Segment(NamedTuple):
    start: int
    end: int
    paragraph: int
    kind: str  # "sentence" or "heading"


# --------------------------------------------------------------------------
# Word lists (general knowledge of English abbreviations, not corpus-derived)
# --------------------------------------------------------------------------

# Titles and name prefixes: a period after them never ends a sentence when a
# capitalised word or a number follows.
_TITLES = frozenset(
    """
    mr mrs ms messrs mmes mme mlle dr prof gen lt col maj capt cpt sgt cmdr cmdt
    adm brig cpl pvt gov sen sens rep reps pres rev hon fr supt insp det atty amb
    st mt ft rt sra srta
    """.split()
)

# Never end a sentence (Latin and reference abbreviations).
_NEVER_FINAL = frozenset(
    """
    e.g eg i.e ie vs v viz cf approx ca
    """.split()
)

# Abbreviations that precede numbers: no split before a digit.
_NUMERIC_PREFIX = frozenset(
    """
    no nos n° nr p pp vol vols fig figs eq eqs ch chap sec secs art arts para
    ref refs op col cols tel ext ver pt pts ed eds c ca approx est ex
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    """.split()
)

# Month and weekday abbreviations (they end sentences before capitalised words).
_MONTHS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
_DAYS = frozenset("mon tue tues wed thu thur thurs fri sat sun".split())

# Other common abbreviations: a period after them ends a sentence only before a
# common sentence opener ("Inc. The ...", not "Inc. Chief Executive ...").
_ABBREVIATIONS = frozenset(
    """
    inc corp co ltd llc plc bros jr sr esq assn assoc dept univ intl natl govt
    ave blvd rd hwy sq ln pl mts
    al etc misc min max mins hrs hr sec secs yr yrs mo mos wk wks
    mln bln bn tr tsp tbsp oz lb lbs ft in mi km kg sq cm mm pct
    dist div est ref refs ed eds trans rev repr vol vols no nos
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich
    minn miss mo mont neb nebr nev okla ore pa penn tenn tex va vt wash wis wisc wyo
    """.split()
)

# Words that commonly open a sentence. After an ambiguous abbreviation
# ("U.S.", "Inc.", "p.m.", an initial) a split happens only before one of these.
_OPENERS = frozenset(
    """
    a an the this that these those it its he she they we i you his her their our
    my your there here but and or so yet if when whenever while after before on
    in at as for by with from to of since although though however meanwhile
    still also now then today yesterday tomorrow last next what who whom whose
    why how where which is are was were do does did can could will would should
    shall may might must has have had not no some many most all both each every
    one two three another other such even only just please thanks thank let
    mr mrs ms dr once instead besides furthermore moreover indeed thus hence
    therefore nevertheless nonetheless otherwise overall finally first second
    third earlier later until unless because during under over about among
    against despite without within according asked said but nor yes
    """.split()
)

_CLOSERS = "\"'”’)]»›"
_OPENERS_PUNCT = "\"'“‘([«‹¿¡"
_DASHES = "-–—‒―"
_BULLETS = "•⁃▪‣◦●○■□◆◇➢➤►▶-*"

# A run of terminal punctuation, closing quotes/brackets and citation markers,
# followed by white space (or the end of the paragraph).
_CANDIDATE = re.compile(
    r"""
    (?P<term>
        (?:\.[ ]){2,}\.          # spaced ellipsis ". . ." or ". . . ."
      | [.!?…‽]+                 # ".", "...", "?!", "…"
    )
    (?P<close>[\"'”’)\]»›]*(?:[ ]?\[(?:\d+(?:[,–-][ ]?\d+)*|[a-z]|citation[ ]needed)\])*)
    (?=\s|$)
    """,
    re.VERBOSE,
)

_WS = re.compile(r"\S+")
_ACRONYM = re.compile(r"^(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}$")
_LIST_MARKER = re.compile(
    r"^(?:[•⁃▪‣◦●○■□◆◇➢➤►▶*-]\s*)?(?:\(?(\d{1,3}|[A-Za-z]|[ivxIVX]{1,4})(\.\)|\.|\)))\s"
)
_BULLET_INLINE = re.compile(r"(?<=\s)[•⁃▪‣◦●■◆➢➤►▶](?=\s?\S)")
_SENT_END = re.compile(r"[.!?…‽][\"'”’)\]»›]*(?:\[\d+\])*$")


def _prev_token(line: str, pos: int) -> str:
    """The token ending just before ``pos`` (the terminal punctuation)."""
    i = pos
    while i > 0 and not line[i - 1].isspace():
        i -= 1
    tok = line[i:pos]
    return tok.lstrip(_OPENERS_PUNCT)


def _next_token(line: str, pos: int) -> str:
    """The next token after white space from ``pos``, without opening punctuation."""
    n = len(line)
    i = pos
    while i < n and line[i].isspace():
        i += 1
    j = i
    while j < n and not line[j].isspace():
        j += 1
    return line[i:j]


def _starts_upper(tok: str) -> bool:
    for ch in tok:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit():
            return False
        if ch not in _OPENERS_PUNCT:
            return False
    return False


def _word(tok: str) -> str:
    """Opening punctuation stripped, alphanumeric prefix lower-cased."""
    t = tok.lstrip(_OPENERS_PUNCT)
    m = re.match(r"[^\W\d_]+", t)
    return m.group(0).lower() if m else ""


def _is_opener(tok: str) -> bool:
    return _word(tok) in _OPENERS


def _decide_period(line: str, start: int, nxt: str, n_dots: int) -> bool:
    """Whether a single period at ``line[start]`` followed by ``nxt`` ends a sentence."""
    prev = _prev_token(line, start)
    low = prev.lower()
    first = nxt[0]
    nxt_stripped = nxt.lstrip(_OPENERS_PUNCT) or nxt
    f2 = nxt_stripped[0]

    if first in _DASHES:
        return False
    if not prev:
        return False

    upper = _starts_upper(nxt)
    lower = f2.islower()
    digit = f2.isdigit()

    # Dotted acronyms and abbreviations: "U.S.", "a.m.", "e.g.", "Ph.D."
    if "." in prev:
        core = low
        if core in _NEVER_FINAL:
            return False
        if _ACRONYM.match(prev):
            if lower:
                return False
            if core in ("a.m", "p.m") and upper:
                # "At 5 a.m. Mr. Smith went" vs "at 6 p.m. Mr. Smith then went"
                return not _short_intro(line, start)
            return upper and _is_opener(nxt)
        # URLs, e-mail addresses, numbers like 1026.253.553: ordinary word.
    if low in _NEVER_FINAL:
        return False
    alpha = prev.rstrip(_CLOSERS)
    low_alpha = alpha.lower()
    if low_alpha in _TITLES and (upper or digit):
        return False
    if digit and low_alpha in _NUMERIC_PREFIX:
        return False
    if len(alpha) == 1 and alpha.isalpha():
        # An initial ("Jonas E. Smith") or a single letter ("p. 55").
        if lower or digit:
            return False
        return _is_opener(nxt)
    if low_alpha in _MONTHS or low_alpha in _DAYS:
        if lower:
            return False
        if low_alpha in _DAYS and _word(nxt) in _MONTHS:
            return False
        return upper
    if low_alpha in _ABBREVIATIONS and alpha[:1].isalpha():
        if lower or digit:
            return False
        if low_alpha == "etc":
            return upper
        return upper and _is_opener(nxt)
    if lower:
        return True
    return True


_INTRO_PREPS = frozenset("at by until till before after from since around about".split())


def _short_intro(line: str, pos: int) -> bool:
    """True if the sentence so far is a short prepositional opener ("At 5 a.m.")."""
    words = line[:pos].split()
    # words since the last sentence start: approximate with the last 4 tokens
    tail = words[-4:]
    if not tail:
        return False
    for k in range(len(tail)):
        w = tail[k]
        if w.strip(_OPENERS_PUNCT).lower() in _INTRO_PREPS and w[:1].isupper():
            before = words[: len(words) - len(tail) + k]
            if not before or _SENT_END.search(before[-1]):
                return True
    return False


def _split_points(line: str) -> list[int]:
    """Offsets within ``line`` where a new sentence starts (after white space)."""
    points: list[int] = []
    n = len(line)
    for m in _CANDIDATE.finditer(line):
        end = m.end()
        if end >= n:
            break
        term = m.group("term")
        close = m.group("close")
        nxt = _next_token(line, end)
        if not nxt:
            continue
        ts = m.start("term")
        nxt_stripped = nxt.lstrip(_OPENERS_PUNCT) or nxt
        f = nxt_stripped[0]
        upper = _starts_upper(nxt)
        lower = f.islower()
        split = False
        if " " in term:
            ndots = term.count(".")
            attached = ts > 0 and not line[ts - 1].isspace()
            if ndots >= 4 and upper:
                if attached:
                    # "compounds. . . . The": the first period ends the sentence,
                    # the ellipsis opens the next one.
                    points.append(ts + 2)
                    continue
                split = True
        elif "?" in term or "!" in term or "‽" in term:
            if nxt[0] in _DASHES:
                split = False
            elif lower:
                # '"Really?" he asked' / 'Yahoo! in' stay together
                prev = _prev_token(line, ts)
                split = not close and "!" not in term and not prev[:1].isupper()
            else:
                split = True
        elif "…" in term or len(term) >= 2:
            # unspaced ellipsis ("...", "....", "…") or ".."
            split = upper and len(term) != 2 or (len(term) >= 4 and upper)
        else:
            if close and close[0] in ")]" and not close.startswith("]") and lower:
                split = False
            else:
                split = _decide_period(line, ts, nxt, 1)
                if split and close and lower:
                    split = False
        if split:
            i = end
            while i < n and line[i].isspace():
                i += 1
            points.append(i)
    return points


def _list_points(line: str) -> list[int]:
    """Split before inline list markers continuing a list that opens the line."""
    m = _LIST_MARKER.match(line)
    if not m:
        return []
    label, punct = m.group(1), m.group(2)
    points: list[int] = []
    if label.isdigit():
        k = int(label)
        seq = [str(k + i) for i in range(1, 30)]
    elif len(label) == 1 and label.isalpha():
        seq = [chr(ord(label) + i) for i in range(1, 26) if chr(ord(label) + i).isalpha()]
    else:
        return []
    pos = m.end()
    for nxt in seq:
        pat = re.compile(r"(?<=\s)(?:[•⁃▪‣◦●■◆➢➤►▶*-]\s*)?" + re.escape(nxt + punct) + r"\s")
        mm = pat.search(line, pos)
        if not mm:
            break
        points.append(mm.start())
        pos = mm.end()
    return points


def _is_heading(line: str, n_sentences: int) -> bool:
    """Structural lines needing no label: titles, headings, bylines, datelines."""
    if _SENT_END.search(line):
        return False
    if line.endswith((":", ";", ",")):
        return False
    words = line.split()
    if len(words) > 25:
        return False
    if n_sentences == 1:
        return True
    # several sentence-like parts but no final punctuation: a headline with a tag
    # ("Why? – Analysis") or a title-cased line
    caps = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return caps >= 0.8 * len(words)


def _segment_line(line: str) -> tuple[list[tuple[int, int]], bool]:
    points = _split_points(line)
    if line[:1].isalnum() or line[:1] in _BULLETS:
        lp = _list_points(line)
        if lp:
            points = sorted(set(points) | set(lp))
    for m in _BULLET_INLINE.finditer(line):
        points.append(m.start())
    if points:
        points = sorted(set(points))
    bounds = [0, *points, len(line)]
    pieces = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        seg = line[a:b]
        s = a + (len(seg) - len(seg.lstrip()))
        e = b - (len(seg) - len(seg.rstrip()))
        if e > s:
            pieces.append((s, e))
    heading = _is_heading(line, len(pieces))
    if heading:
        return [(0, len(line))], True
    return pieces, False


def segment(text: str) -> list[Segment]:
    """Split ``text`` into sentences and headings, with character offsets."""
    out: list[Segment] = []
    para = 0
    pos = 0
    n = len(text)
    seen_para = False
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        raw = text[pos:nl]
        stripped = raw.strip()
        if stripped:
            if seen_para:
                para += 1
            seen_para = True
            off = pos + (len(raw) - len(raw.lstrip()))
            pieces, heading = _segment_line(stripped)
            kind = "heading" if heading else "sentence"
            for s, e in pieces:
                out.append(Segment(off + s, off + e, para, kind))
        pos = nl + 1
    return out


def spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets ``(start, end)``; the scorer's entry point."""
    return [(s.start, s.end) for s in segment(text)]
