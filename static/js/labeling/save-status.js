// The save area: one status line for the whole queue, the offline banner, and
// the list of changes the server refused for good (the article is being
// segmented again, the label was removed...), each with a Discard button.
// Discarding shows what is stored again and ends the leave-page warning.

import { discardAllLabel, offlineBanner, quoteExcerpt, saveStatus } from "./messages.js";
import { describe } from "./values.js";

export class SaveStatusPanel {
  // refused(): the queue's refused entries; discard(ids or null for all).
  constructor({ view, labelByKey, refused, discard }) {
    this.view = view;
    this.labelByKey = labelByKey;
    this.refused = refused;
    this.statusEl = document.getElementById("save-status");
    this.banner = document.getElementById("offline-banner");
    this.discardAllButton = document.getElementById("discard-failed");
    this.refusedPanel = document.getElementById("refused-panel");
    this.refusedList = document.getElementById("refused-list");
    this.refusedShown = "";
    this.discardAllButton.addEventListener("click", () => discard(null));
    this.refusedList.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-sentence-id]");
      if (button) discard([Number(button.dataset.sentenceId)]);
    });
  }

  // summary: SaveQueue.summary().
  show(summary) {
    const { state, text } = saveStatus(summary);
    // Rewriting the same text would make screen readers announce it again.
    if (this.statusEl.dataset.state !== state || this.statusEl.textContent !== text) {
      this.statusEl.dataset.state = state;
      this.statusEl.textContent = text;
    }
    this.discardAllButton.hidden = summary.rejected === 0;
    this.discardAllButton.textContent = discardAllLabel(summary.rejected);
    this.showRefused();
    const banner = offlineBanner(summary);
    this.banner.hidden = banner === null;
    if (banner !== null) this.banner.textContent = banner;
  }

  showRefused() {
    const refused = this.refused();
    // The status is shown after every queue event: rebuild the list only when
    // it changed, or the focus would fall off a Discard button the user is on.
    const key = refused.map((e) => `${e.sentenceId}:${e.wanted.label}:${e.error}`).join("|");
    if (key === this.refusedShown) return;
    this.refusedShown = key;
    const items = refused.map((entry) => this.refusedItem(entry));
    this.refusedList.replaceChildren(...items);
    this.refusedPanel.hidden = items.length === 0;
  }

  refusedItem(entry) {
    const i = this.view.indexOf(entry.sentenceId);
    const item = document.createElement("li");
    const quote = document.createElement("q");
    const text = i === undefined ? `Sentence ${entry.sentenceId}` : this.view.textAt(i);
    quote.textContent = quoteExcerpt(text);
    const what = document.createElement("span");
    what.textContent = ` → ${describe(entry.wanted, this.labelByKey)}: ${entry.error} `;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small";
    button.dataset.sentenceId = String(entry.sentenceId);
    button.textContent = "Discard";
    button.setAttribute("aria-label", `Discard the refused change to “${quote.textContent}”`);
    item.append(quote, what, button);
    return item;
  }
}
