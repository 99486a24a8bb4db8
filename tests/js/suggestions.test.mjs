// The labeling screen's suggestion texts (static/js/labeling/suggestions.js): what is
// shown and said, and the line that says where suggestions come from.

import assert from "node:assert/strict";
import { test } from "node:test";

import { nextPolicyText, sourceLine, suggestionDescription, suggestionText } from "../../static/js/labeling/suggestions.js";
import { shortcutAction } from "../../static/js/labeling/keys.js";

const labelByKey = new Map([["claim", { key: "claim", name: "Claim" }]]);
const suggestion = { sentence: 1, label: "claim", score: 0.724, model: "corpus model v3", cue: "" };

test("the chip names the label and its confidence, and says it is a suggestion", () => {
  assert.equal(suggestionText(suggestion, labelByKey), "Suggested: Claim 72%");
  assert.equal(suggestionText({ ...suggestion, label: "other" }, labelByKey), "Suggested: other 72%");
});

test("screen readers hear a machine suggestion, by which model, and how to accept it", () => {
  assert.equal(
    suggestionDescription(suggestion, labelByKey),
    "Machine suggestion by corpus model v3: Claim, 72% confidence. Press a to accept.",
  );
});

test("the source line says where suggestions come from, or why there are none", () => {
  const answer = { shown: true, reason: "", source: { explanation: "Suggested by word cues." } };
  assert.equal(sourceLine(answer, false), "Suggested by word cues. Press a to accept one.");
  assert.equal(sourceLine(answer, true), "You hid the suggestions.");
  assert.equal(sourceLine({ shown: false, reason: "This corpus labels blind." }, false), "This corpus labels blind.");
  assert.equal(sourceLine(null, false), "Suggestions could not be loaded.");
});

test("a accepts, unless a label of the corpus uses that key", () => {
  assert.deepEqual(shortcutAction({ key: "a" }, new Map()), { name: "accept" });
  assert.deepEqual(shortcutAction({ key: "A", shiftKey: true }, new Map()), { name: "accept" });
  const labels = new Map([["a", { key: "agree" }]]);
  assert.deepEqual(shortcutAction({ key: "a" }, labels), { name: "label", labelKey: "agree" });
});

test("next says which policy it follows, and goes to a sentence only when a model ranks them", () => {
  assert.deepEqual(nextPolicyText({ policy: "document", name: "Document order", active: true }), {
    button: "Next article",
    line: "Next article: in document order.",
  });
  assert.deepEqual(
    nextPolicyText({ policy: "least_confident", name: "Least confident suggestion first", active: true }),
    { button: "Next sentence", line: "Next sentence: least confident suggestion first." },
  );
  assert.deepEqual(
    nextPolicyText({ policy: "disagreement", name: "Where the model and annotators disagree most", active: false }),
    {
      button: "Next article",
      line:
        "Next article: in document order until a trained model can rank the sentences " +
        "(then where the model and annotators disagree most).",
    },
  );
  // An answer without the field (an older server) reads as document order.
  assert.equal(nextPolicyText(undefined).button, "Next article");
});
