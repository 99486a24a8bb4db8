// A sentence's value on this screen is {label, note, source}; label is null
// when the sentence is unlabeled. These functions need no DOM, so they are
// unit-tested in Node (tests/js/).

export function unlabeled() {
  return { label: null, note: "", source: "" };
}

// `before` is read from the page (always complete); `value` may leave the note
// or source out. True means there is nothing to save and nothing to undo.
export function isUnchanged(before, value) {
  return before.label === value.label && before.note === (value.note || "") && before.source === (value.source || "");
}

// Relabeling keeps the note; a source only stays on a label that takes one.
export function withLabel(before, label) {
  return { label: label.key, note: before.note, source: label.takesSource ? before.source : "" };
}

// Short form for screen readers (a sentence's aria-label) and toasts.
export function describe(value, labelByKey) {
  if (!value || !value.label) return "Unlabeled";
  const label = labelByKey.get(value.label);
  let text = label ? label.name : value.label;
  if (value.note) text += ", with note";
  if (value.source) text += ", with source";
  return text;
}

// Long form for the conflict dialog: the user must see what differs.
export function describeFull(value, labelByKey) {
  if (!value || !value.label) return "No label";
  const label = labelByKey.get(value.label);
  let text = label ? label.name : value.label;
  if (value.note) text += ` — note: “${value.note}”`;
  if (value.source) text += ` — source: ${value.source}`;
  return text;
}

// The small markers after a sentence's label tag.
export function flagsText(value) {
  const flags = [];
  if (value.note) flags.push("✎ note");
  if (value.source) flags.push("↗ source");
  return flags.join(" ");
}

// Said instead of opening the source dialog on a label that takes no source.
export function sourceRefusal(labels) {
  const names = labels
    .filter((l) => l.takesSource)
    .map((l) => `${l.name} (${l.shortcut})`)
    .join(" or ");
  return names ? `Only ${names} takes a source: set that label first.` : "No label here takes a source.";
}
