"""What a release holds and how each of its files is written (no database, no Django models).

A release is laid out as a Hugging Face dataset repository, so
``datasets.load_dataset(folder, config)`` reads it as it is::

    README.md          the dataset card: a YAML header (licence, language, task
                       categories, size category, configs) and how to load it
    datasheet.md       "Datasheets for Datasets" (Gebru et al., 2021)
    CITATION.cff       Citation File Format 1.2.0
    data/<config>/<split>.parquet|.jsonl|.csv
    manifest.json      every other file with its size and SHA-256

Configurations: ``gold`` (one row per sentence with a gold label) and, when the
release holds every annotator's labels, ``labels`` (one row per labeled
sentence, the labels as a list). Splits: ``train``, ``validation``, ``test``;
a split with no rows has no file. The card's ``configs`` point at the Parquet
files (one format per configuration, as the library wants); the JSONL rows
have the shape of the dataset API's rows plus ``split``, and the CSV one line
per sentence and label.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import re
from hashlib import sha256

from datasets.selectors import iso as dataset_iso

MANIFEST = "manifest.json"
FORMAT = "annotator-dataset-release"
FORMAT_VERSION = 1
SPLITS = ("train", "validation", "test")
EXTENSIONS = ("parquet", "jsonl", "csv")
CONFIGS = ("gold", "labels")

# Common SPDX identifiers for data and code, with the id the Hugging Face Hub
# knows each by (lower case); anything else must be a ``LicenseRef-`` of the
# owner's, which the card calls "other".
SPDX_LICENCES: dict[str, str] = {
    "CC-BY-4.0": "cc-by-4.0",
    "CC-BY-SA-4.0": "cc-by-sa-4.0",
    "CC-BY-NC-4.0": "cc-by-nc-4.0",
    "CC-BY-NC-SA-4.0": "cc-by-nc-sa-4.0",
    "CC-BY-ND-4.0": "cc-by-nd-4.0",
    "CC-BY-NC-ND-4.0": "cc-by-nc-nd-4.0",
    "CC-BY-3.0": "cc-by-3.0",
    "CC-BY-SA-3.0": "cc-by-sa-3.0",
    "CC0-1.0": "cc0-1.0",
    "ODC-By-1.0": "odc-by",
    "ODbL-1.0": "odbl",
    "PDDL-1.0": "pddl",
    "CDLA-Permissive-2.0": "cdla-permissive-2.0",
    "CDLA-Sharing-1.0": "cdla-sharing-1.0",
    "MIT": "mit",
    "Apache-2.0": "apache-2.0",
    "BSD-3-Clause": "bsd-3-clause",
    "GPL-3.0-only": "gpl-3.0",
    "LGPL-3.0-only": "lgpl-3.0",
    "AGPL-3.0-only": "agpl-3.0",
    "MPL-2.0": "mpl-2.0",
    "Unlicense": "unlicense",
}
LICENCE_REF = re.compile(r"LicenseRef-[A-Za-z0-9.-]{1,56}")
VERSION_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def licence_check(value: str) -> str | None:
    """Why ``value`` is not an SPDX identifier this app knows, or None when it is."""
    if value in SPDX_LICENCES or LICENCE_REF.fullmatch(value):
        return None
    close = [known for known in SPDX_LICENCES if known.lower() == value.lower()]
    if close:
        return f"Write the SPDX identifier as {close[0]} (SPDX identifiers are case-sensitive)."
    return (
        f"{value!r} is not an SPDX licence identifier known here; use one of "
        f"{', '.join(SPDX_LICENCES)}, or LicenseRef-<name> for your own licence."
    )


def hub_licence(spdx: str) -> str:
    return SPDX_LICENCES.get(spdx, "other")


def size_category(rows: int) -> str:
    """The Hugging Face Hub's size bucket for ``rows`` rows."""
    buckets = [
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
        (100_000_000, "10M<n<100M"),
    ]
    for limit, name in buckets:
        if rows < limit:
            return name
    return "100M<n<1B"


def pseudonym(key: str, user_id: int) -> str:
    """An annotator's stable name within a corpus: a keyed hash of their id (HMAC-SHA256)."""
    digest = hmac.new(key.encode(), f"annotator:{user_id}".encode(), sha256).hexdigest()
    return f"annotator-{digest[:12]}"


def data_path(config: str, split: str, extension: str) -> str:
    return f"data/{config}/{split}.{extension}"


def iso(value: dt.datetime | None) -> str | None:
    """The dataset API's time format (``datasets.selectors.iso``); None stays None."""
    return None if value is None else dataset_iso(value)


# --- the columns of the Parquet and CSV files ---------------------------------------

ARTICLE_COLUMNS = [
    "corpus",
    "article_id",
    "article_title",
    "article_author",
    "article_outlet",
    "article_source_url",
    "article_published_on",
]
SENTENCE_COLUMNS = [
    "sentence_id",
    "sentence_index",
    "sentence_start",
    "sentence_end",
    "sentence_start_utf16",
    "sentence_end_utf16",
    "sentence_paragraph",
    "sentence_kind",
    "sentence_text",
    "split",
]
GOLD_COLUMNS = [
    "gold_label",
    "gold_origin",
    "gold_decided_by",
    "gold_decided_at",
    "gold_note",
    "gold_source",
]
ANNOTATION_FIELDS = [
    "annotator",
    "label",
    "note",
    "source",
    "guideline_version",
    "updated_at",
    "origin",
    "suggested_by",
]


def parquet_schema(config: str):
    import pyarrow as pa

    text, integer = pa.string(), pa.int64()
    when = pa.timestamp("us", tz="UTC")
    fields = [(name, text) for name in ARTICLE_COLUMNS]
    fields[1] = ("article_id", integer)
    fields[6] = ("article_published_on", pa.date32())
    fields += [(name, integer) for name in SENTENCE_COLUMNS[:7]]
    fields += [(name, text) for name in SENTENCE_COLUMNS[7:]]
    if config == "labels":
        annotation = pa.struct(
            [
                ("annotator", text),
                ("label", text),
                ("note", text),
                ("source", text),
                ("guideline_version", integer),
                ("updated_at", when),
                ("origin", text),
                ("suggested_by", text),
            ]
        )
        fields.append(("annotations", pa.list_(annotation)))
    fields += [(name, text) for name in GOLD_COLUMNS]
    fields[-3] = ("gold_decided_at", when)
    return pa.schema(fields)


def csv_columns(config: str) -> list[str]:
    annotation = [f"annotation_{name}" for name in ANNOTATION_FIELDS] if config == "labels" else []
    return [*ARTICLE_COLUMNS, *SENTENCE_COLUMNS, *annotation, *GOLD_COLUMNS]


# --- the documents -------------------------------------------------------------------


def _yaml_str(value: str) -> str:
    """A YAML scalar in double quotes (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def readme(*, info: dict) -> str:
    """The dataset card: YAML header as the Hugging Face Hub reads it, then prose."""
    lines = ["---", f"license: {hub_licence(info['licence'])}"]
    if hub_licence(info["licence"]) == "other":
        lines.append(f"license_name: {_yaml_str(info['licence'].lower())}")
    lines += [
        "language:",
        f"- {info['language']}",
        "task_categories:",
        "- text-classification",
        "task_ids:",
        "- multi-class-classification",
        "size_categories:",
        f"- {size_category(info['rows'])}",
        f"pretty_name: {_yaml_str(info['name'])}",
        "configs:",
    ]
    default = True
    for config, splits in info["configs"].items():
        lines.append(f"- config_name: {config}")
        if default:
            lines.append("  default: true")
            default = False
        lines.append("  data_files:")
        for split in splits:
            lines.append(f"  - split: {split}")
            lines.append(f"    path: {data_path(config, split, 'parquet')}")
    lines.append("---")
    configs = ", ".join(f"`{c}`" for c in info["configs"]) or "none (no labeled sentence)"
    first = next(iter(info["configs"]), "gold")
    body = f"""
# {info["name"]} ({info["version"]})

{info["description"] or "A dataset of opinion articles labeled sentence by sentence."}

Each sentence of each article is labeled as one of: {", ".join(info["labels"])}.

## Load it

```python
from datasets import load_dataset
dataset = load_dataset("path/to/this/folder", "{first}")
```

Configurations: {configs}. `gold` holds one row per sentence with a settled
(gold) label; `labels`, when present, every annotator's labels of each labeled
sentence (annotators are named by a stable pseudonym unless the card says
otherwise). Splits are by article: no article is in two splits, and an article
keeps its split in later releases of this corpus.

The same rows are in `data/<config>/<split>.jsonl` (one JSON object per line,
the shape of the annotator dataset API with a `split` key) and `.csv` (one
line per sentence and label; text cells that a spreadsheet would run as a
formula start with an apostrophe).

| config | split | rows |
|---|---|---|
"""
    for config, splits in info["configs"].items():
        for split, rows in splits.items():
            body += f"| {config} | {split} | {rows} |\n"
    body += f"""
## Licence

{info["licence"]} (SPDX).

## How it was made

See [datasheet.md](datasheet.md). Every file is listed with its SHA-256 in
[manifest.json](manifest.json).

## Citation

{info["citation"] or "See CITATION.cff."}
"""
    return "\n".join(lines) + "\n" + body


def citation_cff(*, info: dict) -> str:
    message = info["citation"] or "If you use this dataset, please cite it as below."
    lines = [
        "cff-version: 1.2.0",
        f"message: {_yaml_str(message)}",
        "type: dataset",
        f"title: {_yaml_str(info['name'])}",
        f"version: {_yaml_str(info['version'])}",
        f"date-released: {info['released_on']}",
        f"license: {_yaml_str(info['licence'])}",
        "authors:",
        f"  - name: {_yaml_str(info['corpus_name'])}",
    ]
    if info["description"]:
        lines.append(f"abstract: {_yaml_str(info['description'])}")
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        out.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(out) + "\n"


def _cell(value) -> str:
    text = "—" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def datasheet(*, info: dict) -> str:
    """The datasheet, following Gebru et al., "Datasheets for Datasets" (2021)."""
    c = info["composition"]
    labels = info["labels"]
    agreement = info["agreement"]
    parts = [
        f"# Datasheet: {info['name']} ({info['version']})\n",
        "Following Gebru et al., *Datasheets for Datasets* (Communications of the ACM, 2021).\n",
        "## Motivation\n",
        (info["description"] or "No description was given.") + "\n",
        f"The corpus *{info['corpus_name']}* was built to label every sentence of opinion "
        f"articles as one of: {', '.join(labels)}.\n",
        "## Composition\n",
        f"- Articles: {c['articles']}\n- Rows (labeled sentences): {info['rows']}\n"
        f"- Sentences with a gold label: {c['gold_sentences']}\n"
        f"- Annotator labels: {c['annotations']}\n"
        f"- Contents: {info['contents_text']}\n"
        f"- Articles excluded: archived articles are never included.\n",
        "### Per label\n",
        _table(
            ["label", "gold", "annotator labels"],
            [[k, c["gold_per_label"].get(k, 0), c["labels_per_label"].get(k, 0)] for k in labels],
        ),
        "### Per split\n",
        _table(
            ["split", "articles", "rows", *[f"gold {k}" for k in labels]],
            [
                [
                    s,
                    c["splits"][s]["articles"],
                    c["splits"][s]["rows"],
                    *[c["splits"][s]["gold_per_label"].get(k, 0) for k in labels],
                ]
                for s in SPLITS
            ],
        ),
        "### Per article\n",
        _table(
            ["article", "title", "split", "rows", "gold", "annotator labels"],
            [
                [a["id"], a["title"], a["split"], a["rows"], a["gold"], a["annotations"]]
                for a in c["per_article"]
            ],
        ),
        "## Agreement at release time\n",
        "Over the annotator labels of the sentences in this release (nominal data).\n\n"
        f"- Krippendorff's alpha: {_cell(agreement.get('alpha'))}\n"
        f"- Percent agreement: {_cell(agreement.get('percent_agreement'))}\n"
        f"- Sentences labeled by two or more annotators: "
        f"{agreement.get('pairable_units', 0)}\n",
        "Cohen's kappa per pair of annotators (on the sentences both labeled):\n\n",
        _table(
            ["annotator", "annotator", "kappa", "agreement", "sentences"],
            [
                [p["a"], p["b"], p["kappa"], p["agreement"], p["n"]]
                for p in agreement.get("pairs", [])
            ],
        )
        if agreement.get("pairs")
        else "No two annotators labeled the same sentence.\n",
        "## Annotators\n",
        f"{len(info['annotators'])} annotators labeled the sentences in this release. "
        + (
            "They are named by their usernames, as the corpus owner chose for this release.\n"
            if info["show_usernames"]
            else "They are named by pseudonyms: a keyed hash (HMAC-SHA256) of their account, "
            "stable across the releases of this corpus; names and e-mail addresses are not "
            "included.\n"
        ),
        _table(["annotator", "labels"], [[a["name"], a["labels"]] for a in info["annotators"]]),
        "## Collection\n",
        f"Articles were imported into annotator between {info['collection']['first_import']} "
        f"and {info['collection']['last_import']}; the original publication dates range from "
        f"{info['collection']['first_published']} to {info['collection']['last_published']}.\n",
        "### Sources (outlets)\n",
        _table(["outlet", "articles"], info["collection"]["outlets"]),
        f"Articles with a source URL: {info['collection']['with_url']}.\n",
        "### Segmentation\n",
        "Texts were split into sentences by annotator's rule-based segmenter, version(s): "
        + ", ".join(info["collection"]["segmenters"] or ["unknown"])
        + ".\n",
        "### Guidelines\n",
        "Each label records the guideline version it was made under (`guideline_version`). "
        "The texts of every version:\n",
    ]
    for g in info["guidelines"]:
        parts.append(f"#### Version {g['version']} ({g['created_at']})\n")
        quoted = "\n".join("> " + line for line in (g["text"] or "(empty)").splitlines())
        parts.append(quoted + "\n")
    parts += [
        "## Preprocessing\n",
        "Article text is kept exactly as imported, with line endings normalised to `\\n`. "
        "Sentence offsets (`sentence_start`, `sentence_end`) are code points into the "
        "article text; the `_utf16` offsets count UTF-16 code units. Headings are marked "
        "by `sentence_kind`. Only sentences with a label are included.\n",
        "## Uses\n",
        "Training and evaluating sentence classifiers of claims, speculation and sourced "
        "facts in opinion writing; studying annotator agreement. The articles are opinion "
        "pieces: do not use the labels as fact-checking verdicts.\n",
        "## Distribution\n",
        f"Licence: {info['licence']}. Released on {info['released_on']} as version "
        f"{info['version']}. Files are listed with their SHA-256 in `manifest.json`; a "
        "published release never changes.\n",
        "## Maintenance\n",
        "The corpus owners publish new versions as labeling goes on; each keeps the split "
        "of every article it shares with earlier versions. A release found faulty is "
        "withdrawn with a reason, never changed. Compare two versions on the releases "
        "page of the corpus (labels and articles added, removed, changed).\n",
    ]
    return "\n".join(parts)


def manifest(*, info: dict, files: dict[str, dict]) -> bytes:
    body = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "corpus": info["corpus"],
        "release": info["version"],
        "files": {name: files[name] for name in sorted(files)},
    }
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()
