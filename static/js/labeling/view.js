// The article's sentences on screen: what each shows (label tag, flags, save
// mark, aria-label), which one is current (roving tabindex), and the toolbar
// parts that follow them (progress, pressed label button, undo button).
// Sentence values live in the elements' data attributes, so what the page
// shows and what is saved from it cannot drift apart.
//
// A long article is held a window at a time: the page holds one contiguous
// run of its sentences and grows it at either end (append / prepend, fed by
// window.js). A sentence's position i is its place among the whole article's
// labelable sentences, so positions never shift as the window grows; `count`
// and the progress are the whole article's.

import { SAVE_MARKS, progressLine } from "./messages.js";
import { describe, flagsText, unlabeled } from "./values.js";

const FALLBACK_LABEL_COLOR = "#4b5563";
const SAVED_MARK_MS = 1500;

export class SentenceView {
  // counts: {before, total, labeled}: labelable sentences before the first one
  // on the page, in the article, and labeled by the user (the server's counts).
  // historyLink (optional): a link to the current sentence's history page; its
  // data-href-pattern holds the URL of sentence 0.
  constructor({ articleText, labelByKey, progressBar, progressText, labelButtons, undoButton, counts, historyLink }) {
    this.historyLink = historyLink || null;
    this.articleText = articleText;
    this.labelByKey = labelByKey;
    this.progressBar = progressBar;
    this.progressText = progressText;
    this.labelButtons = labelButtons;
    this.undoButton = undoButton;
    this.sentences = [...articleText.querySelectorAll(".sentence")];
    this.base = counts ? counts.before : 0;
    this.indexById = new Map();
    this.reindex();
    this.current = -1;
    this.total = counts ? counts.total : this.sentences.length;
    this.labeledCount = counts ? counts.labeled : this.sentences.filter((el) => el.dataset.label).length;
    this.savedMarkTimers = new Map();
  }

  reindex() {
    this.indexById = new Map(this.sentences.map((el, k) => [Number(el.dataset.id), this.base + k]));
  }

  // The whole article's labelable sentences.
  get count() {
    return this.total;
  }

  // Positions on the page: [first, end).
  get first() {
    return this.base;
  }

  get end() {
    return this.base + this.sentences.length;
  }

  isLoaded(i) {
    return Number.isInteger(i) && i >= this.base && i < this.end;
  }

  el(i) {
    return this.sentences[i - this.base];
  }

  // undefined for a sentence not on this page (not loaded, or segmented again since).
  indexOf(sentenceId) {
    return this.indexById.get(sentenceId);
  }

  indexOfElement(el) {
    return this.indexById.get(Number(el.dataset.id));
  }

  idAt(i) {
    return Number(this.el(i).dataset.id);
  }

  valueAt(i) {
    const el = this.el(i);
    return { label: el.dataset.label || null, note: el.dataset.note || "", source: el.dataset.source || "" };
  }

  versionAt(i) {
    return Number(this.el(i).dataset.version) || 0;
  }

  setVersion(i, version) {
    this.el(i).dataset.version = String(version);
  }

  textAt(i) {
    return this.isLoaded(i) ? this.el(i).querySelector(".sentence-text").textContent : "";
  }

  isCurrent(el) {
    return this.current >= 0 && this.isLoaded(this.current) && this.el(this.current) === el;
  }

  isLabeled(i) {
    return Boolean(this.el(i).dataset.label);
  }

  // rows: sentences from the API (index order) that follow the page's last one.
  append(rows) {
    const added = [];
    for (const row of rows) {
      const el = this.segmentElement(row);
      let p = this.articleText.lastElementChild;
      if (p && p.dataset.paragraph === String(row.paragraph)) {
        p.append(" ", el);
      } else {
        p = this.paragraphElement(row);
        p.append(el);
        this.articleText.append(p);
      }
      if (row.kind !== "heading") p.classList.remove("para-heading");
      if (el.classList.contains("sentence")) added.push(el);
    }
    this.sentences.push(...added);
    this.reindex();
    return added.length;
  }

  // rows: sentences from the API (index order) that come before the page's first one.
  prepend(rows) {
    const added = [];
    for (const row of [...rows].reverse()) {
      const el = this.segmentElement(row);
      let p = this.articleText.firstElementChild;
      if (p && p.dataset.paragraph === String(row.paragraph)) {
        p.prepend(el, " ");
      } else {
        p = this.paragraphElement(row);
        p.append(el);
        this.articleText.prepend(p);
      }
      if (row.kind !== "heading") p.classList.remove("para-heading");
      if (el.classList.contains("sentence")) added.unshift(el);
    }
    this.sentences.unshift(...added);
    this.base -= added.length;
    this.reindex();
    return added.length;
  }

  paragraphElement(row) {
    const p = document.createElement("p");
    p.dataset.paragraph = String(row.paragraph);
    if (row.kind === "heading") p.className = "para-heading";
    return p;
  }

  // The same markup as templates/articles/label.html; text only as text.
  segmentElement(row) {
    if (row.kind === "heading") {
      const heading = document.createElement("span");
      heading.className = "sentence-heading";
      heading.dataset.id = String(row.id);
      heading.dataset.index = String(row.index);
      heading.textContent = row.text;
      return heading;
    }
    const mine = row.my_annotation;
    const label = mine ? this.labelByKey.get(mine.label) : null;
    const el = document.createElement("span");
    el.className = "sentence";
    el.setAttribute("role", "button");
    el.setAttribute("aria-roledescription", "sentence");
    el.tabIndex = -1;
    el.id = `s${row.id}`;
    el.dataset.id = String(row.id);
    el.dataset.index = String(row.index);
    if (mine) el.dataset.label = mine.label;
    // A label a boundary change carried here, to be checked (review.js).
    if (mine && mine.needs_review) el.dataset.review = mine.review_reason || "check";
    el.dataset.version = String(mine ? mine.version : 0);
    el.dataset.note = mine ? mine.note : "";
    el.dataset.source = mine ? mine.source : "";
    const value = { label: mine ? mine.label : null, note: el.dataset.note, source: el.dataset.source };
    el.setAttribute("aria-label", `${describe(value, this.labelByKey)}. ${row.text}`);
    const parts = [
      ["sentence-text", row.text],
      ["sentence-tag", label ? label.name : mine ? mine.label : ""],
      ["sentence-flags", flagsText(value)],
      ["save-mark", ""],
    ];
    for (const [className, text] of parts) {
      const part = document.createElement("span");
      part.className = className;
      part.textContent = text;
      if (className !== "sentence-text") part.setAttribute("aria-hidden", "true");
      el.append(part);
    }
    if (mine) el.style.setProperty("--label-color", label?.color || FALLBACK_LABEL_COLOR);
    return el;
  }

  // The server renders the labels; their colours come from the config
  // because the CSP allows no inline styles.
  paintLabelColors() {
    for (const el of this.sentences) {
      if (el.dataset.label) el.style.setProperty("--label-color", this.labelByKey.get(el.dataset.label)?.color || FALLBACK_LABEL_COLOR);
    }
  }

  // Article text only ever goes into the page as text (textContent).
  render(i, value) {
    const el = this.el(i);
    const label = value.label ? this.labelByKey.get(value.label) : null;
    const wasLabeled = Boolean(el.dataset.label);
    if (label) {
      el.dataset.label = label.key;
      el.style.setProperty("--label-color", label.color);
    } else {
      delete el.dataset.label;
      el.style.removeProperty("--label-color");
    }
    el.dataset.note = value.note || "";
    el.dataset.source = value.source || "";
    // Any value the analyst writes settles a carried label's check (the server clears it too).
    delete el.dataset.review;
    el.querySelector(".sentence-tag").textContent = label ? label.name : "";
    el.querySelector(".sentence-flags").textContent = flagsText(value);
    el.setAttribute("aria-label", `${describe(value, this.labelByKey)}. ${this.textAt(i)}`);
    this.labeledCount += (label ? 1 : 0) - (wasLabeled ? 1 : 0);
  }

  renderUnlabeled(i) {
    this.render(i, unlabeled());
  }

  updateProgress() {
    const total = this.total;
    this.progressBar.max = total || 1;
    this.progressBar.value = this.labeledCount;
    this.progressText.textContent = progressLine(this.labeledCount, total);
  }

  updateLabelBar() {
    const key = this.isLoaded(this.current) ? this.el(this.current).dataset.label : undefined;
    for (const button of this.labelButtons) {
      button.setAttribute("aria-pressed", String(button.dataset.labelKey === key));
    }
  }

  // After a change: everything that counts or reflects labels.
  refresh() {
    this.updateProgress();
    this.updateLabelBar();
  }

  setUndoAvailable(available) {
    this.undoButton.disabled = !available;
  }

  // state: a SaveQueue entry state, or "" to clear the mark. "saved" fades.
  showSaveState(sentenceId, state, detail) {
    const i = this.indexById.get(sentenceId);
    if (i === undefined) return;
    const el = this.el(i);
    const mark = el.querySelector(".save-mark");
    clearTimeout(this.savedMarkTimers.get(sentenceId));
    el.dataset.save = state;
    mark.dataset.state = state;
    mark.textContent = SAVE_MARKS[state] || "";
    mark.title = detail || "";
    if (!state) {
      delete el.dataset.save;
      delete mark.dataset.state;
    } else if (state === "saved") {
      this.savedMarkTimers.set(
        sentenceId,
        setTimeout(() => {
          delete el.dataset.save;
          mark.textContent = "";
          delete mark.dataset.state;
        }, SAVED_MARK_MS),
      );
    }
  }

  // Only the current sentence is in the tab order (roving tabindex).
  focus(i, { scroll = true } = {}) {
    if (!this.isLoaded(i)) return;
    if (this.isLoaded(this.current)) {
      this.el(this.current).classList.remove("is-current");
      this.el(this.current).tabIndex = -1;
    }
    this.current = i;
    const el = this.el(i);
    el.classList.add("is-current");
    el.tabIndex = 0;
    el.focus({ preventScroll: !scroll });
    if (scroll) el.scrollIntoView({ block: "nearest" });
    this.updateLabelBar();
    if (this.historyLink) {
      this.historyLink.href = this.historyLink.dataset.hrefPattern.replace("/0/", `/${el.dataset.id}/`);
    }
  }
}
