// The labeling screen: keyboard-first labeling of every sentence, optimistic
// display, background saving through the REST API (lib/save-queue.js).
// This entry module only wires the parts in labeling/ together and starts
// the screen; the template loads it as the page's one module script.

import { SaveQueue } from "./lib/save-queue.js";
import { LabelingActions } from "./labeling/actions.js";
import { BoundaryEditor, listenForEditKeys } from "./labeling/boundaries.js";
import { annotationApi, sentencesFetcher } from "./labeling/annotation-api.js";
import {
  ConflictDialog,
  GuidelinesPanel,
  SentenceDialogs,
  anyDialogOpen,
  createToast,
  setUpHelp,
  trackToolbarHeight,
} from "./labeling/dialogs.js";
import { listenForShortcuts } from "./labeling/keys.js";
import { moveTarget, startingSentence } from "./labeling/navigation.js";
import { ReviewChecker } from "./labeling/review.js";
import { SaveStatusPanel } from "./labeling/save-status.js";
import { SuggestionLayer } from "./labeling/suggestions.js";
import { SentenceView } from "./labeling/view.js";
import { SentenceWindow } from "./labeling/window.js";

const config = JSON.parse(document.getElementById("labeling-config").textContent);
// Archived labels stay on the sentences that carry them (name, colour) but
// are not offered: no button, no shortcut.
const allLabels = config.labels;
const labels = allLabels.filter((l) => !l.archived);
const labelByKey = new Map(allLabels.map((l) => [l.key, l]));
const labelByShortcut = new Map(labels.map((l) => [l.shortcut, l]));
const labelButtons = [...document.querySelectorAll(".label-button")];

const view = new SentenceView({
  articleText: document.getElementById("article-text"),
  labelByKey,
  progressBar: document.getElementById("article-progress"),
  progressText: document.getElementById("progress-text"),
  labelButtons,
  undoButton: document.getElementById("undo-button"),
  counts: config.window,
  historyLink: document.getElementById("history-link"),
});
trackToolbarHeight(document.querySelector(".label-toolbar"));
const toast = createToast(document.getElementById("toast"), () =>
  view.isLoaded(view.current) ? view.el(view.current) : null,
);
const fetchPage = sentencesFetcher(config.apiRoot, config.articleId);
const held = new SentenceWindow({
  view,
  range: config.window,
  fetchPage,
  onLoaded: (rows) => actions.loaded(rows),
  onError: (reason) => toast(`More of the article could not be loaded (${reason}); move again to retry.`),
});

// The hooks use parts created below; the queue calls them only once it works.
let hasUnsaved = false;
const queue = new SaveQueue({
  storageKey: `annotator:queue:u${config.userId}:a${config.articleId}`,
  api: annotationApi(config.apiRoot),
  storage: window.localStorage,
  connectivity: window,
  hooks: {
    onEntry: (sentenceId, state, detail) => view.showSaveState(sentenceId, state, detail),
    onSaved: (sentenceId, value, version) => actions.saved(sentenceId, value, version),
    onConflict: (sentenceId, mine, theirs) => conflicts.add(sentenceId, theirs),
    onStatus: (summary) => {
      hasUnsaved = summary.pending > 0;
      saveStatus.show(summary);
    },
  },
});

const actions = new LabelingActions({
  view,
  queue,
  labelByKey,
  toast,
  held,
  fetchPage,
  nextName: () => document.getElementById("next-article")?.textContent.trim() || "Next article",
});
const conflicts = new ConflictDialog({
  view,
  labelByKey,
  mineFor: (sentenceId) => actions.mineFor(sentenceId),
  keepMine: (sentenceId, theirs) => actions.keepMine(sentenceId, theirs),
  takeTheirs: (sentenceId, theirs) => actions.takeTheirs(sentenceId, theirs),
});
const saveStatus = new SaveStatusPanel({
  view,
  labelByKey,
  refused: () => queue.rejected(),
  discard: (ids) => actions.discardRefused(ids),
});
const sentenceDialogs = new SentenceDialogs({
  view,
  labels,
  labelByKey,
  toast,
  save: (i, value) => actions.setValue(i, value),
});
const suggestions = new SuggestionLayer({
  articleText: document.getElementById("article-text"),
  apiRoot: config.apiRoot,
  articleId: config.articleId,
  userId: config.userId,
  labelByKey,
  storage: window.localStorage,
  nextButtons: [...document.querySelectorAll(".next-form button[type=submit]")],
});
const openHelp = setUpHelp();
// Labels to check after a boundary change, and changing boundaries (where allowed).
const review = new ReviewChecker({ view, actions, queue, labelByKey, toast, fetchPage });
review.wire();
const boundaries = config.canEditSegmentation
  ? new BoundaryEditor({ config, view, held, actions, queue, toast, articleText: document.getElementById("article-text") })
  : null;
boundaries?.wire();
listenForEditKeys(document, {
  labelByShortcut,
  isPaused: anyDialogOpen,
  keys: { c: () => review.open(), ...(boundaries ? { b: () => boundaries.open() } : {}) },
});
const guidelines = new GuidelinesPanel();

window.addEventListener("beforeunload", (event) => {
  if (!hasUnsaved) return;
  event.preventDefault();
  event.returnValue = "";
});

// --- input ------------------------------------------------------------------------

// A move past either end of what the page holds waits for the next sentences;
// keys pressed meanwhile are carried out after it, in order.
async function move(action) {
  const from = view.isLoaded(view.current) ? view.current : view.first;
  const target = moveTarget(action.move, from, view.count);
  if (await held.ensure(target)) view.focus(target);
}

const perform = {
  label: (action) => actions.applyLabel(action.labelKey),
  // The suggestion becomes the user's own label, recording the model it came from.
  accept: () => {
    const suggestion = view.isLoaded(view.current) ? suggestions.forSentence(view.el(view.current)) : null;
    if (!suggestion) return toast("No suggestion to accept on this sentence.");
    return actions.applyLabel(suggestion.label, { suggestion: suggestion.model });
  },
  move,
  undo: () => actions.undo(),
  clear: () => actions.clearLabel(),
  note: () => sentenceDialogs.openNote(),
  source: () => sentenceDialogs.openSource(),
  guidelines: () => guidelines.toggle(),
  help: () => openHelp(),
};
let pending = Promise.resolve();
listenForShortcuts(document, {
  labelByShortcut,
  isPaused: anyDialogOpen,
  perform: (action) => {
    pending = pending.then(() => perform[action.name](action)).catch((error) => console.error(error));
  },
});

const articleText = document.getElementById("article-text");
articleText.addEventListener("click", (event) => {
  const el = event.target.closest(".sentence");
  if (el) view.focus(view.indexOfElement(el), { scroll: false });
});
articleText.addEventListener("focusin", (event) => {
  const el = event.target.closest(".sentence");
  if (el && !view.isCurrent(el)) view.focus(view.indexOfElement(el), { scroll: false });
});
for (const button of labelButtons) {
  button.style.setProperty("--label-color", button.dataset.color);
  button.addEventListener("click", () => {
    pending = pending.then(() => actions.applyLabel(button.dataset.labelKey));
  });
}
document.getElementById("undo-button").addEventListener("click", () => {
  pending = pending.then(() => actions.undo());
});
document.getElementById("note-button").addEventListener("click", () => sentenceDialogs.openNote());
document.getElementById("source-button").addEventListener("click", () => sentenceDialogs.openSource());
document.getElementById("help-button").addEventListener("click", openHelp);

// --- start -------------------------------------------------------------------------

view.paintLabelColors();
const restored = actions.showRestored();
view.updateProgress();
guidelines.reopenIfLeftOpen();
// The server's window starts just before the first unlabeled sentence.
held.watchEdges(document.getElementById("window-before"), document.getElementById("window-after"));
// An address with ?at= (the re-check list) opens on the sentence it names.
const asked = config.window?.focus;
const start = startingSentence((k) => view.isLabeled(view.first + k), view.end - view.first);
if (asked != null && view.isLoaded(asked)) view.focus(asked);
else if (start !== -1) view.focus(view.first + start);
queue.report();
suggestions.load();
if (restored) {
  toast(`${restored} unsaved change${restored === 1 ? "" : "s"} from your last visit restored; saving now.`);
  queue.pump();
}
performance.mark("labeling-ready");
document.documentElement.dataset.labelingReady = "true";
