// Keyboard shortcuts (static/js/labeling/keys.js): which key does what.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { shortcutAction } from "../../static/js/labeling/keys.js";

const labelByShortcut = new Map([
  ["1", { key: "claim" }],
  ["2", { key: "speculation" }],
  ["3", { key: "sourced_fact" }],
]);

function press(key, modifiers = {}) {
  return shortcutAction({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...modifiers }, labelByShortcut);
}

describe("shortcutAction", () => {
  it("labels with each label's own shortcut", () => {
    assert.deepEqual(press("1"), { name: "label", labelKey: "claim" });
    assert.deepEqual(press("2"), { name: "label", labelKey: "speculation" });
    assert.deepEqual(press("3"), { name: "label", labelKey: "sourced_fact" });
    assert.equal(press("4"), null);
  });

  it("moves with j/k, the arrows, Home and End", () => {
    for (const key of ["j", "ArrowDown", "ArrowRight"]) assert.deepEqual(press(key), { name: "move", move: "next" }, key);
    for (const key of ["k", "ArrowUp", "ArrowLeft"]) assert.deepEqual(press(key), { name: "move", move: "previous" }, key);
    assert.deepEqual(press("Home"), { name: "move", move: "first" });
    assert.deepEqual(press("End"), { name: "move", move: "last" });
  });

  it("maps the command keys shown in the help dialog", () => {
    const expected = {
      u: "undo",
      x: "clear",
      Delete: "clear",
      Backspace: "clear",
      n: "note",
      s: "source",
      g: "guidelines",
      "?": "help",
      Enter: "activate",
      " ": "activate",
    };
    for (const [key, name] of Object.entries(expected)) assert.deepEqual(press(key), { name }, key);
  });

  it("reads letters whatever the case (Shift, Caps Lock)", () => {
    assert.deepEqual(press("J", { shiftKey: true }), { name: "move", move: "next" });
    assert.deepEqual(press("N"), { name: "note" });
    assert.deepEqual(press("?", { shiftKey: true }), { name: "help" });
  });

  it("undoes with Ctrl+Z and Cmd+Z, but leaves Ctrl+Shift+Z (redo) and Alt+Ctrl+Z alone", () => {
    assert.deepEqual(press("z", { ctrlKey: true }), { name: "undo" });
    assert.deepEqual(press("Z", { metaKey: true }), { name: "undo" });
    assert.equal(press("Z", { ctrlKey: true, shiftKey: true }), null);
    assert.equal(press("z", { ctrlKey: true, altKey: true }), null);
  });

  it("leaves other browser shortcuts to the browser", () => {
    assert.equal(press("1", { ctrlKey: true }), null, "Ctrl+1 switches tabs");
    assert.equal(press("1", { altKey: true }), null);
    assert.equal(press("j", { metaKey: true }), null);
    assert.equal(press("s", { ctrlKey: true }), null);
    assert.equal(press("Tab"), null);
    assert.equal(press("Escape"), null);
  });

  it("lets a label's shortcut win over a command on the same key", () => {
    const custom = new Map([["n", { key: "news" }]]);
    const event = { key: "n", ctrlKey: false, metaKey: false, shiftKey: false, altKey: false };
    assert.deepEqual(shortcutAction(event, custom), { name: "label", labelKey: "news" });
  });

  it("does not take inherited object keys for shortcuts", () => {
    assert.equal(press("constructor"), null);
    assert.equal(press("toString"), null);
  });
});
