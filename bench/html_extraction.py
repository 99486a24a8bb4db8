"""How well the HTML import finds an article's text, against the extraction library's plain call.

Usage (from the repository root, with the project's virtualenv):

    python bench/html_extraction.py DATA_DIR
    python bench/html_extraction.py --make-sample DATA_DIR   # write the generated set, score it

DATA_DIR has the layout of the public article-extraction benchmark
(scrapinghub/article-extraction-benchmark): ``ground-truth.json`` mapping each
page id to ``{"articleBody": ...}`` and ``html/<id>.html.gz`` (or ``.html``).
The project ships no third-party page; point the script at a copy of that
benchmark, or let ``--make-sample`` write a generated set of news pages (menus,
sidebars, related links, comments, footers around an article with paragraphs,
lists, quotes and tables) whose article text is known.

Three extractions are scored:
- ``library``: ``trafilatura.extract(html, include_comments=False)``, the call the
  benchmark makes for the library;
- ``extract_html``: ``imports.extraction.extract_html`` (tables kept, as rows);
- ``before``: what the import did before tables were kept (the library's
  extraction with ``include_tables=False``);
- ``as imported``: the same after ``extraction.lead_apply`` (a first line that
  repeats the page's title becomes the title), the text an article gets.

The metric is the benchmark's: the text is cut into ``\\w+`` tokens, counted as
4-token shingles; per page, true/false positives and false negatives are counted
and normalised to sum to 1 (long pages weigh no more than short ones);
precision is the mean over pages that predicted anything, recall the mean over
pages that have a truth, F1 their harmonic mean.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("ANNOTATOR_DATA_DIR", tempfile.mkdtemp(prefix="bench-extraction-"))

TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str) -> Counter:
    tokens = TOKEN.findall(text or "")
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def page_counts(truth: str, predicted: str) -> tuple[float, float, float]:
    true, pred = shingles(truth), shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    def precision(tp, fp, fn):
        return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))

    def recall(tp, fp, fn):
        return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))

    p = statistics.mean(precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(recall(*c) for c in counts if c[0] + c[2] > 0)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def load(data_dir: Path) -> list[tuple[str, str, str]]:
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, record in sorted(truth.items()):
        gz, plain = data_dir / "html" / f"{key}.html.gz", data_dir / "html" / f"{key}.html"
        if gz.exists():
            html = gzip.decompress(gz.read_bytes()).decode("utf-8", errors="replace")
        elif plain.exists():
            html = plain.read_text(encoding="utf-8", errors="replace")
        else:
            raise SystemExit(f"{key}: no html/{key}.html.gz or html/{key}.html in {data_dir}")
        pages.append((key, html, record.get("articleBody", "") or ""))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, nargs="?")
    parser.add_argument("--make-sample", action="store_true", help="write the generated set first")
    parser.add_argument(
        "--same-words",
        nargs="+",
        type=Path,
        metavar="HTML",
        help="no truth needed: on these pages, count those where extract_html keeps exactly the "
        "library's words (the metric then scores them alike)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    import trafilatura
    from django.core.exceptions import ValidationError

    from imports import extraction

    if args.same_words:
        same_words(args.same_words, extraction, trafilatura)
        return
    if args.data_dir is None:
        parser.error("give DATA_DIR or --same-words")
    if args.make_sample:
        write_sample(args.data_dir)
    pages = load(args.data_dir)

    def ours(html: str) -> tuple[str, str]:
        try:
            extracted = extraction.extract_html(html)
        except ValidationError:
            return "", ""
        return extracted.text, extraction.lead_apply(extracted).text

    results: dict[str, list] = {"library": [], "before": [], "extract_html": [], "as imported": []}
    seconds: dict[str, float] = {"library": 0.0, "extract_html": 0.0}
    same_tokens = 0
    for _key, html, truth in pages:
        start = time.process_time()
        library = trafilatura.extract(html, include_comments=False) or ""
        seconds["library"] += time.process_time() - start
        start = time.process_time()
        text, imported = ours(html)
        seconds["extract_html"] += time.process_time() - start
        before = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False
        )
        results["before"].append(page_counts(truth, getattr(before, "text", "") or ""))
        results["library"].append(page_counts(truth, library))
        results["extract_html"].append(page_counts(truth, text))
        results["as imported"].append(page_counts(truth, imported))
        same_tokens += TOKEN.findall(library) == TOKEN.findall(text)
    print(f"{len(pages)} pages from {args.data_dir}")
    for name, counts in results.items():
        s = scores(counts)
        print(
            f"{name:<13} precision={s['precision']:.3f}  recall={s['recall']:.3f}  F1={s['f1']:.3f}"
        )
    print(f"pages where extract_html has exactly the library's words: {same_tokens}/{len(pages)}")
    for name, total in seconds.items():
        print(f"{name:<13} {total / max(len(pages), 1) * 1000:.1f} ms CPU per page")


def same_words(paths: list[Path], extraction, trafilatura) -> None:
    """Pages where our text has the library's words in the library's order; the others listed."""
    from django.core.exceptions import ValidationError

    same, differ = 0, []
    for path in paths:
        html = path.read_text(encoding="utf-8", errors="replace")
        library = trafilatura.extract(html, include_comments=False) or ""
        try:
            ours = extraction.extract_html(html).text
        except ValidationError:
            ours = ""
        if TOKEN.findall(library) == TOKEN.findall(ours):
            same += 1
        else:
            differ.append(path)
    print(f"{same}/{len(paths)} pages: extract_html has exactly the library's words")
    for path in differ[:20]:
        print(f"  differs: {path}")


# --- the generated set ---------------------------------------------------------------

SUBJECTS = [
    "The council",
    "The finance minister",
    "Our editorial board",
    "The opposition leader",
    "The central bank",
    "Local farmers",
    "The mayor's office",
    "Critics of the plan",
    "Economists at the university",
    "The transport authority",
    "Parents in the district",
]
VERBS = [
    "argued that",
    "warned that",
    "insisted that",
    "conceded that",
    "claimed that",
    "suggested that",
    "reported that",
    "doubted that",
    "predicted that",
]
CLAIMS = [
    "the budget would not survive another winter of rising costs",
    "the new rail line will cut commuting times by a third",
    "rents in the city have outpaced wages for a decade",
    "the reform was rushed through without a proper hearing",
    "nobody has yet explained who will pay for the bridge",
    "the figures published last week tell a different story",
    "schools could lose a fifth of their teachers by 2030",
    "the drought has already cost growers millions",
    "the agreement leaves the hardest questions for later",
    "voters are tired of promises that are never kept",
]
ENDINGS = [
    "",
    " according to figures released on Tuesday",
    " in a statement on Monday",
    ", though the details remain unclear",
    " during a heated session",
    " once again",
]
BOILERPLATE = [
    "Subscribe to our newsletter",
    "Sign in",
    "Most read",
    "Related stories",
    "Share on social media",
    "Advertisement",
    "Cookie settings",
    "Contact us",
    "Terms of use",
]


def _sentence(rng) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAIMS)}{rng.choice(ENDINGS)}."


def _page(rng, number: int) -> tuple[str, str]:
    """One generated news page and the text of its article."""
    from html import escape

    title = f"{rng.choice(['Why', 'How', 'What'])} {rng.choice(CLAIMS).capitalize()}"
    blocks_html, truth = [], []
    for index in range(rng.randint(4, 10)):
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        blocks_html.append(f"<p>{escape(paragraph)}</p>")
        truth.append(paragraph)
        if index == 1 and rng.random() < 0.6:
            rows = [["Year", "Spending", "Change"]] + [
                [str(2019 + r), f"{rng.randint(10, 99)} million", f"{rng.randint(-9, 9)} %"]
                for r in range(rng.randint(2, 6))
            ]
            cells = "".join(
                "<tr>"
                + "".join(
                    f"<{'th' if i == 0 else 'td'}>{c}</{'th' if i == 0 else 'td'}>" for c in row
                )
                + "</tr>"
                for i, row in enumerate(rows)
            )
            blocks_html.append(f"<table>{cells}</table>")
            truth.extend(" ".join(row) for row in rows)
        if index == 2 and rng.random() < 0.4:
            items = [rng.choice(CLAIMS).capitalize() for _ in range(3)]
            blocks_html.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
            truth.extend(items)
        if index == 3 and rng.random() < 0.3:
            quote = _sentence(rng)
            blocks_html.append(f"<blockquote><p>{escape(quote)}</p></blockquote>")
            truth.append(quote)
    nav = "".join(f'<li><a href="/s{i}">{w}</a></li>' for i, w in enumerate(BOILERPLATE[:5]))
    related = "".join(
        f'<li><a href="/r{i}">{escape(rng.choice(CLAIMS).capitalize())}</a></li>' for i in range(4)
    )
    comments = "".join(
        f'<div class="comment"><p>{escape(_sentence(rng))}</p></div>' for _ in range(3)
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{escape(title)} | The Ledger</title>
<meta property="og:title" content="{escape(title)}"></head><body>
<header><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{escape(title)}</h1><p class="byline">By Staff Writer {number}</p>
{"".join(blocks_html)}</article>
<aside><h2>Related stories</h2><ul>{related}</ul></aside>
<section id="comments"><h2>Comments</h2>{comments}</section></main>
<footer><p>{" · ".join(BOILERPLATE[4:])}</p></footer></body></html>"""
    return page, "\n".join(truth)


def write_sample(data_dir: Path, *, pages: int = 60, seed: int = 11) -> None:
    import random

    rng = random.Random(seed)
    (data_dir / "html").mkdir(parents=True, exist_ok=True)
    truth = {}
    for number in range(pages):
        page, body = _page(rng, number)
        key = f"generated-{number:03d}"
        (data_dir / "html" / f"{key}.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
        truth[key] = {"articleBody": body}
    (data_dir / "ground-truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
