// Which sentence gets the focus (static/js/labeling/navigation.js).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { moveTarget, nextUnlabeled, startingSentence } from "../../static/js/labeling/navigation.js";

// "L" labeled, "." unlabeled, one character per sentence.
function labeledIn(pattern) {
  return [(i) => pattern[i] === "L", pattern.length];
}

describe("nextUnlabeled", () => {
  it("finds the next unlabeled sentence after the given one", () => {
    assert.equal(nextUnlabeled(...labeledIn("L.L."), 0), 1);
    assert.equal(nextUnlabeled(...labeledIn("L.L."), 1), 3);
    assert.equal(nextUnlabeled(...labeledIn("..LL."), 1), 4);
  });

  it("wraps round to the top", () => {
    assert.equal(nextUnlabeled(...labeledIn(".L.LL"), 3), 0);
    assert.equal(nextUnlabeled(...labeledIn("L.LL"), 3), 1);
  });

  it("returns the sentence itself when it is the only unlabeled one", () => {
    assert.equal(nextUnlabeled(...labeledIn("LL.L"), 2), 2);
  });

  it("returns -1 when every sentence is labeled, or there are none", () => {
    assert.equal(nextUnlabeled(...labeledIn("LLLL"), 2), -1);
    assert.equal(nextUnlabeled(...labeledIn(""), 0), -1);
  });
});

describe("startingSentence", () => {
  it("opens on the first unlabeled sentence", () => {
    assert.equal(startingSentence(...labeledIn("....")), 0);
    assert.equal(startingSentence(...labeledIn("LL.L.")), 2);
  });

  it("opens on the first sentence when all are labeled", () => {
    assert.equal(startingSentence(...labeledIn("LLL")), 0);
  });

  it("has nothing to open on in an article without sentences", () => {
    assert.equal(startingSentence(...labeledIn("")), -1);
  });
});

describe("moveTarget", () => {
  it("moves one sentence and stops at either end", () => {
    assert.equal(moveTarget("next", 2, 5), 3);
    assert.equal(moveTarget("next", 4, 5), 4);
    assert.equal(moveTarget("previous", 2, 5), 1);
    assert.equal(moveTarget("previous", 0, 5), 0);
  });

  it("jumps to the first and last sentence", () => {
    assert.equal(moveTarget("first", 3, 5), 0);
    assert.equal(moveTarget("last", 1, 5), 4);
  });

  it("starts from the top when no sentence is current yet", () => {
    assert.equal(moveTarget("next", -1, 5), 0);
    assert.equal(moveTarget("previous", -1, 5), 0);
  });

  it("rejects an unknown move", () => {
    assert.throws(() => moveTarget("sideways", 0, 5), /Unknown move/);
  });
});
