// The labeling screen: keyboard-first labeling of every sentence, optimistic
// display, background saving through the REST API (lib/save-queue.js).
// Article text only ever goes into the page as text (textContent).

import { apiFetch } from "./lib/api.js";
import { SaveQueue } from "./lib/save-queue.js";

const config = JSON.parse(document.getElementById("labeling-config").textContent);
const labels = config.labels;
const labelByKey = new Map(labels.map((l) => [l.key, l]));
const labelByShortcut = new Map(labels.map((l) => [l.shortcut, l]));
const sourceLabels = labels.filter((l) => l.takesSource);

const articleText = document.getElementById("article-text");
const sentences = [...articleText.querySelectorAll(".sentence")];
const indexById = new Map(sentences.map((el, i) => [Number(el.dataset.id), i]));
const serverVersion = new Map(sentences.map((el) => [Number(el.dataset.id), Number(el.dataset.version) || 0]));
// What the server has stored for each sentence, as far as this page knows:
// shown again when the user discards a change the server refused.
const storedValue = new Map(sentences.map((el) => [Number(el.dataset.id), valueOf(el)]));

const progressBar = document.getElementById("article-progress");
const progressText = document.getElementById("progress-text");
const statusEl = document.getElementById("save-status");
const banner = document.getElementById("offline-banner");
const undoButton = document.getElementById("undo-button");
const toastEl = document.getElementById("toast");
const labelButtons = [...document.querySelectorAll(".label-button")];
const discardAllButton = document.getElementById("discard-failed");
const refusedPanel = document.getElementById("refused-panel");
const refusedList = document.getElementById("refused-list");

const undoStack = [];
const UNDO_LIMIT = 500;
let current = -1;
let labeledCount = sentences.filter((el) => el.dataset.label).length;
let hasUnsaved = false;
const savedMarkTimers = new Map();

// --- rendering one sentence -------------------------------------------------

function valueOf(el) {
  return { label: el.dataset.label || null, note: el.dataset.note || "", source: el.dataset.source || "" };
}

function describe(value) {
  if (!value || !value.label) return "Unlabeled";
  const label = labelByKey.get(value.label);
  let text = label ? label.name : value.label;
  if (value.note) text += ", with note";
  if (value.source) text += ", with source";
  return text;
}

function render(el, value) {
  const label = value.label ? labelByKey.get(value.label) : null;
  const wasLabeled = Boolean(el.dataset.label);
  if (label) {
    el.dataset.label = label.key;
    el.style.setProperty("--label-color", label.color);
  } else {
    delete el.dataset.label;
    el.style.removeProperty("--label-color");
  }
  el.dataset.note = value.note || "";
  el.dataset.source = value.source || "";
  el.querySelector(".sentence-tag").textContent = label ? label.name : "";
  const flags = [];
  if (value.note) flags.push("✎ note");
  if (value.source) flags.push("↗ source");
  el.querySelector(".sentence-flags").textContent = flags.join(" ");
  const text = el.querySelector(".sentence-text").textContent;
  el.setAttribute("aria-label", `${describe(value)}. ${text}`);
  labeledCount += (label ? 1 : 0) - (wasLabeled ? 1 : 0);
}

function updateProgress() {
  const total = sentences.length;
  progressBar.max = total || 1;
  progressBar.value = labeledCount;
  progressText.textContent =
    total && labeledCount === total ? `All ${total} labeled` : `${labeledCount} / ${total} labeled`;
}

function updateLabelBar() {
  const key = current >= 0 ? sentences[current].dataset.label : undefined;
  for (const button of labelButtons) {
    button.setAttribute("aria-pressed", String(button.dataset.labelKey === key));
  }
}

const SAVE_MARKS = {
  saving: "saving…",
  queued: "queued",
  failed: "retrying",
  rejected: "refused",
  conflict: "conflict",
  saved: "saved ✓",
};

function showSaveState(sentenceId, state, detail) {
  const el = sentences[indexById.get(sentenceId)];
  if (!el) return;
  const mark = el.querySelector(".save-mark");
  clearTimeout(savedMarkTimers.get(sentenceId));
  el.dataset.save = state;
  mark.dataset.state = state;
  mark.textContent = SAVE_MARKS[state] || "";
  mark.title = detail || "";
  if (!state) {
    delete el.dataset.save;
    delete mark.dataset.state;
  } else if (state === "saved") {
    savedMarkTimers.set(
      sentenceId,
      setTimeout(() => {
        delete el.dataset.save;
        mark.textContent = "";
        delete mark.dataset.state;
      }, 1500),
    );
  }
}

// --- moving ------------------------------------------------------------------

function focusSentence(i, { scroll = true } = {}) {
  if (i < 0 || i >= sentences.length) return;
  if (current >= 0) {
    sentences[current].classList.remove("is-current");
    sentences[current].tabIndex = -1;
  }
  current = i;
  const el = sentences[i];
  el.classList.add("is-current");
  el.tabIndex = 0;
  el.focus({ preventScroll: !scroll });
  if (scroll) el.scrollIntoView({ block: "nearest" });
  updateLabelBar();
}

function nextUnlabeled(from) {
  for (let step = 1; step <= sentences.length; step += 1) {
    const i = (from + step) % sentences.length;
    if (!sentences[i].dataset.label) return i;
  }
  return -1;
}

// --- changing -----------------------------------------------------------------

function setValue(i, value, { record = true } = {}) {
  const el = sentences[i];
  const before = valueOf(el);
  const same =
    before.label === value.label && before.note === (value.note || "") && before.source === (value.source || "");
  if (same) return false;
  render(el, value);
  updateProgress();
  updateLabelBar();
  if (record) {
    undoStack.push({ index: i, before });
    if (undoStack.length > UNDO_LIMIT) undoStack.shift();
    undoButton.disabled = false;
  }
  const id = Number(el.dataset.id);
  queue.enqueue(id, valueOf(el), serverVersion.get(id) || 0);
  return true;
}

function applyLabel(key) {
  if (current < 0) focusSentence(0);
  const label = labelByKey.get(key);
  const before = valueOf(sentences[current]);
  setValue(current, { label: key, note: before.note, source: label.takesSource ? before.source : "" });
  const next = nextUnlabeled(current);
  if (next === -1) {
    toast(`All ${sentences.length} sentences are labeled. “Next article” takes you on.`);
    updateLabelBar();
  } else {
    focusSentence(next);
  }
}

function clearLabel() {
  if (current < 0) return;
  setValue(current, { label: null, note: "", source: "" });
}

function undo() {
  const last = undoStack.pop();
  undoButton.disabled = undoStack.length === 0;
  if (!last) {
    toast("Nothing to undo.");
    return;
  }
  setValue(last.index, last.before, { record: false });
  focusSentence(last.index);
  toast(`Undone: the sentence is ${describe(last.before).toLowerCase()} again.`);
}

// --- dialogs ----------------------------------------------------------------------

let toastTimer = null;
function toast(message) {
  toastEl.textContent = message;
  toastEl.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toastEl.hidden = true;
  }, 3500);
}

function anyDialogOpen() {
  return Boolean(document.querySelector("dialog[open]"));
}

function openTextDialog({ dialogId, inputId, quoteId, value, onSave }) {
  const dialog = document.getElementById(dialogId);
  const input = document.getElementById(inputId);
  const index = current;
  document.getElementById(quoteId).textContent = sentences[index].querySelector(".sentence-text").textContent;
  input.value = value;
  const form = dialog.querySelector("form");
  const cancel = dialog.querySelector("button[value='cancel']");
  const submit = (event) => {
    event.preventDefault();
    onSave(index, input.value.trim());
    dialog.close();
  };
  const onCancel = () => dialog.close();
  form.addEventListener("submit", submit);
  cancel.addEventListener("click", onCancel);
  // Escape, Cancel and Save all end here.
  dialog.addEventListener(
    "close",
    () => {
      form.removeEventListener("submit", submit);
      cancel.removeEventListener("click", onCancel);
      focusSentence(index);
    },
    { once: true },
  );
  dialog.showModal();
  input.focus();
}

function openNote() {
  if (current < 0) return;
  const value = valueOf(sentences[current]);
  if (!value.label) {
    toast("Label the sentence first: a note belongs to a label.");
    return;
  }
  openTextDialog({
    dialogId: "note-dialog",
    inputId: "note-input",
    quoteId: "note-quote",
    value: value.note,
    onSave: (i, note) => setValue(i, { ...valueOf(sentences[i]), note }),
  });
}

function openSource() {
  if (current < 0) return;
  const value = valueOf(sentences[current]);
  const label = value.label ? labelByKey.get(value.label) : null;
  if (!label || !label.takesSource) {
    const names = sourceLabels.map((l) => `${l.name} (${l.shortcut})`).join(" or ");
    toast(names ? `Only ${names} takes a source: set that label first.` : "No label here takes a source.");
    return;
  }
  openTextDialog({
    dialogId: "source-dialog",
    inputId: "source-input",
    quoteId: "source-quote",
    value: value.source,
    onSave: (i, source) => setValue(i, { ...valueOf(sentences[i]), source }),
  });
}

function openHelp() {
  const dialog = document.getElementById("help-dialog");
  dialog.showModal();
  document.getElementById("help-close").focus();
}

// Conflicts are shown one at a time; the user picks which value stays.
const conflicts = [];
function showNextConflict() {
  const dialog = document.getElementById("conflict-dialog");
  if (dialog.open || conflicts.length === 0) return;
  const { sentenceId, current: theirs } = conflicts[0];
  const el = sentences[indexById.get(sentenceId)];
  focusSentence(indexById.get(sentenceId));
  const mine = queue.entries.get(sentenceId)?.wanted || valueOf(el);
  document.getElementById("conflict-quote").textContent = el.querySelector(".sentence-text").textContent;
  document.getElementById("conflict-mine").textContent = describeFull(mine);
  document.getElementById("conflict-theirs").textContent = describeFull(theirs);
  dialog.showModal();
  document.getElementById("conflict-mine-button").focus();
}

function describeFull(value) {
  if (!value || !value.label) return "No label";
  const label = labelByKey.get(value.label);
  let text = label ? label.name : value.label;
  if (value.note) text += ` — note: “${value.note}”`;
  if (value.source) text += ` — source: ${value.source}`;
  return text;
}

function resolveConflict(keepMine) {
  const dialog = document.getElementById("conflict-dialog");
  const item = conflicts.shift();
  dialog.close();
  if (!item) return;
  const { sentenceId, current: theirs } = item;
  const i = indexById.get(sentenceId);
  if (keepMine) {
    queue.resolveKeepMine(sentenceId, theirs);
    toast("Keeping your value; saving it over the other one.");
  } else {
    const stored = theirs ? { label: theirs.label, note: theirs.note || "", source: theirs.source || "" } : { label: null, note: "", source: "" };
    serverVersion.set(sentenceId, theirs ? theirs.version : 0);
    storedValue.set(sentenceId, stored);
    render(sentences[i], stored);
    updateProgress();
    updateLabelBar();
    queue.resolveTakeTheirs(sentenceId);
    toast("Took the saved value.");
  }
  focusSentence(i);
  showNextConflict();
}

// --- saving ----------------------------------------------------------------------

const api = {
  put: (id, body) => apiFetch(`${config.apiRoot}sentences/${id}/annotation/`, { method: "PUT", body }),
  del: (id, version) =>
    apiFetch(`${config.apiRoot}sentences/${id}/annotation/?version=${encodeURIComponent(version)}`, {
      method: "DELETE",
    }),
};

function onStatus(s) {
  hasUnsaved = s.pending > 0;
  let state = "saved";
  let text = "All changes saved";
  if (s.conflicts) {
    state = "conflict";
    text = `${s.conflicts} conflict${s.conflicts > 1 ? "s" : ""}: choose which value to keep`;
  } else if (s.offline) {
    state = "offline";
    text = `Offline: ${s.pending} change${s.pending === 1 ? "" : "s"} queued`;
  } else if (s.failed || s.rejected) {
    state = "failed";
    text = `Save failed for ${s.failed + s.rejected}: ${s.lastError}${s.failed ? " (retrying)" : ""}`;
  } else if (s.pending) {
    state = "saving";
    text = `Saving ${s.pending} change${s.pending === 1 ? "" : "s"}…`;
  }
  if (statusEl.dataset.state !== state || statusEl.textContent !== text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }
  discardAllButton.hidden = s.rejected === 0;
  discardAllButton.textContent = s.rejected > 1 ? `Discard ${s.rejected} failed changes` : "Discard failed change";
  showRefused();
  const showBanner = s.offline && s.pending > 0;
  banner.hidden = !showBanner;
  if (showBanner) {
    banner.textContent = `The server cannot be reached. ${s.pending} change${s.pending === 1 ? " is" : "s are"} kept on this device and will be saved when the connection returns.`;
  }
}

// Changes the server refused for good (the article is being segmented again,
// the label was removed...): listed with the reason, each with a Discard
// button; discarding shows what is stored again and ends the leave-page warning.
let refusedShown = "";
function showRefused() {
  const refused = queue.rejected();
  const key = refused.map((e) => `${e.sentenceId}:${e.wanted.label}:${e.error}`).join("|");
  if (key === refusedShown) return;
  refusedShown = key;
  const items = refused.map((entry) => {
    const el = sentences[indexById.get(entry.sentenceId)];
    const item = document.createElement("li");
    const quote = document.createElement("q");
    const text = el ? el.querySelector(".sentence-text").textContent : `Sentence ${entry.sentenceId}`;
    quote.textContent = text.length > 80 ? `${text.slice(0, 79)}…` : text;
    const what = document.createElement("span");
    what.textContent = ` → ${describe(entry.wanted)}: ${entry.error} `;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small";
    button.dataset.sentenceId = String(entry.sentenceId);
    button.textContent = "Discard";
    button.setAttribute("aria-label", `Discard the refused change to “${quote.textContent}”`);
    item.append(quote, what, button);
    return item;
  });
  refusedList.replaceChildren(...items);
  refusedPanel.hidden = items.length === 0;
}

function discardRefused(ids) {
  const dropped = queue.discardRejected(ids);
  if (!dropped.length) return;
  for (const id of dropped) {
    const i = indexById.get(id);
    if (i === undefined) continue;
    render(sentences[i], storedValue.get(id) || { label: null, note: "", source: "" });
    showSaveState(id, "");
  }
  updateProgress();
  updateLabelBar();
  const n = dropped.length;
  toast(`Discarded ${n} refused change${n === 1 ? "" : "s"}; showing what is saved.`);
  // The button pressed is gone: the focus goes back to the text.
  focusSentence(ids ? indexById.get(dropped[0]) : Math.max(current, 0));
  refreshStored(dropped);
}

// What the server holds now may differ from what this page last saw (another
// tab): ask, and show it for sentences the user has not changed since.
async function refreshStored(ids) {
  let answer;
  try {
    answer = await apiFetch(`${config.apiRoot}articles/${config.articleId}/`);
  } catch {
    return; // the last known stored value is already shown
  }
  if (answer.status !== 200 || !answer.data || !Array.isArray(answer.data.sentences)) return;
  const byId = new Map(answer.data.sentences.map((s) => [s.id, s]));
  let changed = false;
  for (const id of ids) {
    const fresh = byId.get(id);
    const i = indexById.get(id);
    if (!fresh || i === undefined || queue.entries.has(id)) continue;
    const mine = fresh.my_annotation;
    const value = mine ? { label: mine.label, note: mine.note || "", source: mine.source || "" } : { label: null, note: "", source: "" };
    serverVersion.set(id, mine ? mine.version : 0);
    storedValue.set(id, value);
    sentences[i].dataset.version = String(mine ? mine.version : 0);
    render(sentences[i], value);
    changed = true;
  }
  if (changed) {
    updateProgress();
    updateLabelBar();
  }
}

const queue = new SaveQueue({
  storageKey: `annotator:queue:u${config.userId}:a${config.articleId}`,
  api,
  hooks: {
    onEntry: showSaveState,
    onSaved: (id, value, version) => {
      serverVersion.set(id, version);
      storedValue.set(id, value);
      const el = sentences[indexById.get(id)];
      if (el) el.dataset.version = String(version);
    },
    onConflict: (sentenceId, mine, theirs) => {
      conflicts.push({ sentenceId, current: theirs });
      showNextConflict();
    },
    onStatus,
  },
});

window.addEventListener("beforeunload", (event) => {
  if (!hasUnsaved) return;
  event.preventDefault();
  event.returnValue = "";
});

// --- input ------------------------------------------------------------------------

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function onKeyDown(event) {
  if (event.defaultPrevented || anyDialogOpen() || isTyping(event.target)) return;
  const key = event.key;
  if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && key.toLowerCase() === "z") {
    event.preventDefault();
    undo();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const lower = key.length === 1 ? key.toLowerCase() : key;
  const label = labelByShortcut.get(lower);
  if (label) {
    event.preventDefault();
    applyLabel(label.key);
    return;
  }
  const onButton = event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement;
  switch (lower) {
    case "j":
    case "ArrowDown":
    case "ArrowRight":
      event.preventDefault();
      focusSentence(Math.min(sentences.length - 1, current + 1));
      return;
    case "k":
    case "ArrowUp":
    case "ArrowLeft":
      event.preventDefault();
      focusSentence(Math.max(0, current - 1));
      return;
    case "Home":
      event.preventDefault();
      focusSentence(0);
      return;
    case "End":
      event.preventDefault();
      focusSentence(sentences.length - 1);
      return;
    case "u":
      event.preventDefault();
      undo();
      return;
    case "x":
    case "Delete":
    case "Backspace":
      event.preventDefault();
      clearLabel();
      return;
    case "n":
      event.preventDefault();
      openNote();
      return;
    case "s":
      event.preventDefault();
      openSource();
      return;
    case "g":
      event.preventDefault();
      toggleGuidelines();
      return;
    case "?":
      event.preventDefault();
      openHelp();
      return;
    case "Enter":
    case " ":
      if (!onButton) event.preventDefault();
      return;
    default:
  }
}

function toggleGuidelines(force) {
  const panel = document.getElementById("guidelines-panel");
  const toggle = document.getElementById("guidelines-toggle");
  const open = force === undefined ? panel.hidden : force;
  panel.hidden = !open;
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById("labeling-body").classList.toggle("with-guidelines", open);
  try {
    localStorage.setItem("annotator:guidelines-open", open ? "1" : "0");
  } catch {
    // not kept: fine
  }
  if (open) document.getElementById("guidelines-heading").scrollIntoView({ block: "nearest" });
}

document.addEventListener("keydown", onKeyDown);
articleText.addEventListener("click", (event) => {
  const el = event.target.closest(".sentence");
  if (el) focusSentence(sentences.indexOf(el), { scroll: false });
});
articleText.addEventListener("focusin", (event) => {
  const el = event.target.closest(".sentence");
  if (el && sentences[current] !== el) focusSentence(sentences.indexOf(el), { scroll: false });
});
for (const button of labelButtons) {
  button.style.setProperty("--label-color", button.dataset.color);
  button.addEventListener("click", () => applyLabel(button.dataset.labelKey));
}
undoButton.addEventListener("click", undo);
document.getElementById("note-button").addEventListener("click", openNote);
document.getElementById("source-button").addEventListener("click", openSource);
document.getElementById("help-button").addEventListener("click", openHelp);
document.getElementById("help-close").addEventListener("click", () => document.getElementById("help-dialog").close());
document.getElementById("guidelines-toggle").addEventListener("click", () => toggleGuidelines());
document.getElementById("guidelines-close").addEventListener("click", () => {
  toggleGuidelines(false);
  document.getElementById("guidelines-toggle").focus();
});
document.getElementById("conflict-mine-button").addEventListener("click", () => resolveConflict(true));
document.getElementById("conflict-theirs-button").addEventListener("click", () => resolveConflict(false));
// A conflict must be decided; Escape does not dismiss it.
document.getElementById("conflict-dialog").addEventListener("cancel", (event) => event.preventDefault());
// Ctrl+Enter saves a note (Enter alone starts a new line).
document.getElementById("note-input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    document.getElementById("note-form").requestSubmit();
  }
});
document.getElementById("discard-failed").addEventListener("click", () => discardRefused(null));
refusedList.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-sentence-id]");
  if (button) discardRefused([Number(button.dataset.sentenceId)]);
});

// --- start -------------------------------------------------------------------------

for (const el of sentences) {
  if (el.dataset.label) el.style.setProperty("--label-color", labelByKey.get(el.dataset.label)?.color || "#4b5563");
}
const restored = queue.restore();
for (const { sentenceId, wanted } of restored) {
  const i = indexById.get(sentenceId);
  if (i === undefined) {
    // The article was segmented again since: that sentence is gone.
    queue.drop(sentenceId);
    continue;
  }
  render(sentences[i], wanted);
  showSaveState(sentenceId, "queued");
}
updateProgress();
if (localStorage.getItem("annotator:guidelines-open") === "1") toggleGuidelines(true);
if (sentences.length) {
  const first = sentences[0].dataset.label ? nextUnlabeled(0) : 0;
  focusSentence(first === -1 ? 0 : first);
}
queue.report();
if (restored.length) {
  toast(`${restored.length} unsaved change${restored.length === 1 ? "" : "s"} from your last visit restored; saving now.`);
  queue.pump();
}
performance.mark("labeling-ready");
document.documentElement.dataset.labelingReady = "true";
