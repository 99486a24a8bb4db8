// The labeling screen's dialogs and panels: toast, note and source dialogs,
// shortcut help, guidelines panel and the conflict dialog. They only show and
// ask; what a choice does to the labels is passed in (see actions.js).

import { describeFull, sourceRefusal } from "./values.js";

const TOAST_MS = 3500;
const GUIDELINES_KEY = "annotator:guidelines-open";

// avoid(): the element the toast must never cover (the sentence in focus), or
// null. The toast sits at the bottom of the window, or at the top, under the
// toolbar, while the bottom would cover that element; it moves again as the
// focus moves or the page scrolls.
export function createToast(toastEl, avoid = () => null) {
  let timer = null;
  const place = () => {
    if (toastEl.hidden) return;
    toastEl.classList.remove("toast-top");
    const target = avoid();
    if (!target) return;
    const a = toastEl.getBoundingClientRect();
    const b = target.getBoundingClientRect();
    const overlaps = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    if (overlaps) toastEl.classList.add("toast-top");
  };
  document.addEventListener("focusin", place);
  window.addEventListener("scroll", place, { passive: true });
  window.addEventListener("resize", place, { passive: true });
  return function toast(message) {
    toastEl.textContent = message;
    toastEl.hidden = false;
    place();
    clearTimeout(timer);
    timer = setTimeout(() => {
      toastEl.hidden = true;
    }, TOAST_MS);
  };
}

// Keeps --toolbar-height on the document equal to the sticky toolbar's height,
// so scrolling a sentence into view stops below the toolbar (scroll-padding-top
// in app.css) and the toast's top place sits under it.
export function trackToolbarHeight(toolbar) {
  const set = () => document.documentElement.style.setProperty("--toolbar-height", `${toolbar.offsetHeight}px`);
  set();
  new ResizeObserver(set).observe(toolbar);
}

// While a dialog is open the keys are the dialog's, not the shortcuts'.
export function anyDialogOpen() {
  return Boolean(document.querySelector("dialog[open]"));
}

// One text field about one sentence; the focus returns to that sentence
// however the dialog ends (Escape, Cancel, Save).
function openTextDialog({ dialogId, inputId, quoteId, quote, value, onSave, onClose }) {
  const dialog = document.getElementById(dialogId);
  const input = document.getElementById(inputId);
  document.getElementById(quoteId).textContent = quote;
  input.value = value;
  const form = dialog.querySelector("form");
  const cancel = dialog.querySelector("button[value='cancel']");
  const submit = (event) => {
    event.preventDefault();
    onSave(input.value.trim());
    dialog.close();
  };
  const onCancel = () => dialog.close();
  form.addEventListener("submit", submit);
  cancel.addEventListener("click", onCancel);
  dialog.addEventListener(
    "close",
    () => {
      form.removeEventListener("submit", submit);
      cancel.removeEventListener("click", onCancel);
      onClose();
    },
    { once: true },
  );
  dialog.showModal();
  input.focus();
}

// The note (n) and source (s) of the current sentence. save(i, value) stores
// the sentence's new value.
export class SentenceDialogs {
  constructor({ view, labels, labelByKey, toast, save }) {
    this.view = view;
    this.labels = labels;
    this.labelByKey = labelByKey;
    this.toast = toast;
    this.save = save;
    // Ctrl+Enter saves a note (Enter alone starts a new line).
    document.getElementById("note-input").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        document.getElementById("note-form").requestSubmit();
      }
    });
  }

  openNote() {
    const i = this.view.current;
    if (i < 0) return;
    const value = this.view.valueAt(i);
    if (!value.label) {
      this.toast("Label the sentence first: a note belongs to a label.");
      return;
    }
    this.open(i, { dialogId: "note-dialog", inputId: "note-input", quoteId: "note-quote", field: "note", value: value.note });
  }

  openSource() {
    const i = this.view.current;
    if (i < 0) return;
    const value = this.view.valueAt(i);
    const label = value.label ? this.labelByKey.get(value.label) : null;
    if (!label || !label.takesSource) {
      this.toast(sourceRefusal(this.labels));
      return;
    }
    this.open(i, { dialogId: "source-dialog", inputId: "source-input", quoteId: "source-quote", field: "source", value: value.source });
  }

  open(i, { field, ...ids }) {
    openTextDialog({
      ...ids,
      quote: this.view.textAt(i),
      // The sentence as it is when saved: its label may have changed meanwhile.
      onSave: (text) => this.save(i, { ...this.view.valueAt(i), [field]: text }),
      onClose: () => this.view.focus(i),
    });
  }
}

export function setUpHelp() {
  const dialog = document.getElementById("help-dialog");
  document.getElementById("help-close").addEventListener("click", () => dialog.close());
  return function openHelp() {
    dialog.showModal();
    document.getElementById("help-close").focus();
  };
}

// The guidelines beside the text; whether they are open is remembered on
// this device for the next article.
export class GuidelinesPanel {
  constructor() {
    this.panel = document.getElementById("guidelines-panel");
    this.toggleButton = document.getElementById("guidelines-toggle");
    this.toggleButton.addEventListener("click", () => this.toggle());
    document.getElementById("guidelines-close").addEventListener("click", () => {
      this.toggle(false);
      this.toggleButton.focus();
    });
  }

  // force: true opens, false closes, undefined flips.
  toggle(force) {
    const open = force === undefined ? this.panel.hidden : force;
    this.panel.hidden = !open;
    this.toggleButton.setAttribute("aria-expanded", String(open));
    document.getElementById("labeling-body").classList.toggle("with-guidelines", open);
    try {
      localStorage.setItem(GUIDELINES_KEY, open ? "1" : "0");
    } catch {
      // not kept: fine
    }
    if (open) document.getElementById("guidelines-heading").scrollIntoView({ block: "nearest" });
  }

  reopenIfLeftOpen() {
    if (localStorage.getItem(GUIDELINES_KEY) === "1") this.toggle(true);
  }
}

// Conflicts are shown one at a time; the user picks which value stays.
// mineFor(sentenceId) is the value this page wants to save; keepMine and
// takeTheirs(sentenceId, theirs) carry out the choice.
export class ConflictDialog {
  constructor({ view, labelByKey, mineFor, keepMine, takeTheirs }) {
    this.view = view;
    this.labelByKey = labelByKey;
    this.mineFor = mineFor;
    this.keepMine = keepMine;
    this.takeTheirs = takeTheirs;
    this.waiting = [];
    this.dialog = document.getElementById("conflict-dialog");
    document.getElementById("conflict-mine-button").addEventListener("click", () => this.resolve(true));
    document.getElementById("conflict-theirs-button").addEventListener("click", () => this.resolve(false));
    // A conflict must be decided; Escape does not dismiss it.
    this.dialog.addEventListener("cancel", (event) => event.preventDefault());
  }

  // theirs: the annotation the server holds now (null: none).
  add(sentenceId, theirs) {
    this.waiting.push({ sentenceId, theirs });
    this.showNext();
  }

  showNext() {
    if (this.dialog.open || this.waiting.length === 0) return;
    const { sentenceId, theirs } = this.waiting[0];
    const i = this.view.indexOf(sentenceId);
    this.view.focus(i);
    document.getElementById("conflict-quote").textContent = this.view.textAt(i);
    document.getElementById("conflict-mine").textContent = describeFull(this.mineFor(sentenceId), this.labelByKey);
    document.getElementById("conflict-theirs").textContent = describeFull(theirs, this.labelByKey);
    this.dialog.showModal();
    document.getElementById("conflict-mine-button").focus();
  }

  resolve(keepMine) {
    const item = this.waiting.shift();
    this.dialog.close();
    if (!item) return;
    if (keepMine) this.keepMine(item.sentenceId, item.theirs);
    else this.takeTheirs(item.sentenceId, item.theirs);
    this.view.focus(this.view.indexOf(item.sentenceId));
    this.showNext();
  }
}
