// The article's sentences on screen: what each shows (label tag, flags, save
// mark, aria-label), which one is current (roving tabindex), and the toolbar
// parts that follow them (progress, pressed label button, undo button).
// Sentence values live in the elements' data attributes, so what the page
// shows and what is saved from it cannot drift apart.

import { SAVE_MARKS, progressLine } from "./messages.js";
import { describe, flagsText, unlabeled } from "./values.js";

const FALLBACK_LABEL_COLOR = "#4b5563";
const SAVED_MARK_MS = 1500;

export class SentenceView {
  constructor({ articleText, labelByKey, progressBar, progressText, labelButtons, undoButton }) {
    this.labelByKey = labelByKey;
    this.progressBar = progressBar;
    this.progressText = progressText;
    this.labelButtons = labelButtons;
    this.undoButton = undoButton;
    this.sentences = [...articleText.querySelectorAll(".sentence")];
    this.indexById = new Map(this.sentences.map((el, i) => [Number(el.dataset.id), i]));
    this.current = -1;
    this.labeledCount = this.sentences.filter((el) => el.dataset.label).length;
    this.savedMarkTimers = new Map();
  }

  get count() {
    return this.sentences.length;
  }

  // undefined for a sentence not on this page (segmented again since).
  indexOf(sentenceId) {
    return this.indexById.get(sentenceId);
  }

  indexOfElement(el) {
    return this.sentences.indexOf(el);
  }

  idAt(i) {
    return Number(this.sentences[i].dataset.id);
  }

  valueAt(i) {
    const el = this.sentences[i];
    return { label: el.dataset.label || null, note: el.dataset.note || "", source: el.dataset.source || "" };
  }

  versionAt(i) {
    return Number(this.sentences[i].dataset.version) || 0;
  }

  setVersion(i, version) {
    this.sentences[i].dataset.version = String(version);
  }

  textAt(i) {
    return this.sentences[i].querySelector(".sentence-text").textContent;
  }

  isCurrent(el) {
    return this.current >= 0 && this.sentences[this.current] === el;
  }

  isLabeled(i) {
    return Boolean(this.sentences[i].dataset.label);
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
    const el = this.sentences[i];
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
    el.querySelector(".sentence-tag").textContent = label ? label.name : "";
    el.querySelector(".sentence-flags").textContent = flagsText(value);
    el.setAttribute("aria-label", `${describe(value, this.labelByKey)}. ${this.textAt(i)}`);
    this.labeledCount += (label ? 1 : 0) - (wasLabeled ? 1 : 0);
  }

  renderUnlabeled(i) {
    this.render(i, unlabeled());
  }

  updateProgress() {
    const total = this.sentences.length;
    this.progressBar.max = total || 1;
    this.progressBar.value = this.labeledCount;
    this.progressText.textContent = progressLine(this.labeledCount, total);
  }

  updateLabelBar() {
    const key = this.current >= 0 ? this.sentences[this.current].dataset.label : undefined;
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
    const el = this.sentences[this.indexById.get(sentenceId)];
    if (!el) return;
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
    if (i < 0 || i >= this.sentences.length) return;
    if (this.current >= 0) {
      this.sentences[this.current].classList.remove("is-current");
      this.sentences[this.current].tabIndex = -1;
    }
    this.current = i;
    const el = this.sentences[i];
    el.classList.add("is-current");
    el.tabIndex = 0;
    el.focus({ preventScroll: !scroll });
    if (scroll) el.scrollIntoView({ block: "nearest" });
    this.updateLabelBar();
  }
}
