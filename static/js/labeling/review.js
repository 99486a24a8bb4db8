// Labels a boundary change carried to a new sentence (a split, a merge, a new
// segmentation, a corrected text) are marked "check" (data-review). The check
// dialog (c, or the toolbar's Check button) shows the text the label was made
// on and the label each old sentence had; the analyst keeps the label (the
// same value written again settles the check on the server) or takes another
// one, from the dialog or with its key as usual.

import { describe } from "./values.js";

export const REASONS = {
  split: "The sentence was split; each part kept the label.",
  merge: "Sentences were merged; their labels are below. Choose the one that fits.",
  resegmented: "The article was segmented again, and this sentence changed.",
  text: "The article's text was corrected, and this sentence changed.",
};

// What the check dialog offers besides keeping the current label: each other
// label the old sentences had, once.
export function alternatives(reviewFrom, currentLabel) {
  const seen = new Set([currentLabel]);
  const out = [];
  for (const item of reviewFrom || []) {
    if (item.label && !seen.has(item.label)) {
      seen.add(item.label);
      out.push(item.label);
    }
  }
  return out;
}

export class ReviewChecker {
  // fetchPage: annotation-api.js's sentencesFetcher (the server's review details).
  constructor({ view, actions, queue, labelByKey, toast, fetchPage }) {
    this.view = view;
    this.actions = actions;
    this.queue = queue;
    this.labelByKey = labelByKey;
    this.toast = toast;
    this.fetchPage = fetchPage;
    this.dialog = document.getElementById("review-dialog");
    this.why = document.getElementById("review-dialog-why");
    this.now = document.getElementById("review-now");
    this.list = document.getElementById("review-from");
    this.actionsBar = document.getElementById("review-actions");
    this.keepButton = document.getElementById("review-keep");
    this.index = -1;
  }

  wire() {
    document.getElementById("review-button").addEventListener("click", () => this.open());
    document.getElementById("review-cancel").addEventListener("click", () => this.dialog.close());
    this.keepButton.addEventListener("click", () => this.keep());
    this.describeAll();
    document.addEventListener("labeling:boundaries-changed", () => this.describeAll());
  }

  // Screen readers hear the check in each flagged sentence's name.
  describeAll() {
    for (const el of this.view.sentences) {
      if (el.dataset.review && !el.getAttribute("aria-label").includes("needs a check")) {
        el.setAttribute("aria-label", `${el.getAttribute("aria-label")} (needs a check: press c)`);
      }
    }
  }

  async open() {
    const view = this.view;
    if (!view.isLoaded(view.current)) view.focus(view.first);
    if (!view.isLoaded(view.current)) return;
    const i = view.current;
    const el = view.el(i);
    if (!el.dataset.review) {
      this.toast("This label needs no check.");
      return;
    }
    let row = null;
    try {
      const answer = await this.fetchPage({ offset: Number(el.dataset.index), limit: 1 });
      row = answer.status === 200 ? answer.data.results[0] : null;
    } catch {
      row = null;
    }
    const mine = row && row.id === view.idAt(i) ? row.my_annotation : null;
    this.index = i;
    this.why.textContent = REASONS[el.dataset.review] || "A change of boundaries carried this label here.";
    this.now.textContent = `${describe(view.valueAt(i), this.labelByKey)}: “${view.textAt(i)}”`;
    this.list.replaceChildren();
    for (const item of mine?.review_from || []) {
      const li = document.createElement("li");
      li.append(`It was on: “${item.text}”`);
      const tag = document.createElement("span");
      tag.className = "review-label";
      tag.textContent = `labeled ${this.labelByKey.get(item.label)?.name || item.label}${item.note ? ` — note: ${item.note}` : ""}`;
      li.append(tag);
      this.list.append(li);
    }
    for (const old of this.actionsBar.querySelectorAll("[data-use-label]")) old.remove();
    for (const key of alternatives(mine?.review_from, view.valueAt(i).label)) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.dataset.useLabel = key;
      button.textContent = `Use ${this.labelByKey.get(key)?.name || key}`;
      button.addEventListener("click", () => this.use(key));
      this.actionsBar.insertBefore(button, this.keepButton);
    }
    const current = this.labelByKey.get(view.valueAt(i).label);
    this.keepButton.textContent = current ? `Keep ${current.name}` : "Keep this label";
    this.dialog.showModal();
    this.keepButton.focus();
  }

  // The same value saved again: the server clears the check (a "confirm" in the history).
  keep() {
    const view = this.view;
    const i = this.index;
    this.dialog.close();
    if (!view.isLoaded(i)) return;
    const id = view.idAt(i);
    const value = view.valueAt(i);
    view.render(i, value);
    view.refresh();
    this.queue.enqueue(id, value, this.actions.stored.get(id)?.version || view.versionAt(i));
    this.toast("Label kept; the check is done.");
    view.focus(i);
  }

  use(key) {
    const view = this.view;
    const i = this.index;
    this.dialog.close();
    if (!view.isLoaded(i)) return;
    const label = this.labelByKey.get(key);
    const before = view.valueAt(i);
    this.actions.setValue(i, { label: key, note: before.note, source: label?.takesSource ? before.source : "" });
    this.toast(`Now ${label ? label.name : key}; the check is done.`);
    view.focus(i);
  }
}
