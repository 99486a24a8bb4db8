// Changing sentence boundaries on the labeling screen: split a sentence at the
// cursor, merge it with the next segment, mark a segment a heading (no label)
// or a sentence to label, undo the last change. Each change is one call to
// POST /api/articles/{id}/segmentation/ (or .../{edit}/undo/); the answer
// names the sentences removed and the new ones, which replace them on the page
// in place. Labels follow on the server (marked for a check, see review.js).
//
// Keyboard: b opens the dialog on the current sentence; in it, the arrow keys
// move the cursor in the text and Enter splits there. Mouse: the toolbar's
// "Boundaries" button, or a click on a heading.

import { apiFetch, errorMessage } from "../lib/api.js";

// The code point offset of a UTF-16 position in text (the API counts code points).
export function codePointOffset(text, utf16) {
  return [...text.slice(0, utf16)].length;
}

export class BoundaryEditor {
  constructor({ config, view, held, actions, queue, toast, articleText, fetchJson = apiFetch }) {
    this.apiRoot = config.apiRoot;
    this.articleId = config.articleId;
    this.view = view;
    this.held = held;
    this.actions = actions;
    this.queue = queue;
    this.toast = toast;
    this.articleText = articleText;
    this.fetchJson = fetchJson;
    this.dialog = document.getElementById("boundary-dialog");
    this.textArea = document.getElementById("boundary-text");
    this.status = document.getElementById("boundary-status");
    this.kindButton = document.getElementById("boundary-kind");
    this.splitButton = document.getElementById("boundary-split");
    this.mergeButton = document.getElementById("boundary-merge");
    this.target = null; // the segment element the dialog acts on
    this.undoable = []; // edit ids made on this page, newest last
    this.busy = false;
  }

  get url() {
    return `${this.apiRoot}articles/${this.articleId}/segmentation/`;
  }

  wire() {
    document.getElementById("boundary-button").addEventListener("click", () => this.open());
    document.getElementById("boundary-cancel").addEventListener("click", () => this.dialog.close());
    this.splitButton.addEventListener("click", () => this.split());
    this.mergeButton.addEventListener("click", () => this.merge());
    this.kindButton.addEventListener("click", () => this.toggleKind());
    document.getElementById("boundary-undo").addEventListener("click", () => this.undo());
    // The text is there to place the cursor in, never to change (a corrected text
    // goes through the owner's text correction): typing and pasting do nothing.
    this.textArea.addEventListener("beforeinput", (event) => event.preventDefault());
    this.textArea.addEventListener("input", () => {
      if (this.target) this.textArea.value = this.textOf(this.target);
    });
    this.textArea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey) {
        event.preventDefault();
        this.split();
      }
    });
    // Headings take no label and are not in the sentence navigation: a click, or
    // Enter when one has the focus, opens the dialog on it.
    this.articleText.addEventListener("click", (event) => {
      const heading = event.target.closest(".sentence-heading");
      if (heading) this.open(heading);
    });
    this.articleText.addEventListener("keydown", (event) => {
      const heading = event.target.closest?.(".sentence-heading");
      if (heading && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        this.open(heading);
      }
    });
    this.markHeadings();
  }

  markHeadings() {
    for (const heading of this.articleText.querySelectorAll(".sentence-heading")) {
      if (heading.getAttribute("role") === "button") continue;
      heading.setAttribute("role", "button");
      heading.tabIndex = 0;
      heading.setAttribute("aria-label", `Heading, no label: ${heading.textContent}. Press Enter to change its boundaries.`);
    }
  }

  segments() {
    return [...this.articleText.querySelectorAll(".sentence, .sentence-heading")];
  }

  textOf(el) {
    return el.classList.contains("sentence") ? el.querySelector(".sentence-text").textContent : el.textContent;
  }

  // el: a segment element; by default the current sentence.
  open(el = null) {
    const view = this.view;
    const target = el || (view.isLoaded(view.current) ? view.el(view.current) : null);
    if (!target) {
      this.toast("Move to a sentence first (j or k), then press b.");
      return;
    }
    this.target = target;
    const heading = target.classList.contains("sentence-heading");
    this.kindButton.textContent = heading ? "Mark as a sentence to label" : "Mark as heading (no label)";
    this.splitButton.disabled = heading;
    this.textArea.value = this.textOf(target);
    this.status.textContent = "";
    this.dialog.showModal();
    this.textArea.focus();
    this.textArea.setSelectionRange(0, 0);
  }

  fail(message) {
    this.status.textContent = message;
    if (!this.dialog.open) this.toast(message);
  }

  // Labels waiting to be saved name sentences an edit may remove: save them first.
  savedFirst() {
    if (this.queue.size === 0) return true;
    this.fail("Some labels are still being saved; try again once “All changes saved” shows.");
    return false;
  }

  async send(url, body = undefined) {
    if (this.busy || !this.savedFirst()) return null;
    this.busy = true;
    let answer;
    try {
      answer = await this.fetchJson(url, { method: "POST", body });
    } catch {
      answer = null;
    } finally {
      this.busy = false;
    }
    if (!answer) {
      this.fail("The server cannot be reached; nothing was changed. Try again.");
      return null;
    }
    if (answer.status !== 200) {
      this.fail(errorMessage(answer.data, `The server answered ${answer.status}; nothing was changed.`));
      return null;
    }
    this.dialog.close();
    this.apply(answer.data);
    return answer.data;
  }

  async split() {
    const target = this.target;
    if (!target || !target.classList.contains("sentence")) return;
    const text = this.textOf(target);
    const at = codePointOffset(text, this.textArea.selectionStart);
    if (at <= 0 || at >= [...text].length) {
      this.fail("Put the cursor inside the sentence, where the second part starts.");
      return;
    }
    const done = await this.send(this.url, { action: "split", sentence: Number(target.dataset.id), at });
    if (done) this.toast("Split in two; each part keeps its label, marked “check”.");
  }

  async merge() {
    const target = this.target;
    if (!target) return;
    let segments = this.segments();
    let next = segments[segments.indexOf(target) + 1];
    if (!next && this.held.hasAfter) {
      await this.held.loadAfter();
      segments = this.segments();
      next = segments[segments.indexOf(target) + 1];
    }
    if (!next) {
      this.fail("This is the last segment: there is nothing after it to merge.");
      return;
    }
    const body = { action: "merge", sentence: Number(target.dataset.id), next: Number(next.dataset.id) };
    const done = await this.send(this.url, body);
    if (done) this.toast(done.edit?.labels_for_review ? "Merged; the labels differed: choose one (c)." : "Merged.");
  }

  async toggleKind() {
    const target = this.target;
    if (!target) return;
    const action = target.classList.contains("sentence-heading") ? "sentence" : "heading";
    const done = await this.send(this.url, { action, sentence: Number(target.dataset.id) });
    if (done) this.toast(action === "heading" ? "Marked a heading: it takes no label." : "Marked a sentence to label.");
  }

  async undo() {
    let id = this.undoable.pop();
    if (id === undefined) {
      // Nothing undone from this page yet: the newest edit on the server that stands.
      const answer = await this.fetchJson(this.url).catch(() => null);
      const undoableKinds = ["split", "merge", "heading", "sentence"];
      const latest = answer?.status === 200 ? answer.data.find((e) => !e.undone_at && undoableKinds.includes(e.kind)) : null;
      id = latest?.id;
    }
    if (id === undefined) {
      this.fail("There is no boundary change to undo.");
      return;
    }
    const done = await this.send(`${this.url}${id}/undo/`);
    if (done) this.toast("Boundary change undone; the labels are back as they were.");
  }

  // The answer of an edit: put its sentences in place of the removed ones.
  apply(result) {
    const view = this.view;
    const rows = result.sentences;
    const replaced = new Set([...result.removed, ...rows.map((r) => r.id)]);
    const old = this.segments().filter((el) => replaced.has(Number(el.dataset.id)));
    if (!old.length) {
      window.location.reload(); // outside what the page holds: show it fresh
      return;
    }
    const anchor = old[0];
    const parent = anchor.parentNode;
    const fresh = rows.map((row) => view.segmentElement(row));
    for (const el of fresh) {
      parent.insertBefore(el, anchor);
      parent.insertBefore(document.createTextNode(" "), anchor);
    }
    for (const el of old) {
      const p = el.parentNode;
      if (el.nextSibling?.nodeType === Node.TEXT_NODE) el.nextSibling.remove();
      else if (el.previousSibling?.nodeType === Node.TEXT_NODE) el.previousSibling.remove();
      el.remove();
      if (p && !p.querySelector(".sentence, .sentence-heading")) p.remove();
    }
    for (const p of this.articleText.querySelectorAll("p[data-paragraph]")) {
      const headingsOnly = !p.querySelector(".sentence");
      p.classList.toggle("para-heading", headingsOnly);
    }
    // Positions and indexes after the change.
    const delta = fresh.length - old.length;
    this.held.stop += delta;
    this.held.sentenceCount = result.counts.sentence_count;
    this.segments().forEach((el, k) => {
      el.dataset.index = String(this.held.start + k);
    });
    view.sentences = [...this.articleText.querySelectorAll(".sentence")];
    view.reindex();
    view.total = result.counts.total;
    view.labeledCount = result.counts.labeled;
    for (const el of fresh) {
      if (el.classList.contains("sentence")) this.actions.remember(view.indexOfElement(el));
    }
    // Label undo remembers positions, which this change moved.
    this.actions.history.changes.length = 0;
    view.setUndoAvailable(false);
    view.paintLabelColors();
    this.markHeadings();
    view.updateProgress();
    if (result.edit && result.edit.kind !== "undo") this.undoable.push(result.edit.id);
    const first = fresh.find((el) => el.classList.contains("sentence"));
    if (first) view.focus(view.indexOfElement(first));
    else fresh[0]?.focus();
    document.dispatchEvent(new CustomEvent("labeling:boundaries-changed", { detail: result }));
  }
}

// The keys of boundary editing and label checks, beside keys.js's (which leaves
// them alone): keys maps a lower-case key to what it does. A label's own
// shortcut always wins.
export function editKeyAction(event, labelByShortcut, keys) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (labelByShortcut.has(key) || !Object.hasOwn(keys, key)) return null;
  return keys[key];
}

export function listenForEditKeys(target, { labelByShortcut, isPaused, keys }) {
  target.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || isPaused()) return;
    const t = event.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    const run = editKeyAction(event, labelByShortcut, keys);
    if (!run) return;
    event.preventDefault();
    run();
  });
}
