"""Rule-based sentence segmenter for opinion pieces and news text.

Pure Python, no Django import: this module must import on its own.

The text is split into paragraphs at every line end (``\n``, ``\r``, VT, FF,
NEL, U+2028, U+2029 and the other separators of ``str.splitlines``: a line end
is always a hard boundary, except inside a byline whose "By" stands alone on
its line). Each paragraph is either a *heading* (title, section heading,
byline, dateline, signature: decided by its layout, see _is_heading), which is
one segment, or prose, which is split into sentences by rules:

* a candidate boundary is a run of terminal punctuation (``.``, ``!``, ``?``,
  ``…``, spaced ellipses ``. . .``) followed by closing quotes/brackets and
  citation markers (``[12]``), then white space;
* whether a candidate splits depends on the token before the punctuation (plain
  word, known abbreviation, title, initial, dotted acronym, number) and on the
  token after it (capitalised, lower case, digit, common sentence opener).
* a quotation of short clipped sentences closed by a comma (“Stop. Think. Then
  act,” the general said) is not split inside.

Offsets are character offsets into the original text, end exclusive, trimmed of
white space.

Time is linear in the length of the text whatever its shape (issue 10): no
regular expression can retry a long stretch from each of its characters, and
no rule reads the line again for each candidate (they look back only as far
as the previous candidate or token). tests/articles/test_segmenter_linear.py
holds this on generated hostile shapes; bench/hostile_shapes.py times them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

__all__ = ["SEGMENTER_VERSION", "Segment", "segment", "spans"]

SEGMENTER_VERSION = "1.3"


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
# Terminal punctuation; "؟" is the Arabic question mark.
_STOPS = ".!?…‽؟"
_QUESTION_EXCLAMATION = "?!‽؟"
# Every character that ends a line (those of str.splitlines): each is read as
# "\n", a hard boundary. The text is translated character for character, so
# offsets do not move ("\r\n" becomes two line ends, the second an empty line).
_LINE_ENDS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TO_NEWLINE = str.maketrans(dict.fromkeys(_LINE_ENDS, "\n"))
_LINE_END = re.compile(f"[{_LINE_ENDS}]")  # one pass, not one per character
_OPENERS_PUNCT = "\"'“‘([«‹¿¡"
_QUOTES = "\"'”’»›"
_DASHES = "-–—‒―"
_BULLETS = "•⁃▪‣◦●○■□◆◇➢➤►▶-*"

# The mouth of an emoticon (":-)", ";((", "=]") is a run of these characters. A
# shorter mouth than the whole run can only lead to a match when the rest of the
# run starts with a bracketed citation ("[12]"), and then only from the last "["
# of the run: the mouth is the whole run, or the run up to its last "[" (so that
# no input makes the engine retry every length of a long run).
_MOUTH = r"[()DPpO/\\|\[\]]"
_MOUTH_NO_OPEN = r"[()DPpO/\\|\]]"
_EMOTICON = (
    r"(?:[:;=8][-'^]?"
    rf"(?:(?>{_MOUTH}+)|{_MOUTH}+(?=\[{_MOUTH_NO_OPEN}*+(?!{_MOUTH})))"
    r"|\^_*\^|[xX]\.[xX]|<3|>:[-]?\(|[:;]-?[*])"
)

# A run of terminal punctuation, closing quotes/brackets, citation markers and
# emoticons, followed by white space (or the end of the paragraph).
#
# Linear time: a run of stops is taken whole, and only from its first character
# (a match can never start inside a run or end inside one, so the engine would
# otherwise retry the rest of a long run from each of its characters); the
# emoticon mouth is bounded as explained above; the one remaining way to retry
# a long stretch, a dot glued between citation markers ("[1].[2].[3]..."), is
# handled by _mask_doomed_dots.
_CANDIDATE = re.compile(
    r"""
    (?P<term>
        (?:\.[ ]){2,}\.          # spaced ellipsis ". . ." or ". . . ."
      | [.!?…‽؟](?<![.!?…‽؟].)[.!?…‽؟]*+   # ".", "...", "?!", "…", from a run's start
        (?:[ ][?!؟]+(?=\s|$))*           # "? ? ?"
      | (?<=\s)EMO               # an emoticon on its own: "lol :( I'm"
    )
    (?P<close>
        [\"'”’)\]»›]*
        (?:[ ][)\]](?=\s|$))?
        (?:[ ]?\[(?:\d+(?:[,–-][ ]?\d+)*|[a-z][a-z ]{0,30})\]\.?)*
        (?:[ ]+EMO(?=\s|$))*
        (?:[ ]+(?:\.\.\.+|…)(?=\s|$))?
    )
    (?=\s|$)
    """.replace("EMO", _EMOTICON),
    re.VERBOSE,
)

# Where a candidate can start: a stop opening a run of stops (or a spaced
# ellipsis), or the first character of an emoticon after white space.
# Searching for these first (a character class the regular expression engine
# scans for in C) and trying _CANDIDATE only there finds exactly the matches of
# _CANDIDATE.finditer, about five times faster: a pattern that opens with an
# alternation and a look-behind is otherwise tried at every character of the
# text.
_CANDIDATE_START = re.compile(
    r"[.!?…‽؟:;=8^xX<>]"
    r"(?:(?<![.!?…‽؟].)(?<=[.!?…‽؟])"  # a stop opening its run
    r"|(?<=\.)(?=[ ]\.)"  # a spaced ellipsis, which may follow another stop
    r"|(?<=\s.))"  # after white space: an emoticon
)


def _candidates(scan: str) -> Iterator[re.Match[str]]:
    """The matches of ``_CANDIDATE.finditer(scan)``, tried only where one can start."""
    search = _CANDIDATE_START.search
    match = _CANDIDATE.match
    at = 0
    while (s := search(scan, at)) is not None:
        m = match(scan, s.start())
        if m is None:
            at = s.start() + 1
        else:
            yield m
            at = m.end()


# A dot glued between citation markers: "[1].[2]". A candidate starting at such a
# dot can only end after a run of glued markers that is followed by white space.
_CITATION = r"\[(?:\d+(?:[,–-][ ]?\d+)*|[a-z][a-z ]{0,30})\]\.?"
_DOT_BEFORE_CITATION = re.compile(r"\.(?=\[)")
_GLUED_CITATIONS = re.compile(rf"(?:{_CITATION})*+")


def _mask_doomed_dots(line: str) -> str:
    """``line`` with every dot that cannot start a candidate, among dots before "[", made inert.

    A dot followed by glued citation markers ("x.[1].[2].[3]y") starts a
    candidate only if the run of glued markers after it ends at white space;
    otherwise the attempt fails, after reading the whole run, and so does the
    attempt from each later dot of the run: quadratic time on "[1]." * n. Such
    dots are replaced by "#" (same length, so offsets hold), which no part of
    _CANDIDATE can match: no match contains them (it would have to end inside the
    run), so _CANDIDATE finds the same matches, each after reading a bounded
    stretch.
    """
    doomed: list[int] = []
    n = len(line)
    pos = 0
    for m in _DOT_BEFORE_CITATION.finditer(line):
        t = m.start()
        if t < pos:
            continue  # inside a run already judged
        glued = _GLUED_CITATIONS.match(line, t + 1)  # always matches, maybe empty
        end = glued.end() if glued else t + 1
        pos = end
        if end < n and not line[end].isspace():
            # this dot and each later dot of the run before a "[" (up to line[end])
            doomed.extend(d.start() for d in _DOT_BEFORE_CITATION.finditer(line, t, end + 1))
    if not doomed:
        return line
    pieces = []
    prev = 0
    for d in doomed:
        pieces.append(line[prev:d])
        prev = d + 1
    pieces.append(line[prev:])
    return "#".join(pieces)


# Boundaries without white space: "chickens.Rabbits", "day?Grimy", "innovation.23 Open".
_NOSPACE = re.compile(r"[a-z](?:(\.|[?!]+|\.\.\.+)(?=[A-Z][a-z])|\.\d{1,2}(?=[^\S\n]+[A-Z]))")
# The stop right after the letter of a _NOSPACE match, which no white space
# follows: found first, as _CANDIDATE_START is (most letters are not before a
# stop, and most stops are before a space).
_NOSPACE_STOP = re.compile(r"[.?!](?<=[a-z].)(?=[.?!A-Z\d])")


def _nospace_matches(line: str) -> Iterator[re.Match[str]]:
    """The matches of ``_NOSPACE.finditer(line)``, found from their stops.

    A match is a letter and the stops after it, so matches never overlap and
    none can start inside another: trying _NOSPACE at each letter before a
    stop finds the same ones.
    """
    match = _NOSPACE.match
    for s in _NOSPACE_STOP.finditer(line):
        m = match(line, s.start() - 1)
        if m:
            yield m


_ACRONYM = re.compile(r"^(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}$")
_LIST_MARKER = re.compile(
    r"^(?:[•⁃▪‣◦●○■□◆◇➢➤►▶*-]\s*)?(?:\(?(\d{1,3}|[A-Za-z]|[ivxIVX]{1,4})(\.\)|\.|\)))\s"
)
_LINE_MARKER = re.compile(
    r"(?:[•⁃▪‣◦●○■□◆◇➢➤►▶*-]\s*)?"
    r"(?:(?:Figure|Fig\.|Table|Chapter|Section|Part|Step|Article|Appendix|Chart|Map)\s+)?"
    r"\(?(?:\d{1,3}(?:\.\d{1,3})*|[A-Za-z]|[ivxlcIVXLC]{1,5})$"
)
# Longest line prefix read as a marker ("• Appendix 12.3.4" and its spaces).
_MARKER_MAX = 32
# The look-behinds of these patterns come after their first character, so that
# the engine scans for that character in C rather than trying every position.
_BULLET_INLINE = re.compile(r"[•⁃▪‣◦●■◆➢➤►▶](?<=\s.)(?=\s?\S)")
_URL = re.compile(r"(?:h(?<!\Sh)ttps?://|w(?<!\Sw)ww\.)\S+")
# Caption credits glued to a caption: "... in Washington. Image: US Navy."
_CREDIT = re.compile(r"(?<=\S)[^\S\n]+((?:Image|Photo|Photograph|Picture|Credit)s?:[^\S\n])")
_CREDIT_WORD = re.compile(r"(?:Image|Photo|Photograph|Picture|Credit)s?:[^\S\n]")


def _credit_points(text: str) -> list[int]:
    """The group 1 starts of ``_CREDIT.finditer(text)``, found from their words.

    A match is a run of spaces (no line end) after a non-space, then the word:
    from each word, look back over the spaces before it, no further than the
    end of the previous match (a match cannot start inside the one before).
    """
    out: list[int] = []
    done = 0
    for m in _CREDIT_WORD.finditer(text):
        w = m.start()
        j = w
        while j > done and text[j - 1] != "\n" and text[j - 1].isspace():
            j -= 1
        if j < w and j > 0 and not text[j - 1].isspace():
            out.append(w)
            done = m.end()
    return out


_SENT_END = re.compile(r"[.!?…‽؟][\"'”’)\]»›]*(?:\s?\[\d+\])*$")
_SPEECH_VERBS = frozenset(
    """
    said says asked asks replied replies cried cries shouted shouts called calls
    howled whispered whispers added adds continued began started explained
    answered wrote writes yelled yells screamed muttered murmured insisted told
    tells say ask exclaimed exclaims laughed sighed declared noted
    """.split()
)


def _prev_token(line: str, pos: int) -> str:
    """The token ending just before ``pos`` (the terminal punctuation)."""
    if pos > 16:
        # most tokens are short: split the 16 characters before ``pos`` in C
        # (str.split and str.isspace agree on white space)
        parts = line[pos - 16 : pos].rsplit(None, 1)
        if len(parts) == 2 and not line[pos - 1].isspace():
            return parts[1].lstrip(_OPENERS_PUNCT)
    i = pos
    while i > 0 and not line[i - 1].isspace():
        i -= 1
    tok = line[i:pos]
    return tok.lstrip(_OPENERS_PUNCT)


_NEXT = re.compile(r"[^\S\n]*(\S*)")
_SPACE = re.compile(r"\s")


def _next_token(text: str, pos: int) -> tuple[str, int]:
    """The next token on the same line after white space from ``pos``, and its offset."""
    m = _NEXT.match(text, pos)
    return m.group(1), m.start(1)


def _starts_upper(tok: str) -> bool:
    for ch in tok:
        if ch.isalpha():
            return ch.isupper()
        if ch not in _OPENERS_PUNCT:
            return False
    return False


_WORD = re.compile(r"[^\W\d_]+")


def _word(tok: str) -> str:
    """Opening punctuation stripped, alphabetic prefix lower-cased."""
    m = _WORD.match(tok.lstrip(_OPENERS_PUNCT))
    return m.group(0).lower() if m else ""


def _is_opener(tok: str) -> bool:
    return _word(tok) in _OPENERS


_ALL_ABBREVIATIONS = _TITLES | _NEVER_FINAL | _NUMERIC_PREFIX | _ABBREVIATIONS


# A finite verb or auxiliary right after a capitalised word: "... from the U.S.
# Russia responded", "... Apple Inc. Employees were told". After an ambiguous
# abbreviation, "Capitalised-word + one of these" starts a new clause.
_CLAUSE_VERBS = frozenset(
    """
    is are was were has have had will would could can should may might must did does do
    shall cannot won't can't didn't don't doesn't isn't wasn't weren't aren't haven't
    hasn't hadn't wouldn't couldn't shouldn't won’t can’t didn’t don’t doesn’t isn’t
    wasn’t weren’t aren’t haven’t hasn’t hadn’t wouldn’t couldn’t shouldn’t
    said says told declined responded refused denied added announced confirmed warned
    argued insisted noted reported stated claimed agreed rejected replied wrote
    """.split()
)

# Words after "a.m." / "p.m." that belong to the time: "5 p.m. Friday", "p.m. EST".
_TIME_FOLLOWERS = (
    frozenset(
        """
        monday tuesday wednesday thursday friday saturday sunday january february march
        april may june july august september october november december eastern pacific
        central mountain local
        """.split()
    )
    | _MONTHS
    | _DAYS
)

# The rules added in version 1.3, each of which bench/segmentation_logo.py can
# turn off to check, genre by genre, that keeping it was not a choice fitted to
# the development documents. All are on in use.
RULES_1_3 = frozenset(
    {
        "clause_after_abbreviation",  # "from the U.S. Russia responded"
        "time_before_capital",  # "at 5 p.m. Officials declined"
        "street",  # "on Main St. The owner"
        "clipped_quotation",  # "“Stop. Think. Then act,” the general said"
        "marker_on_every_line",  # "Figure 3." opening any line, not only the first
        "byline_over_two_lines",  # a "By" line, then the name on the next line
    }
)
_rules = RULES_1_3

# Titles that are also street words after a name: "Main St." ("Dr." is left out:
# a title before a name is far likelier than a street called "Dr.").
_STREET_TITLES = frozenset(["st"])


def _in_parentheses(line: str, ls: int, pos: int) -> bool:
    """Whether one of the two words before ``pos`` opens a parenthesis it does not
    close: "(4:00 p.m. Toronto time)" is one parenthetical, not two sentences."""
    return any("(" in w and ")" not in w for w in _last_words(line, ls, pos, 2))


def _clause_follows(line: str, start: int, prev: str, nstart: int, nxt: str, ls: int) -> bool:
    """Whether ``nxt`` (capitalised, at ``nstart``) opens a clause after the
    abbreviation ``prev`` ending at ``line[start]``: the next word is a finite verb
    (_CLAUSE_VERBS) and the sentence so far holds three words or more before the
    abbreviation ("The U.S. Senate voted" stays whole: one word before "U.S."). The
    rule reads two words ahead and three back, no more.
    """
    if "clause_after_abbreviation" not in _rules:
        return False
    if not nxt[:1].isupper() or not nxt.rstrip(",").isalpha():
        return False
    after, _ = _next_token(line, nstart + len(nxt))
    if after.rstrip(",;:").lower() not in _CLAUSE_VERBS:
        return False
    before = _last_words(line, ls, start - len(prev), 3)
    return len(before) == 3 and not any(_SENT_END.search(w) for w in before)


def _decide_period(line: str, start: int, nxt: str, ls: int, nstart: int) -> bool:
    """Whether a single period at ``line[start]`` followed by ``nxt`` ends a sentence.

    ``ls`` is the start of the line holding ``start``; ``nxt`` starts at ``nstart``.
    """
    prev = _prev_token(line, start)
    first = nxt[0]
    f2 = (nxt.lstrip(_OPENERS_PUNCT) or nxt)[0]

    if not prev:
        # a stray period after a space: "al-Qaeda . Amnesty"
        return f2.isalpha() or f2 in _DASHES
    if first in _DASHES:
        return True

    upper = _starts_upper(nxt)
    lower = f2.islower()
    digit = f2.isdigit()
    low = prev.lower()

    # Dotted acronyms and abbreviations: "U.S.", "a.m.", "e.g.", "Ph.D."
    if "." in prev:
        if low in _NEVER_FINAL or low in ("p.s", "n.b"):
            return False
        if _ACRONYM.match(prev):
            if lower or digit:
                return False
            if low in ("a.m", "p.m"):
                # "At 5 a.m. Mr. Smith went" vs "at 6 p.m. Mr. Smith then went";
                # "at 5 p.m. Officials declined" vs "at 5 p.m. Friday", "p.m. EST"
                if not upper or _short_intro(line, start, ls):
                    return False
                w = _word(nxt)
                return _is_opener(nxt) or (
                    "time_before_capital" in _rules
                    and not _in_parentheses(line, ls, start - len(prev))
                    and w not in _TIME_FOLLOWERS
                    and not nxt.strip(_OPENERS_PUNCT + ",").isupper()
                )
            return upper and (
                _is_opener(nxt) or _clause_follows(line, start, prev, nstart, nxt, ls)
            )
        # URLs, e-mail addresses, numbers like 1026.253.553: ordinary words.
    alpha = prev.rstrip(_CLOSERS)
    low_alpha = alpha.lower()
    if lower and low_alpha in _ALL_ABBREVIATIONS:
        return False
    if (
        low_alpha in _ALL_ABBREVIATIONS
        and alpha[:1].isalpha()
        and (len(alpha) < 2 or not alpha.isalpha() or not alpha.isupper() or low_alpha in _TITLES)
    ):
        if lower:
            return False
        if low_alpha in _NEVER_FINAL:
            return False
        if low_alpha in _STREET_TITLES and upper and "street" in _rules:
            # "on Main St. The owner": a street after a capitalised name
            words = _last_words(line, ls, start - len(prev), 1)
            if words and words[0][:1].isupper() and not _SENT_END.search(words[0]):
                return _is_opener(nxt) or _clause_follows(line, start, prev, nstart, nxt, ls)
        if low_alpha in _TITLES and (upper or digit):
            return False
        if digit and low_alpha in _NUMERIC_PREFIX:
            return False
        if low_alpha in _MONTHS or low_alpha in _DAYS:
            if low_alpha in _DAYS and _word(nxt) in _MONTHS:
                return False
            return upper
        if low_alpha == "etc":
            return True
        if low_alpha in _ABBREVIATIONS:
            return upper and (
                _is_opener(nxt) or _clause_follows(line, start, prev, nstart, nxt, ls)
            )
        return True
    if len(alpha) == 1 and alpha.isalpha():
        # An initial ("Jonas E. Smith") or a single letter ("p. 55").
        if lower or digit:
            return False
        return _is_opener(nxt)
    if alpha.isdigit() and len(alpha) <= 2:
        # a list marker in running text: "problems: 1. I tested", "and 2. that".
        # ``before`` is the line up to the number, trimmed: line[ls:q]; ``last``
        # its last space-separated word. Neither is sliced out: on one long line
        # that would read the whole line again for every number.
        q = start - len(prev)
        while q > ls and line[q - 1].isspace():
            q -= 1
        if q > ls and line[q - 1] == "." and _abbreviation_before(line, ls, q):
            return True  # "on Jan. 5. Officials", "in the U.S. 2. ..." is rarer
        if q == ls or line[q - 1] in ":.?!;" or line.endswith((" and", " or"), ls, q):
            return False
    return True


def _abbreviation_before(line: str, ls: int, q: int) -> bool:
    """Whether ``last``, the last space-separated word of line[ls:q], ending with a dot,
    is an abbreviation or holds another dot ("Jan.", "U.S.").

    Reads back only to the nearest earlier dot: the previous number after a dot
    on the same line stops the search, so the line is read once over all calls.
    """
    dot = line.rfind(".", ls, q - 1)
    if dot >= 0 and line.find(" ", dot + 1, q - 1) < 0:
        return True  # another dot in ``last``
    space = line.rfind(" ", ls, q - 1)
    word = line[space + 1 if space >= 0 else ls : q - 1]
    return word.lower().lstrip(_OPENERS_PUNCT) in _ALL_ABBREVIATIONS


_INTRO_PREPS = frozenset("at by until till before after from since around about".split())


def _short_intro(line: str, pos: int, ls: int) -> bool:
    """True if the sentence so far is a short prepositional opener ("At 5 a.m.").

    Looks at the last four words of the line before ``pos`` (``ls`` is the start of
    the line) and the word before them.
    """
    words = _last_words(line, ls, pos, 5)
    tail = words[-4:]
    for k, w in enumerate(tail):
        if w.strip(_OPENERS_PUNCT).lower() in _INTRO_PREPS and w[:1].isupper():
            i = len(words) - len(tail) + k
            # fewer than five words: ``words`` is the whole line, so i == 0 means
            # the first word of the line
            if i == 0 or _SENT_END.search(words[i - 1]):
                return True
    return False


def _last_words(line: str, lo: int, hi: int, count: int) -> list[str]:
    """The last ``count`` white-space separated words of line[lo:hi] (all, if fewer)."""
    words: list[str] = []
    i = hi
    while len(words) < count:
        while i > lo and line[i - 1].isspace():
            i -= 1
        if i == lo:
            break
        j = i
        while j > lo and not line[j - 1].isspace():
            j -= 1
        words.append(line[j:i])
        i = j
    words.reverse()
    return words


_QUOTE_MARK = re.compile('[“”"\n]')
_INNER_STOP = re.compile(r"[.!?…‽؟][\"'’”)]*\s")


def _continued_quotes(line: str) -> list[tuple[int, int]]:
    """Clipped quotations closed by a comma, as (opening, closing) offsets.

    A quotation of short clipped sentences closed by a comma (“Stop. Think.
    Then act,” the general said) is one utterance of a longer sentence: no
    boundary inside it splits. Clipped: at most three words per sentence on
    average; a quotation of full sentences ("They are not in a hurry. They want
    a program that works," he said) is split as usual. Quotation marks
    pair on their line: a mark after white space (or at the line's start, or
    after an opening bracket or dash) opens a quotation, a later mark after
    anything else closes it; a second opening mark replaces the first (an
    unclosed quotation). One pass over the quotation marks.
    """
    out: list[tuple[int, int]] = []
    opened = -1
    for m in _QUOTE_MARK.finditer(line):
        ch = m.group()
        pos = m.start()
        if ch == "\n":
            opened = -1
            continue
        before = line[pos - 1] if pos else "\n"
        if ch != "”" and (before.isspace() or before in "([{—–-"):
            opened = pos
        elif opened >= 0 and ch != "“":
            if before == ",":
                words = len(line[opened:pos].split())
                pieces = 1 + sum(1 for _ in _INNER_STOP.finditer(line, opened, pos))
                if words <= 3 * pieces:
                    out.append((opened, pos))
            opened = -1
    return out


def _split_points(line: str) -> list[int]:
    """Offsets in ``line`` (the whole text) where a new sentence starts on the same line."""
    points: list[int] = []
    n = len(line)
    scan = _mask_doomed_dots(line) if ".[" in line else line
    # Start of the line holding the current candidate, found by looking back only
    # as far as the previous candidate (candidates come in order).
    ls = 0
    ls_seen = 0
    quoted = (
        _continued_quotes(line)
        if (',"' in line or ",”" in line) and "clipped_quotation" in _rules
        else []
    )
    qi = 0
    for m in _candidates(scan):
        end = m.end()
        if end >= n:
            break
        if quoted:
            ts = m.start()
            while qi < len(quoted) and quoted[qi][1] < ts:
                qi += 1
            if qi < len(quoted) and quoted[qi][0] < ts < quoted[qi][1]:
                continue  # inside a quotation closed by a comma
        term = m.group("term")
        close = m.group("close")
        nxt, nstart = _next_token(line, end)
        if not nxt:
            continue
        ts = m.start("term")
        f = (nxt.lstrip(_OPENERS_PUNCT) or nxt)[0]
        upper = _starts_upper(nxt)
        lower = f.islower()
        if term[0] not in _STOPS:
            split = upper  # emoticon
        elif " " in term:
            ndots = term.count(".")
            attached = ts > 0 and not line[ts - 1].isspace()
            split = False
            if ndots >= 4 and upper:
                if attached:
                    # "compounds. . . . The": the first period ends the sentence,
                    # the ellipsis opens the next one.
                    points.append(ts + 2)
                    continue
                split = True
        elif any(c in _QUESTION_EXCLAMATION for c in term):
            if nxt[0] in _DASHES:
                split = nxt.startswith("--")
            elif lower:
                # '"Really?" he asked' / 'Yahoo! in' stay together
                prev = _prev_token(line, ts)
                split = not close and not prev[:1].isupper()
            else:
                split = True
        elif "…" in term or len(term) >= 2:
            # unspaced ellipsis ("...", "....", "…") or ".."; "[...]" marks an omission
            if len(term) == 2 and "." in _prev_token(line, ts):
                # "Washington, D.C.. They": abbreviation period plus full stop
                split = upper
            else:
                split = upper and len(term) != 2 and nxt[0] != "("
        else:
            nl = line.rfind("\n", ls_seen, ts)
            if nl >= 0:
                ls = nl + 1
            ls_seen = ts
            # a marker opening a line ("Figure 3.", "2.", "iv."), on any line;
            # a marker is short, so the match reads a bounded stretch
            marker = (
                not close
                and ts - ls <= _MARKER_MAX
                and (ls == 0 or "marker_on_every_line" in _rules)
                and _LINE_MARKER.match(line, ls, ts)
            )
            if ts == ls or marker or (close and lower):
                split = False
            else:
                split = _decide_period(line, ts, nxt, ls, nstart)
                # footnote number after the period: "a fee. 8 Yet some ..."
                if split and not close and f.isdigit() and nxt.isdigit() and len(nxt) <= 2:
                    nn, nnstart = _next_token(line, nstart + len(nxt))
                    if nn and _starts_upper(nn):
                        points.append(nnstart)
                        continue
        if split and upper and close and close[-1] in _QUOTES and term[-1] in _QUESTION_EXCLAMATION:
            # '"Are you here?" I asked.' - speech attribution after a quotation
            nn, _ = _next_token(line, nstart + len(nxt))
            if _word(nn) in _SPEECH_VERBS and nn[:1].islower():
                split = False
        if split:
            points.append(nstart)
    last = -1
    for m in _nospace_matches(line):
        punct = m.group(1)
        if last >= 0 and not _SPACE.search(line, last + 1, m.start()):
            # Same token as the previous match, whose punctuation is then part of
            # this match's token: never all letters, so never a split ("aa.Bbaa.Bb").
            last = m.start()
            continue
        last = m.start()
        prev = _prev_token(line, m.start() + 1)
        if not prev.isalpha() or len(prev) < 2:
            continue
        if punct:
            rest, _ = _next_token(line, m.end())
            if "@" in rest or "/" in rest or "." in rest.rstrip(".!?,;:\"')"):
                continue
            if punct == "." and not prev.islower():
                continue
            points.append(m.end())
        elif prev.islower():
            nn, nnstart = _next_token(line, m.end())
            if nn:
                points.append(nnstart)
    return points


@functools.lru_cache(maxsize=256)
def _marker_pattern(marker: str) -> re.Pattern[str]:
    return re.compile(r"(?<=\s)(?:[•⁃▪‣◦●■◆➢➤►▶*-]\s*)?" + re.escape(marker) + r"\s")


def _list_points(line: str) -> list[tuple[int, int]]:
    """Split before inline list markers continuing a list that opens the line."""
    m = _LIST_MARKER.match(line)
    if not m:
        return []
    label, punct = m.group(1), m.group(2)
    points: list[tuple[int, int]] = []
    # the labels that may follow, made one at a time (most lists stop at once)
    seq: Iterator[str]
    if label.isdigit():
        k = int(label)
        seq = (str(k + i) for i in range(1, 30))
    elif len(label) == 1 and label.isalpha():
        seq = (c for c in (chr(ord(label) + i) for i in range(1, 26)) if c.isalpha())
    else:
        return []
    pos = m.end()
    for nxt in seq:
        pat = _marker_pattern(nxt + punct)
        mm = pat.search(line, pos)
        if not mm:
            break
        points.append((mm.start(), mm.end()))
        pos = mm.end()
    return points


# --------------------------------------------------------------------------
# Headings (issue #12): a line is a heading when its layout says so, never just
# because it lacks a final stop. Every proposition must stay labelable.
# --------------------------------------------------------------------------

# Words a title leaves in lower case ("The Talks of the Year"), with the forms of
# "be" that sentence-case titles keep small ("Doctor Hank is Amazing").
_TITLE_SMALL = frozenset(
    """
    a an the and or but nor of in on at to for by with from as into onto upon via vs
    per than over under off out up down is are was be 's de la le du von van der
    """.split()
)

# Words that make a clause: pronoun subjects, auxiliaries, modals, negation, and
# the few words that open an instruction or a wish. General English, no corpus.
_CLAUSE_CUES = frozenset(
    """
    i you he she we they it this that there these those i'm you're he's she's we're
    they're it's that's there's i've you've we've they've i'll you'll he'll she'll
    we'll they'll it'll i'd you'd he'd she'd we'd they'd let's
    is are was were am be been being has have had do does did done will would shall
    should can could may might must cannot
    isn't aren't wasn't weren't hasn't haven't hadn't don't doesn't didn't won't
    wouldn't shouldn't can't couldn't mustn't
    not never please
    """.split()
)
_WORD_EDGE_PUNCT = "\"'“”‘’()[]{}«»,.;:!?…*_"

# Tunable thresholds (bench/heading_eval.py chooses them on one corpus and
# reports on the other; see bench/README.md).
# A line of this many words or more, in sentence case, is prose even with no
# clause cue ("Texas student inspires social movement across the state").
_HEADING_PROSE_WORDS = 7
# Share of a line's capitalised content words (after the first word) from which
# it reads as Title Case ("So Where Does This Lead Us?").
_HEADING_TITLE_SHARE = 0.75
# Longest line (in words) that can still be a heading at all.
_HEADING_MAX_WORDS = 25

# A byline alone on its line: "By" (the name follows on the next line).
_BYLINE_WORD = re.compile(r"(?i)(?:written\s+|words\s+|photos?\s+)?by:?")


def _line_features(line: str) -> tuple[int, bool, bool, bool]:
    """(words, title case, all capitals, clause cue) of a line."""
    words = line.split()
    content = 0
    capital = 0
    cue = False
    for k, raw in enumerate(words):
        w = raw.strip(_WORD_EDGE_PUNCT)
        if not w:
            continue
        low = w.lower()
        if "’" in low:
            low = low.replace("’", "'")
        if low in _CLAUSE_CUES:
            cue = True
        if k == 0 or not w[0].isalpha() or low in _TITLE_SMALL:
            continue
        content += 1
        if w[0].isupper():
            capital += 1
    title = content > 0 and capital >= _HEADING_TITLE_SHARE * content and words[0][:1].isupper()
    caps = line.isupper()  # cased characters, all capitals
    return len(words), title, caps, cue


def _is_heading(line: str, n_sentences: int) -> bool:
    """Whether a line is a heading: a title, section heading, byline, dateline,
    signature or label, which takes no label. Decided by the line's layout:

    * a line split into several sentences, a list or bullet item, and a line
      ending with ":", ";" or "," are prose;
    * a line ending with a full stop is prose; one ending with "?" or "!" is a
      heading only in Title Case or capitals ("So Where Does This Lead Us?");
    * otherwise (no final stop): Title Case or capitals make a heading; a clause
      (a pronoun subject, an auxiliary, a negation: "This is the worst policy in
      decades", "Taxes will rise by 20 percent") or a long line in sentence case
      makes prose; a short line without a clause (a name, a date, "Early life")
      is a heading.
    """
    if n_sentences != 1 or len(line) > 40 * _HEADING_MAX_WORDS:
        return False
    first = line[0]
    if first in _BULLETS and len(line) > 1 and line[1].isspace():
        return False
    stop = _SENT_END.search(line)
    if stop and stop.group(0)[0] not in _QUESTION_EXCLAMATION:
        return False  # a full stop or an ellipsis: prose
    if line.endswith((":", ";", ",")):
        return False
    n, title, caps, cue = _line_features(line)
    if n > _HEADING_MAX_WORDS:
        return False
    marker = _LIST_MARKER.match(line)
    if marker:
        # "2. Mountain Visualization" is a numbered heading; "2. Lower the tax"
        # an item of a list
        rest = line[marker.end() :]
        if not rest.strip():
            return False
        n, title, caps, cue = _line_features(rest)
        if not (title or caps) or cue:
            return False
    if stop:
        return stop.group(0)[0] in "?!‽؟" and (title or caps) and n >= 2
    if title or caps:
        return True
    if cue:
        return False
    return n < _HEADING_PROSE_WORDS


def segment(text: str) -> list[Segment]:
    """Split ``text`` into sentences and headings, with character offsets."""
    out: list[Segment] = []
    if not text or text.isspace():
        return out
    if _LINE_END.search(text):
        text = text.translate(_TO_NEWLINE)
    found = _split_points(text)
    found.extend(m.start() for m in _BULLET_INLINE.finditer(text))
    if "Image" in text or "Photo" in text or "Picture" in text or "Credit" in text:
        found.extend(_credit_points(text))
    for m in _URL.finditer(text) if ("http" in text or "www." in text) else ():
        # a URL followed by another URL or a capitalised word ends its sentence
        nxt, nstart = _next_token(text, m.end())
        if nxt and (nxt[0].isupper() or nxt.startswith(("http://", "https://", "www."))):
            found.append(nstart)
    points = sorted(set(found))
    npoints = len(points)
    pi = 0
    pos = 0
    n = len(text)
    # one entry per non-blank line: (start, end, heading, sentence pieces)
    lines: list[tuple[int, int, bool, list[tuple[int, int]]]] = []
    while pos < n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        a, b = pos, nl
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        pos = nl + 1
        if a == b:
            continue
        cuts = []
        while pi < npoints and points[pi] < nl:
            if a < points[pi] < b:
                cuts.append(points[pi])
            pi += 1
        first = text[a]
        if first.isalnum() or first in _BULLETS:
            lp = _list_points(text[a:b])
            if lp:
                # split before each marker, never inside it ("2.) The second item")
                cuts = [c for c in cuts if not any(a + x < c <= a + y for x, y in lp)]
                cuts = sorted(set(cuts).union(a + x for x, _ in lp))
        pieces = []
        start = a
        for c in (*cuts, b):
            e = c
            while e > start and text[e - 1].isspace():
                e -= 1
            if e > start:
                pieces.append((start, e))
            start = c
            while start < b and text[start].isspace():
                start += 1
        lines.append((a, b, _is_heading(text[a:b], len(pieces)), pieces))
    para = -1
    k = 0
    while k < len(lines):
        a, b, heading, pieces = lines[k]
        para += 1
        k += 1
        if (
            heading
            and k < len(lines)
            and "byline_over_two_lines" in _rules
            and _BYLINE_WORD.fullmatch(text, a, b)
        ):
            # "By" alone, the name on the next line: one byline heading
            na, nb, nheading, _ = lines[k]
            if nheading and len(text[na:nb].split()) <= 6:
                out.append(Segment(a, nb, para, "heading"))
                k += 1
                continue
        if heading:
            out.append(Segment(a, b, para, "heading"))
        else:
            out.extend(Segment(s, e, para, "sentence") for s, e in pieces)
    return out


def spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets ``(start, end)``; the scorer's entry point."""
    return [(s.start, s.end) for s in segment(text)]
