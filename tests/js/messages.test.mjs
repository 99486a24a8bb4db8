// What the save area and progress bar say (static/js/labeling/messages.js).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { discardAllLabel, offlineBanner, progressLine, quoteExcerpt, saveStatus } from "../../static/js/labeling/messages.js";

function summary(fields) {
  return { pending: 0, saving: 0, failed: 0, conflicts: 0, rejected: 0, offline: false, lastError: "", ...fields };
}

describe("progressLine", () => {
  it("counts labeled sentences and says when all are done", () => {
    assert.equal(progressLine(3, 10), "3 / 10 labeled");
    assert.equal(progressLine(10, 10), "All 10 labeled");
    assert.equal(progressLine(0, 0), "0 / 0 labeled");
  });
});

describe("saveStatus", () => {
  it("says all is saved when nothing is pending", () => {
    assert.deepEqual(saveStatus(summary({})), { state: "saved", text: "All changes saved" });
  });

  it("counts changes being saved", () => {
    assert.deepEqual(saveStatus(summary({ pending: 1, saving: 1 })), { state: "saving", text: "Saving 1 change…" });
    assert.deepEqual(saveStatus(summary({ pending: 3, saving: 3 })), { state: "saving", text: "Saving 3 changes…" });
  });

  it("gives the last error, and says whether it is being retried", () => {
    assert.deepEqual(saveStatus(summary({ pending: 2, failed: 1, saving: 1, lastError: "Try again shortly." })), {
      state: "failed",
      text: "Save failed for 1: Try again shortly. (retrying)",
    });
    assert.deepEqual(saveStatus(summary({ pending: 2, rejected: 2, lastError: "No label 'x'." })), {
      state: "failed",
      text: "Save failed for 2: No label 'x'.",
    });
  });

  it("puts offline before failures, and conflicts before everything", () => {
    const offline = summary({ pending: 2, failed: 1, offline: true, lastError: "No connection to the server" });
    assert.deepEqual(saveStatus(offline), { state: "offline", text: "Offline: 2 changes queued" });
    assert.equal(saveStatus(summary({ pending: 1, offline: true })).text, "Offline: 1 change queued");
    assert.deepEqual(saveStatus({ ...offline, conflicts: 1 }), {
      state: "conflict",
      text: "1 conflict: choose which value to keep",
    });
    assert.equal(saveStatus(summary({ pending: 2, conflicts: 2 })).text, "2 conflicts: choose which value to keep");
  });
});

describe("offlineBanner", () => {
  it("shows only while offline with changes waiting", () => {
    assert.equal(offlineBanner(summary({ offline: true })), null);
    assert.equal(offlineBanner(summary({ pending: 2 })), null);
    assert.equal(
      offlineBanner(summary({ offline: true, pending: 1 })),
      "The server cannot be reached. 1 change is kept on this device and will be saved when the connection returns.",
    );
    assert.match(offlineBanner(summary({ offline: true, pending: 2 })), /\. 2 changes are kept on this device /);
  });
});

describe("discardAllLabel", () => {
  it("counts several refused changes", () => {
    assert.equal(discardAllLabel(1), "Discard failed change");
    assert.equal(discardAllLabel(2), "Discard 2 failed changes");
  });
});

describe("quoteExcerpt", () => {
  it("keeps short sentences and cuts long ones to 80 characters", () => {
    assert.equal(quoteExcerpt("Short."), "Short.");
    const exactly80 = "x".repeat(80);
    assert.equal(quoteExcerpt(exactly80), exactly80);
    const cut = quoteExcerpt("y".repeat(81));
    assert.equal(cut.length, 80);
    assert.equal(cut, `${"y".repeat(79)}…`);
  });
});
