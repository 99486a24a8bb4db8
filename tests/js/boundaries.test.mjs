// Boundary editing's and label checks' pure parts (static/js/labeling/boundaries.js, review.js).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { codePointOffset, editKeyAction } from "../../static/js/labeling/boundaries.js";
import { alternatives } from "../../static/js/labeling/review.js";

describe("codePointOffset", () => {
  it("counts a character outside the BMP once, as the API does", () => {
    const text = "A 😀 smile. Then more.";
    const utf16 = text.indexOf("Then");
    assert.equal(utf16, 12);
    assert.equal(codePointOffset(text, utf16), 11);
  });

  it("is the UTF-16 offset in plain text", () => {
    assert.equal(codePointOffset("One two.", 4), 4);
  });
});

describe("editKeyAction", () => {
  const labels = new Map([["c", { key: "claim" }]]);
  const keys = { b: "boundaries", c: "check" };

  it("maps b to the boundary dialog, any case", () => {
    assert.equal(editKeyAction({ key: "B" }, new Map(), keys), "boundaries");
  });

  it("leaves a key a label uses to the label", () => {
    assert.equal(editKeyAction({ key: "c" }, labels, keys), null);
  });

  it("leaves browser shortcuts alone", () => {
    assert.equal(editKeyAction({ key: "b", ctrlKey: true }, new Map(), keys), null);
  });
});

describe("alternatives", () => {
  it("offers each other label the old sentences had, once", () => {
    const from = [
      { text: "a", label: "claim" },
      { text: "b", label: "speculation" },
      { text: "c", label: "speculation" },
    ];
    assert.deepEqual(alternatives(from, "claim"), ["speculation"]);
  });

  it("offers nothing when the parts agree", () => {
    assert.deepEqual(alternatives([{ text: "a", label: "claim" }], "claim"), []);
  });
});
