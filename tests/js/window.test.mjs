// How the labeling screen grows its window of a long article
// (static/js/labeling/window.js), against a stand-in server and view.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SentenceWindow } from "../../static/js/labeling/window.js";

// An article of n segments; every tenth is a heading. labeled: set of indexes
// the server holds a label for.
function article(n, labeled = new Set()) {
  return Array.from({ length: n }, (_, index) => ({
    id: 1000 + index,
    index,
    paragraph: Math.floor(index / 10),
    kind: index % 10 === 9 ? "heading" : "sentence",
    text: `Segment ${index}.`,
    my_annotation: labeled.has(index) && index % 10 !== 9 ? { label: "claim", note: "", source: "", version: 1 } : null,
  }));
}

// The API: pages by index, optionally unlabeled sentences only; records calls.
function server(rows) {
  const calls = [];
  const fetchPage = async ({ offset, limit, unlabeled = false }) => {
    calls.push({ offset, limit, unlabeled });
    let results = rows.filter((r) => r.index >= offset);
    if (unlabeled) results = results.filter((r) => r.kind === "sentence" && !r.my_annotation);
    return { status: 200, data: { count: rows.length, offset, results: results.slice(0, limit) } };
  };
  return { calls, fetchPage };
}

// What SentenceView offers window.js: positions count labelable sentences.
class FakeView {
  constructor(rows, start, stop) {
    this.ordinalOf = new Map();
    let ordinal = 0;
    for (const row of rows) if (row.kind === "sentence") this.ordinalOf.set(row.id, ordinal++);
    this.count = ordinal;
    this.held = [];
    this.labels = new Map();
    this.append(rows.slice(start, stop));
    this.labeledCount = rows.filter((r) => r.my_annotation).length;
  }
  get first() {
    return this.held.length ? this.ordinalOf.get(this.held[0].id) : 0;
  }
  get end() {
    return this.held.length ? this.ordinalOf.get(this.held[this.held.length - 1].id) + 1 : 0;
  }
  append(rows) {
    const labelable = rows.filter((r) => r.kind === "sentence");
    for (const r of labelable) this.labels.set(this.ordinalOf.get(r.id), Boolean(r.my_annotation));
    this.held.push(...labelable);
  }
  prepend(rows) {
    const labelable = rows.filter((r) => r.kind === "sentence");
    for (const r of labelable) this.labels.set(this.ordinalOf.get(r.id), Boolean(r.my_annotation));
    this.held.unshift(...labelable);
  }
  isLoaded(i) {
    return Number.isInteger(i) && i >= this.first && i < this.end;
  }
  isLabeled(i) {
    return this.labels.get(i);
  }
  indexOf(id) {
    const i = this.ordinalOf.get(id);
    return this.isLoaded(i) ? i : undefined;
  }
}

function setUp(n, { start, stop, labeled } = {}) {
  const rows = article(n, labeled);
  const api = server(rows);
  const view = new FakeView(rows, start, stop);
  const loaded = [];
  const held = new SentenceWindow({
    view,
    range: { start, stop, sentenceCount: n },
    fetchPage: api.fetchPage,
    onLoaded: (r) => loaded.push(...r),
  });
  return { rows, api, view, held, loaded };
}

describe("SentenceWindow.ensure", () => {
  it("loads the next page when a move passes the end, and nothing while inside", async () => {
    const { api, view, held, loaded } = setUp(1000, { start: 0, stop: 200 });
    assert.equal(view.end, 180);
    assert.equal(await held.ensure(179), true);
    assert.equal(api.calls.length, 0);
    assert.equal(await held.ensure(180), true);
    assert.deepEqual(api.calls, [{ offset: 200, limit: 200, unlabeled: false }]);
    assert.equal(held.stop, 400);
    assert.equal(loaded[0].index, 200);
    assert.equal(view.end, 360);
  });

  it("loads the sentences before the window when a move passes its start", async () => {
    const { api, view, held } = setUp(1000, { start: 500, stop: 700 });
    assert.equal(view.first, 450);
    assert.equal(await held.ensure(449), true);
    assert.deepEqual(api.calls, [{ offset: 300, limit: 200, unlabeled: false }]);
    assert.equal(held.start, 300);
    assert.equal(view.first, 270);
  });

  it("reaches a far position in pages of at most 1000 and refuses one outside the article", async () => {
    const { api, held, view } = setUp(5000, { start: 0, stop: 200 });
    assert.equal(await held.ensure(view.count - 1), true);
    assert.ok(api.calls.every((c) => c.limit <= 1000));
    assert.equal(held.stop, 5000);
    assert.equal(held.hasAfter, false);
    assert.equal(await held.ensure(view.count), false);
    assert.equal(await held.ensure(-1), false);
  });

  it("shares one load between callers and reports a failed one", async () => {
    const { view, held } = setUp(1000, { start: 0, stop: 200 });
    const errors = [];
    let answer;
    held.fetchPage = () => new Promise((resolve) => (answer = resolve));
    held.onError = (message) => errors.push(message);
    const one = held.loadAfter();
    const two = held.loadAfter();
    assert.equal(one, two);
    answer({ status: 503, data: null });
    assert.equal(await one, false);
    assert.deepEqual(errors, ["the server answered 503"]);
    assert.equal(view.end, 180);
  });
});

describe("SentenceWindow.nextUnlabeled", () => {
  it("takes the next one on the page without asking the server", async () => {
    const { api, held } = setUp(1000, { start: 0, stop: 200, labeled: new Set([1, 2]) });
    // Indexes 1 and 2 (positions 1 and 2) are labeled: position 3 is next.
    assert.equal(await held.nextUnlabeled(0), 3);
    assert.equal(api.calls.length, 0);
  });

  it("asks the server beyond the page and loads up to the sentence it names", async () => {
    const labeled = new Set(Array.from({ length: 600 }, (_, i) => i).filter((i) => i >= 150));
    const { api, held, view } = setUp(1000, { start: 0, stop: 200, labeled });
    const from = view.ordinalOf.get(1000 + 148);
    const next = await held.nextUnlabeled(from);
    assert.equal(next, view.ordinalOf.get(1000 + 600));
    assert.deepEqual(api.calls[0], { offset: 200, limit: 1, unlabeled: true });
    assert.ok(view.isLoaded(next));
  });

  it("wraps round to the top when nothing after is unlabeled", async () => {
    const labeled = new Set(Array.from({ length: 1000 }, (_, i) => i).filter((i) => i !== 5));
    const { held, view } = setUp(1000, { start: 500, stop: 700, labeled });
    assert.equal(await held.nextUnlabeled(view.ordinalOf.get(1000 + 600)), 5);
  });

  it("wraps round on the page alone when it holds the whole article", async () => {
    const labeled = new Set(Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 2));
    const { api, held } = setUp(100, { start: 0, stop: 100, labeled });
    assert.equal(await held.nextUnlabeled(50), 2);
    assert.equal(api.calls.length, 0);
  });

  it("answers -1 at once when every sentence is labeled", async () => {
    const labeled = new Set(Array.from({ length: 100 }, (_, i) => i));
    const { api, held } = setUp(100, { start: 0, stop: 100, labeled });
    assert.equal(await held.nextUnlabeled(3), -1);
    assert.equal(api.calls.length, 0);
  });
});
