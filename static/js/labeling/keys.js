// Keyboard shortcuts of the labeling screen. shortcutAction() maps a key
// press to an action name and needs no DOM (unit-tested in Node); the
// listener below applies it to the page. The shortcut list the user sees is
// in templates/articles/label.html (help dialog): keep the two in step.

const MOVES = {
  j: "next",
  ArrowDown: "next",
  ArrowRight: "next",
  k: "previous",
  ArrowUp: "previous",
  ArrowLeft: "previous",
  Home: "first",
  End: "last",
};

const COMMANDS = {
  u: "undo",
  a: "accept",
  x: "clear",
  Delete: "clear",
  Backspace: "clear",
  n: "note",
  s: "source",
  g: "guidelines",
  "?": "help",
  // Enter and Space on a sentence would scroll or do nothing useful; on a
  // button or link they must still press it.
  Enter: "activate",
  " ": "activate",
};

// event: {key, ctrlKey, metaKey, shiftKey, altKey}. Returns
// {name: "label", labelKey}, {name: "move", move}, {name: <command>} or null
// when the key is not a shortcut (left to the browser).
export function shortcutAction(event, labelByShortcut) {
  const key = event.key;
  const command = event.ctrlKey || event.metaKey;
  if (command && !event.shiftKey && !event.altKey && key.toLowerCase() === "z") return { name: "undo" };
  // Other browser and system shortcuts are not ours.
  if (command || event.altKey) return null;
  // Caps Lock or Shift must not stop a letter shortcut from working.
  const lower = key.length === 1 ? key.toLowerCase() : key;
  const label = labelByShortcut.get(lower);
  if (label) return { name: "label", labelKey: label.key };
  if (Object.hasOwn(MOVES, lower)) return { name: "move", move: MOVES[lower] };
  if (Object.hasOwn(COMMANDS, lower)) return { name: COMMANDS[lower] };
  return null;
}

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function pressesSomething(target) {
  return target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement;
}

// perform(action) carries out every action but "activate". isPaused(): true
// while the keys belong to something else (an open dialog).
export function listenForShortcuts(target, { labelByShortcut, isPaused, perform }) {
  target.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || isPaused() || isTyping(event.target)) return;
    const action = shortcutAction(event, labelByShortcut);
    if (!action) return;
    if (action.name === "activate") {
      if (!pressesSomething(event.target)) event.preventDefault();
      return;
    }
    event.preventDefault();
    perform(action);
  });
}
