// The undo history (static/js/labeling/undo-history.js).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { UndoHistory } from "../../static/js/labeling/undo-history.js";

describe("UndoHistory", () => {
  it("gives back changes newest first", () => {
    const history = new UndoHistory();
    assert.equal(history.isEmpty, true);
    history.record({ index: 0, before: "a" });
    history.record({ index: 1, before: "b" });
    assert.equal(history.isEmpty, false);
    assert.deepEqual(history.takeLast(), { index: 1, before: "b" });
    assert.deepEqual(history.takeLast(), { index: 0, before: "a" });
    assert.equal(history.takeLast(), undefined);
    assert.equal(history.isEmpty, true);
  });

  it("forgets the oldest changes beyond its limit", () => {
    const history = new UndoHistory(3);
    for (let index = 0; index < 5; index += 1) history.record({ index });
    assert.deepEqual([history.takeLast(), history.takeLast(), history.takeLast()].map((c) => c.index), [4, 3, 2]);
    assert.equal(history.isEmpty, true);
  });

  it("keeps 500 changes by default", () => {
    const history = new UndoHistory();
    for (let index = 0; index < 501; index += 1) history.record({ index });
    let last;
    let count = 0;
    while (!history.isEmpty) {
      last = history.takeLast();
      count += 1;
    }
    assert.equal(count, 500);
    assert.equal(last.index, 1);
  });
});
