// The save queue (static/js/lib/save-queue.js) against a fake server, storage
// and clock: what is sent, in which order, on which version, and what the
// page is told.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";

import { NetworkError } from "../../static/js/lib/api.js";
import { SaveQueue, sameValue } from "../../static/js/lib/save-queue.js";
import { FakeServer, FullStorage, HookLog, MemoryStorage, settle } from "./save-queue-fakes.mjs";

const KEY = "annotator:queue:u1:a1";
const claim = { label: "claim", note: "", source: "" };
const speculation = { label: "speculation", note: "hedged", source: "" };
const fact = { label: "sourced_fact", note: "", source: "https://example.org/report" };
const none = { label: null, note: "", source: "" };

let server;
let log;
let storage;
let connectivity;

function makeQueue(options = {}) {
  return new SaveQueue({ storageKey: KEY, api: server, hooks: log.hooks, storage, connectivity, ...options });
}

function sentIds() {
  return server.requests.map((r) => r.sentenceId);
}

beforeEach(() => {
  server = new FakeServer();
  log = new HookLog();
  storage = new MemoryStorage();
  connectivity = new EventTarget();
  // A fixed clock and no jitter: backoff delays are exact.
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
  mock.method(Math, "random", () => 0.5);
});

afterEach(() => {
  mock.timers.reset();
  mock.restoreAll();
});

describe("sending", () => {
  it("sends a label as a PUT on the sentence's saved version and forgets it once saved", async () => {
    const queue = makeQueue();
    queue.enqueue(7, { label: "claim", note: "why", source: "" }, 3);
    assert.deepEqual(log.lastEntry(7), { sentenceId: 7, state: "queued", detail: undefined });
    assert.deepEqual(storage.saved(KEY), [
      { sentenceId: 7, wanted: { label: "claim", note: "why", source: "" }, baseVersion: 3, sent: [] },
    ]);

    await settle();
    assert.equal(server.requests.length, 1);
    assert.equal(server.last.method, "PUT");
    assert.deepEqual(server.last.body, { label: "claim", note: "why", source: "", version: 3 });
    assert.equal(log.lastEntry(7).state, "saving");
    assert.equal(log.status.pending, 1);

    server.last.answer(200, { version: 4 });
    await settle();
    assert.deepEqual(log.saved, [{ sentenceId: 7, value: { label: "claim", note: "why", source: "" }, version: 4, partial: false }]);
    assert.equal(log.lastEntry(7).state, "saved");
    assert.equal(queue.size, 0);
    assert.equal(storage.getItem(KEY), null, "nothing left for the next visit");
    assert.deepEqual(log.status, { pending: 0, saving: 0, failed: 0, conflicts: 0, rejected: 0, offline: false, lastError: "" });
  });

  it("sends a cleared label as a DELETE with the version; 204 leaves version 0", async () => {
    const queue = makeQueue();
    queue.enqueue(5, none, 2);
    await settle();
    assert.deepEqual(server.requests.map((r) => [r.method, r.sentenceId, r.version]), [["DELETE", 5, 2]]);
    server.last.answer(204);
    await settle();
    assert.deepEqual(log.saved, [{ sentenceId: 5, value: none, version: 0, partial: false }]);
    assert.equal(queue.size, 0);
  });

  it("coalesces changes to one sentence made in one go into a single request with the latest value", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    queue.enqueue(1, speculation, 0);
    queue.enqueue(1, fact, 0);
    assert.equal(queue.size, 1);
    await settle();
    assert.equal(server.requests.length, 1);
    assert.equal(server.last.body.label, "sourced_fact");
    assert.equal(server.last.body.source, "https://example.org/report");
  });

  it("sends a change made during a save after it, on the version that save returned", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    await settle();
    queue.enqueue(1, speculation, 0);
    await settle();
    assert.equal(server.requests.length, 1, "one request per sentence at a time");
    assert.equal(log.lastEntry(1).state, "saving");

    server.requests[0].answer(200, { version: 1 });
    await settle();
    assert.deepEqual(log.saved, [{ sentenceId: 1, value: claim, version: 1, partial: true }]);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(server.last.body, { label: "speculation", note: "hedged", source: "", version: 1 });
    assert.equal(storage.saved(KEY)[0].baseVersion, 1);

    server.last.answer(200, { version: 2 });
    await settle();
    assert.equal(log.saved.at(-1).partial, false);
    assert.equal(queue.size, 0);
  });

  it("keeps at most four requests in flight; the others go in the order they were made", async () => {
    const queue = makeQueue();
    for (const id of [11, 12, 13, 14, 15, 16]) queue.enqueue(id, claim, 0);
    await settle();
    assert.deepEqual(sentIds(), [11, 12, 13, 14]);
    assert.equal(log.status.pending, 6);

    server.requests[1].answer(200, { version: 1 });
    await settle();
    assert.deepEqual(sentIds(), [11, 12, 13, 14, 15]);
    server.requests[0].answer(200, { version: 1 });
    await settle();
    assert.deepEqual(sentIds(), [11, 12, 13, 14, 15, 16]);
    for (const request of server.requests.slice(2)) request.answer(200, { version: 1 });
    await settle();
    assert.equal(queue.size, 0);
  });
});

describe("failures", () => {
  it("keeps a change queued while the network is down, says offline, and retries after a second", async () => {
    const queue = makeQueue();
    queue.enqueue(3, claim, 0);
    await settle();
    server.last.fail(new NetworkError("Failed to fetch"));
    await settle();
    assert.deepEqual(log.lastEntry(3), { sentenceId: 3, state: "queued", detail: "No connection to the server" });
    assert.equal(log.status.offline, true);
    assert.equal(log.status.pending, 1);
    assert.equal(storage.saved(KEY).length, 1, "kept on this device meanwhile");

    mock.timers.tick(999);
    await settle();
    assert.equal(server.requests.length, 1, "not before the backoff");
    mock.timers.tick(1);
    await settle();
    assert.equal(server.requests.length, 2);
    server.last.answer(201, { version: 1 });
    await settle();
    assert.equal(log.status.offline, false);
    assert.equal(queue.size, 0);
  });

  it("treats an exception that is not a network error as a failure, not as offline", async () => {
    makeQueue().enqueue(3, claim, 0);
    await settle();
    server.last.fail(new TypeError("bug"));
    await settle();
    assert.equal(log.lastEntry(3).state, "failed");
    assert.equal(log.status.offline, false);
  });

  it("retries server errors with doubling delays capped at 15 seconds, showing the server's message", async () => {
    const queue = makeQueue();
    queue.enqueue(2, claim, 0);
    await settle();
    const busy = { error: { code: "unavailable", message: "Try again shortly." } };
    for (const delay of [1000, 2000, 4000, 8000, 15000, 15000]) {
      server.last.answer(503, busy);
      await settle();
      assert.deepEqual(log.lastEntry(2), { sentenceId: 2, state: "failed", detail: "Try again shortly." });
      const sent = server.requests.length;
      mock.timers.tick(delay - 1);
      await settle();
      assert.equal(server.requests.length, sent, `nothing sent before ${delay} ms`);
      mock.timers.tick(1);
      await settle();
      assert.equal(server.requests.length, sent + 1, `sent again after ${delay} ms`);
    }
    assert.equal(log.status.failed, 0, "the retry in flight counts as saving");
    server.last.answer(200, { version: 1 });
    await settle();
    assert.equal(queue.size, 0);
  });

  it("names the status when the server's error has no message", async () => {
    makeQueue().enqueue(2, claim, 0);
    await settle();
    server.last.answer(502, null);
    await settle();
    assert.equal(log.lastEntry(2).detail, "Server answered 502");
    assert.equal(log.status.failed, 1);
    assert.equal(log.status.lastError, "Server answered 502");
  });

  for (const status of [401, 403]) {
    it(`retries a ${status} and asks the user to sign in again`, async () => {
      makeQueue().enqueue(2, claim, 0);
      await settle();
      server.last.answer(status, { error: { code: "forbidden", message: "No." } });
      await settle();
      assert.match(log.lastEntry(2).detail, /^Not allowed: your session may have ended/);
      mock.timers.tick(1000);
      await settle();
      assert.equal(server.requests.length, 2);
    });
  }

  it("sends other changes waiting out a backoff as soon as a save lands", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    await settle();
    server.last.answer(503);
    await settle();
    mock.timers.tick(300);
    queue.enqueue(2, claim, 0);
    await settle();
    assert.deepEqual(sentIds(), [1, 2]);
    server.last.answer(200, { version: 1 });
    await settle();
    assert.deepEqual(sentIds(), [1, 2, 1], "sentence 1 did not wait for the rest of its backoff");
  });

  it("retries at once when the browser says it is online again, and reports going offline", async () => {
    const queue = makeQueue();
    queue.enqueue(4, claim, 0);
    await settle();
    server.last.fail(new NetworkError("offline"));
    await settle();
    connectivity.dispatchEvent(new Event("online"));
    await settle();
    assert.equal(server.requests.length, 2);
    server.last.answer(200, { version: 1 });
    await settle();
    assert.equal(queue.size, 0);

    connectivity.dispatchEvent(new Event("offline"));
    assert.equal(log.status.offline, true);
  });
});

describe("refused changes", () => {
  const segmenting = {
    error: {
      code: "invalid",
      message: "The article is being segmented again.",
      fields: { sentence: ["The article is being segmented again; label it when it is ready."] },
    },
  };

  it("does not retry a 400, lists it with the server's reason, and keeps it over a reload", async () => {
    const queue = makeQueue();
    queue.enqueue(9, claim, 1);
    await settle();
    server.last.answer(400, segmenting);
    await settle();
    const reason = "sentence: The article is being segmented again; label it when it is ready.";
    assert.deepEqual(log.lastEntry(9), { sentenceId: 9, state: "rejected", detail: reason });
    assert.deepEqual(
      queue.rejected().map((e) => [e.sentenceId, e.wanted.label, e.error]),
      [[9, "claim", reason]],
    );
    assert.equal(log.status.rejected, 1);
    assert.equal(log.status.lastError, reason);

    mock.timers.tick(60_000);
    await settle();
    assert.equal(server.requests.length, 1, "never sent again by itself");
    assert.equal(storage.saved(KEY).length, 1, "still unsaved: kept for the next visit");
  });

  it("discards only the refused changes asked for, and forgets them on this device", async () => {
    const queue = makeQueue();
    queue.enqueue(9, claim, 0);
    queue.enqueue(10, claim, 0);
    queue.enqueue(11, claim, 0);
    await settle();
    server.requests[0].answer(404, null);
    server.requests[1].answer(400, segmenting);
    await settle();
    assert.equal(queue.rejected().length, 2);
    assert.equal(log.lastEntry(9).detail, "Refused (404)");

    assert.deepEqual(queue.discardRejected([11]), [], "sentence 11 is being saved, not refused");
    assert.deepEqual(queue.discardRejected([10]), [10]);
    assert.deepEqual(queue.rejected().map((e) => e.sentenceId), [9]);
    assert.deepEqual(queue.discardRejected(), [9]);
    assert.deepEqual(storage.saved(KEY).map((e) => e.sentenceId), [11]);
    assert.equal(log.status.rejected, 0);
  });

  it("sends a refused sentence again when the user changes it", async () => {
    const queue = makeQueue();
    queue.enqueue(9, claim, 0);
    await settle();
    server.last.answer(400, segmenting);
    await settle();
    queue.enqueue(9, speculation, 0);
    await settle();
    assert.equal(server.requests.length, 2);
    assert.equal(server.last.body.label, "speculation");
    assert.equal(queue.rejected().length, 0);
  });
});

describe("conflicts (409)", () => {
  const theirs = { label: "speculation", note: "other tab", source: "", version: 1 };

  it("turns a newer different value into a conflict and sends nothing until the user decides", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    await settle();
    server.last.answer(409, { current: theirs });
    await settle();
    assert.deepEqual(log.conflicts, [{ sentenceId: 1, mine: claim, current: theirs }]);
    assert.equal(log.lastEntry(1).state, "conflict");
    assert.equal(log.status.conflicts, 1);

    // Changing the sentence meanwhile updates what "mine" is, still undecided.
    queue.enqueue(1, fact, 0);
    mock.timers.tick(60_000);
    await settle();
    assert.equal(server.requests.length, 1);
    assert.equal(log.lastEntry(1).state, "conflict");
    assert.deepEqual(queue.entries.get(1).wanted, fact);
  });

  it("keep mine: saves the wanted value over the stored one's version", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    await settle();
    server.last.answer(409, { current: theirs });
    await settle();
    queue.resolveKeepMine(1, theirs);
    await settle();
    assert.equal(server.requests.length, 2);
    assert.deepEqual(server.last.body, { label: "claim", note: "", source: "", version: 1 });
    server.last.answer(200, { version: 2 });
    await settle();
    assert.equal(queue.size, 0);
    assert.equal(log.saved.at(-1).version, 2);
  });

  it("keep mine over a deleted annotation builds on version 0", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 3);
    await settle();
    server.last.answer(409, { current: null });
    await settle();
    assert.deepEqual(log.conflicts[0].current, null);
    queue.resolveKeepMine(1, null);
    await settle();
    assert.equal(server.last.body.version, 0);
  });

  it("take theirs: drops the change, writes nothing, leaves nothing to save", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    await settle();
    server.last.answer(409, { current: theirs });
    await settle();
    queue.resolveTakeTheirs(1);
    await settle();
    assert.equal(server.requests.length, 1);
    assert.equal(queue.size, 0);
    assert.equal(storage.getItem(KEY), null);
    assert.equal(log.lastEntry(1).state, "saved");
    assert.equal(log.status.conflicts, 0);
  });

  it("counts a stored value equal to ours as saved, at the stored version", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    await settle();
    server.last.answer(409, { current: { label: "claim", note: "", source: "", version: 6 } });
    await settle();
    assert.deepEqual(log.conflicts, []);
    assert.deepEqual(log.saved, [{ sentenceId: 1, value: claim, version: 6, partial: false }]);
    assert.equal(queue.size, 0);
  });

  it("recognises our own earlier write whose answer was lost, and sends the newer value on top", async () => {
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    await settle();
    // The server stored the claim (version 1) but the answer never came.
    server.last.fail(new NetworkError("connection reset"));
    await settle();
    queue.enqueue(1, speculation, 0);
    await settle();
    assert.equal(server.last.body.version, 0);
    server.last.answer(409, { current: { label: "claim", note: "", source: "", version: 1 } });
    await settle();
    assert.deepEqual(log.conflicts, [], "not a conflict with ourselves");
    assert.deepEqual(log.saved, [{ sentenceId: 1, value: claim, version: 1, partial: true }]);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(server.last.body, { label: "speculation", note: "hedged", source: "", version: 1 });
  });
});

describe("over a reload", () => {
  it("restores unsaved changes from storage and sends them on the version they were based on", async () => {
    // The first page's requests never get an answer: it is closed.
    const first = makeQueue({ api: new FakeServer() });
    first.enqueue(1, claim, 2);
    first.enqueue(2, none, 5);
    const second = makeQueue();
    assert.deepEqual(second.restore(), [
      { sentenceId: 1, wanted: claim },
      { sentenceId: 2, wanted: none },
    ]);
    second.pump();
    await settle();
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.sentenceId, r.method === "PUT" ? r.body.version : r.version]),
      [
        ["PUT", 1, 2],
        ["DELETE", 2, 5],
      ],
    );
  });

  it("remembers what was sent before the reload, so a lost answer is still not a conflict", async () => {
    const closedPage = new FakeServer();
    const first = makeQueue({ api: closedPage });
    first.enqueue(1, claim, 0);
    await settle();
    assert.equal(closedPage.last.body.label, "claim");
    // Changed again while the claim is in flight; then the page closes.
    first.enqueue(1, speculation, 0);

    const second = makeQueue();
    second.restore();
    second.pump();
    await settle();
    assert.deepEqual(server.last.body, { label: "speculation", note: "hedged", source: "", version: 0 });
    server.last.answer(409, { current: { label: "claim", note: "", source: "", version: 1 } });
    await settle();
    assert.deepEqual(log.conflicts, []);
    assert.deepEqual(server.last.body, { label: "speculation", note: "hedged", source: "", version: 1 });
  });

  it("ignores unreadable or malformed stored entries", () => {
    storage.setItem(KEY, "{not json");
    assert.deepEqual(makeQueue().restore(), []);
    storage.setItem(KEY, JSON.stringify([null, { sentenceId: "7", wanted: claim }, { sentenceId: 8, wanted: claim }]));
    assert.deepEqual(makeQueue().restore(), [{ sentenceId: 8, wanted: claim }]);
  });

  it("keeps saving in memory when the storage cannot be written", async () => {
    storage = new FullStorage();
    const queue = makeQueue();
    queue.enqueue(1, claim, 0);
    await settle();
    assert.equal(server.requests.length, 1);
    server.last.answer(200, { version: 1 });
    await settle();
    assert.equal(queue.size, 0);
    assert.equal(log.saved.length, 1);
  });

  it("keeps each page's queue under its own key", () => {
    makeQueue().enqueue(1, claim, 0);
    makeQueue({ storageKey: "annotator:queue:u1:a2" }).enqueue(1, fact, 0);
    assert.equal(storage.saved(KEY)[0].wanted.label, "claim");
    assert.equal(storage.saved("annotator:queue:u1:a2")[0].wanted.label, "sourced_fact");
  });
});

describe("sameValue", () => {
  it("compares label, note and source, treating every unlabeled value as the same", () => {
    assert.equal(sameValue(claim, { label: "claim" }), true);
    assert.equal(sameValue(claim, { ...claim, note: "x" }), false);
    assert.equal(sameValue(claim, { ...claim, source: "x" }), false);
    assert.equal(sameValue(claim, speculation), false);
    assert.equal(sameValue(none, null), true);
    assert.equal(sameValue({ label: null, note: "left over" }, none), true);
    assert.equal(sameValue(none, claim), false);
    assert.equal(sameValue(claim, null), false);
  });
});
