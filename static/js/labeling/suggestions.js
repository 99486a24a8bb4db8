// Machine suggestions on the labeling screen: each unlabeled sentence shows the
// suggested label and its confidence, styled apart from a person's label (a
// dashed "Suggested" chip, never the label tag) and described to screen
// readers as a suggestion (aria-describedby). "a" accepts the suggestion for
// the sentence in focus: labeling.js stores it as the user's own label through
// the usual save queue, naming the model version it came from. Suggestions are
// fetched from GET /api/articles/{id}/suggestions/; when the corpus labels
// blind nothing is shown; each user can hide them for themselves (kept in
// localStorage). This module only adds to the page; the sentences stay view.js's.

import { apiFetch } from "../lib/api.js";

// The chip's text: "Suggested: Claim 72%". Needs no DOM (unit-tested).
export function suggestionText(suggestion, labelByKey) {
  const label = labelByKey.get(suggestion.label);
  const name = label ? label.name : suggestion.label;
  return `Suggested: ${name} ${Math.round(suggestion.score * 100)}%`;
}

// What a screen reader hears after the sentence's own label state.
export function suggestionDescription(suggestion, labelByKey) {
  const label = labelByKey.get(suggestion.label);
  const name = label ? label.name : suggestion.label;
  const by = suggestion.model ? ` by ${suggestion.model}` : "";
  return `Machine suggestion${by}: ${name}, ${Math.round(suggestion.score * 100)}% confidence. Press a to accept.`;
}

// The line above the article: where the suggestions come from, or why there are none.
export function sourceLine(answer, hidden) {
  if (!answer) return "Suggestions could not be loaded.";
  if (!answer.shown) return answer.reason || "Suggestions are off in this corpus.";
  if (hidden) return "You hid the suggestions.";
  const source = answer.source;
  return source ? `${source.explanation} Press a to accept one.` : "";
}

// What the screen's "next" does under the corpus's policy (the answer's next_policy):
// the button's text and the line that says which policy is active. Needs no DOM.
export function nextPolicyText(next) {
  if (!next || next.policy === "document") {
    return { button: "Next article", line: "Next article: in document order." };
  }
  const name = next.name.charAt(0).toLowerCase() + next.name.slice(1);
  if (!next.active) {
    return {
      button: "Next article",
      line: `Next article: in document order until a trained model can rank the sentences (then ${name}).`,
    };
  }
  return { button: "Next sentence", line: `Next sentence: ${name}.` };
}

export class SuggestionLayer {
  // nextButtons: the buttons that go to the next article or sentence (a POST that the
  // server answers by the corpus's policy); their text follows the policy.
  constructor({ articleText, apiRoot, articleId, userId, labelByKey, storage, nextButtons = [], fetchJson = apiFetch }) {
    this.articleText = articleText;
    this.url = `${apiRoot}articles/${articleId}/suggestions/`;
    this.labelByKey = labelByKey;
    this.storage = storage;
    this.fetchJson = fetchJson;
    this.hiddenKey = `annotator:suggestions-hidden:u${userId}`;
    this.hidden = this.readHidden();
    this.bySentence = new Map();
    this.answer = null;
    this.line = document.createElement("p");
    this.line.className = "suggestion-source";
    this.line.id = "suggestion-source";
    this.line.setAttribute("role", "status");
    this.toggleButton = document.createElement("button");
    this.toggleButton.type = "button";
    this.toggleButton.className = "button button-small";
    this.toggleButton.id = "suggestions-toggle";
    this.toggleButton.hidden = true;
    this.toggleButton.addEventListener("click", () => this.toggle());
    this.nextButtons = nextButtons;
    this.policyLine = document.createElement("p");
    this.policyLine.className = "next-policy";
    this.policyLine.id = "next-policy";
    const wrap = document.createElement("div");
    wrap.className = "suggestion-bar";
    wrap.append(this.line, this.toggleButton, this.policyLine);
    articleText.before(wrap);
    // Sentences added as the user moves, and labels set or cleared, repaint themselves.
    new MutationObserver((records) => this.observed(records)).observe(articleText, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-label"],
    });
  }

  readHidden() {
    try {
      return this.storage.getItem(this.hiddenKey) === "1";
    } catch {
      return false;
    }
  }

  async load() {
    let answer = null;
    try {
      const result = await this.fetchJson(this.url);
      if (result.status === 200) answer = result.data;
    } catch {
      answer = null;
    }
    this.answer = answer;
    this.bySentence = new Map((answer && answer.shown ? answer.results : []).map((s) => [s.sentence, s]));
    this.toggleButton.hidden = !(answer && answer.shown);
    if (answer) this.showNextPolicy(answer.next_policy);
    this.paintAll();
  }

  showNextPolicy(next) {
    const text = nextPolicyText(next);
    this.policyLine.textContent = text.line;
    this.policyLine.dataset.policy = next ? next.policy : "document";
    this.policyLine.dataset.active = String(Boolean(next?.active ?? true));
    for (const button of this.nextButtons) {
      button.textContent = text.button;
      button.setAttribute("aria-describedby", this.policyLine.id);
    }
  }

  // The suggestion the user may accept on a sentence: none when hidden, blind or labeled.
  forSentence(el) {
    if (this.hidden || !el || el.dataset.label) return null;
    return this.bySentence.get(Number(el.dataset.id)) || null;
  }

  toggle() {
    this.hidden = !this.hidden;
    try {
      if (this.hidden) this.storage.setItem(this.hiddenKey, "1");
      else this.storage.removeItem(this.hiddenKey);
    } catch {
      // Private mode: the choice lasts for this page.
    }
    this.paintAll();
  }

  paintAll() {
    this.line.textContent = sourceLine(this.answer, this.hidden);
    this.toggleButton.textContent = this.hidden ? "Show suggestions" : "Hide suggestions";
    this.toggleButton.setAttribute("aria-pressed", String(this.hidden));
    for (const el of this.articleText.querySelectorAll(".sentence")) this.paint(el);
  }

  paint(el) {
    const suggestion = this.hidden ? null : this.bySentence.get(Number(el.dataset.id));
    let chip = el.querySelector(".suggestion-tag");
    if (!suggestion) {
      if (chip) chip.remove();
      if (el.getAttribute("aria-describedby")?.startsWith("sg")) el.removeAttribute("aria-describedby");
      return;
    }
    if (!chip) {
      chip = document.createElement("span");
      chip.className = "suggestion-tag";
      chip.id = `sg${el.dataset.id}`;
      chip.dataset.suggestedLabel = suggestion.label;
      const label = this.labelByKey.get(suggestion.label);
      if (label) chip.style.setProperty("--label-color", label.color);
      const visible = document.createElement("span");
      visible.setAttribute("aria-hidden", "true");
      visible.textContent = suggestionText(suggestion, this.labelByKey);
      const spoken = document.createElement("span");
      spoken.className = "sr-only";
      spoken.textContent = suggestionDescription(suggestion, this.labelByKey);
      chip.append(visible, spoken);
      el.append(chip);
    }
    // Described only while unlabeled: a person's label is never read out with a machine's.
    if (el.dataset.label) el.removeAttribute("aria-describedby");
    else el.setAttribute("aria-describedby", chip.id);
  }

  observed(records) {
    const touched = new Set();
    for (const record of records) {
      if (record.type === "attributes") touched.add(record.target);
      for (const node of record.addedNodes || []) {
        if (!(node instanceof HTMLElement)) continue;
        if (node.classList.contains("sentence")) touched.add(node);
        else if (!node.classList.contains("suggestion-tag")) {
          for (const el of node.querySelectorAll(".sentence")) touched.add(el);
        }
      }
    }
    for (const el of touched) if (el.classList.contains("sentence")) this.paint(el);
  }
}
