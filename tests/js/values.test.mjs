// Sentence values and how they are described (static/js/labeling/values.js).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  describe as describeValue,
  describeFull,
  flagsText,
  isUnchanged,
  sourceRefusal,
  unlabeled,
  withLabel,
} from "../../static/js/labeling/values.js";

const labels = [
  { key: "claim", name: "Claim", shortcut: "1", takesSource: false },
  { key: "speculation", name: "Speculation", shortcut: "2", takesSource: false },
  { key: "sourced_fact", name: "Sourced fact", shortcut: "3", takesSource: true },
];
const labelByKey = new Map(labels.map((l) => [l.key, l]));

describe("isUnchanged", () => {
  const before = { label: "claim", note: "n", source: "" };

  it("is true only when label, note and source are all the same", () => {
    assert.equal(isUnchanged(before, { label: "claim", note: "n", source: "" }), true);
    assert.equal(isUnchanged(before, { label: "speculation", note: "n", source: "" }), false);
    assert.equal(isUnchanged(before, { label: "claim", note: "m", source: "" }), false);
    assert.equal(isUnchanged(before, { label: "claim", note: "n", source: "s" }), false);
  });

  it("reads a missing note or source as empty", () => {
    assert.equal(isUnchanged(unlabeled(), { label: null }), true);
    assert.equal(isUnchanged({ label: "claim", note: "", source: "" }, { label: "claim" }), true);
  });
});

describe("withLabel", () => {
  const before = { label: "sourced_fact", note: "checked", source: "https://example.org" };

  it("keeps the note and, on a label that takes one, the source", () => {
    assert.deepEqual(withLabel(before, labelByKey.get("sourced_fact")), before);
    assert.deepEqual(withLabel(unlabeled(), labelByKey.get("sourced_fact")), { label: "sourced_fact", note: "", source: "" });
  });

  it("drops the source on a label that takes none", () => {
    assert.deepEqual(withLabel(before, labelByKey.get("claim")), { label: "claim", note: "checked", source: "" });
  });
});

describe("unlabeled", () => {
  it("is a fresh value each time (callers may change it)", () => {
    const a = unlabeled();
    a.note = "x";
    assert.deepEqual(unlabeled(), { label: null, note: "", source: "" });
  });
});

describe("describe", () => {
  it("names the label and says what is attached", () => {
    assert.equal(describeValue(unlabeled(), labelByKey), "Unlabeled");
    assert.equal(describeValue(null, labelByKey), "Unlabeled");
    assert.equal(describeValue({ label: "claim", note: "", source: "" }, labelByKey), "Claim");
    assert.equal(
      describeValue({ label: "sourced_fact", note: "n", source: "s" }, labelByKey),
      "Sourced fact, with note, with source",
    );
  });

  it("falls back to the key of a label this page does not know", () => {
    assert.equal(describeValue({ label: "retired", note: "", source: "" }, labelByKey), "retired");
  });
});

describe("describeFull", () => {
  it("spells out the note and source, so two values can be told apart", () => {
    assert.equal(describeFull(null, labelByKey), "No label");
    assert.equal(describeFull({ label: null }, labelByKey), "No label");
    assert.equal(describeFull({ label: "claim" }, labelByKey), "Claim");
    assert.equal(
      describeFull({ label: "speculation", note: "other tab", source: "" }, labelByKey),
      "Speculation — note: “other tab”",
    );
    assert.equal(
      describeFull({ label: "sourced_fact", note: "", source: "Reuters" }, labelByKey),
      "Sourced fact — source: Reuters",
    );
  });
});

describe("flagsText", () => {
  it("marks a note and a source", () => {
    assert.equal(flagsText(unlabeled()), "");
    assert.equal(flagsText({ label: "claim", note: "n", source: "" }), "✎ note");
    assert.equal(flagsText({ label: "sourced_fact", note: "n", source: "s" }), "✎ note ↗ source");
  });
});

describe("sourceRefusal", () => {
  it("names the labels that take a source, with their keys", () => {
    assert.equal(sourceRefusal(labels), "Only Sourced fact (3) takes a source: set that label first.");
    const two = [...labels, { key: "quote", name: "Quote", shortcut: "4", takesSource: true }];
    assert.equal(sourceRefusal(two), "Only Sourced fact (3) or Quote (4) takes a source: set that label first.");
  });

  it("says so when no label takes a source", () => {
    assert.equal(sourceRefusal(labels.slice(0, 2)), "No label here takes a source.");
  });
});
