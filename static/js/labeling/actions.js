// What the user does to the labels: label, clear, undo, write a note or
// source, decide a conflict, discard a refused change. Each change is shown
// at once (view) and handed to the save queue; this module also remembers
// what the server has stored for each sentence, to build on its version and
// to show it again when a change is given up.

import { annotationValue } from "../lib/save-queue.js";
import { UndoHistory } from "./undo-history.js";
import { describe, isUnchanged, unlabeled, withLabel } from "./values.js";

export class LabelingActions {
  // held: the SentenceWindow that loads the rest of the article (window.js).
  // fetchPage({offset, limit}): resolves to {status, data} with a page of the
  // article's sentences (annotation-api.js's sentencesFetcher).
  // nextName(): the Next button's text, which follows the corpus's next-sentence policy.
  constructor({ view, queue, labelByKey, toast, held, fetchPage, nextName = () => "Next article" }) {
    this.view = view;
    this.nextName = nextName;
    this.queue = queue;
    this.labelByKey = labelByKey;
    this.toast = toast;
    this.held = held;
    this.fetchPage = fetchPage;
    this.history = new UndoHistory();
    // Sentence id -> {value, version} the server holds, as far as this page
    // knows; read from the page before any queued change is shown on it.
    this.stored = new Map();
    for (let i = view.first; i < view.end; i += 1) this.remember(i);
  }

  remember(i) {
    this.stored.set(this.view.idAt(i), { value: this.view.valueAt(i), version: this.view.versionAt(i) });
  }

  // Rows the window just put on the page: remember what the server holds, then
  // show over it any change of this page still waiting to be saved.
  loaded(rows) {
    const view = this.view;
    let shown = false;
    for (const row of rows) {
      const i = view.indexOf(row.id);
      if (i === undefined) continue;
      this.remember(i);
      const entry = this.queue.entries.get(row.id);
      if (entry) {
        view.render(i, entry.wanted);
        view.showSaveState(row.id, entry.state);
        shown = true;
      }
    }
    if (shown) view.refresh();
  }

  // Show value on sentence i and queue it for saving; false if nothing changed.
  setValue(i, value, { record = true } = {}) {
    const view = this.view;
    const before = view.valueAt(i);
    if (isUnchanged(before, value)) return false;
    view.render(i, value);
    view.refresh();
    if (record) {
      this.history.record({ index: i, before });
      view.setUndoAvailable(true);
    }
    const id = view.idAt(i);
    // An accepted suggestion names its model; the page shows only the label.
    const wanted = value.suggestion ? { ...view.valueAt(i), suggestion: value.suggestion } : view.valueAt(i);
    this.queue.enqueue(id, wanted, this.stored.get(id)?.version || 0);
    return true;
  }

  // Label the current sentence (the first on the page if none) and move to the
  // next unlabeled one, so labeling a whole article is one key per sentence.
  // provenance: {suggestion: "<model> v<version>"} when accepting a suggestion.
  async applyLabel(key, provenance = null) {
    const view = this.view;
    if (!view.isLoaded(view.current)) view.focus(view.first);
    if (!view.isLoaded(view.current)) return;
    const before = view.valueAt(view.current);
    const value = withLabel(before, this.labelByKey.get(key));
    this.setValue(view.current, provenance ? { ...value, ...provenance } : value);
    const next = await this.held.nextUnlabeled(view.current);
    if (next === -1) {
      this.toast(`All ${view.count} sentences are labeled. “${this.nextName()}” takes you on.`);
      view.updateLabelBar();
    } else {
      view.focus(next);
    }
  }

  clearLabel() {
    if (!this.view.isLoaded(this.view.current)) return;
    this.setValue(this.view.current, unlabeled());
  }

  async undo() {
    const last = this.history.takeLast();
    this.view.setUndoAvailable(!this.history.isEmpty);
    if (!last) {
      this.toast("Nothing to undo.");
      return;
    }
    // The page never drops a sentence it loaded; this is only a guard.
    if (!(await this.held.ensure(last.index))) return;
    this.setValue(last.index, last.before, { record: false });
    this.view.focus(last.index);
    this.toast(`Undone: the sentence is ${describe(last.before, this.labelByKey).toLowerCase()} again.`);
  }

  // SaveQueue hook: the server stored value at version.
  saved(sentenceId, value, version) {
    this.stored.set(sentenceId, { value, version });
    const i = this.view.indexOf(sentenceId);
    if (i !== undefined) this.view.setVersion(i, version);
  }

  // The value this page is trying to save (for the conflict dialog).
  mineFor(sentenceId) {
    return this.queue.entries.get(sentenceId)?.wanted || this.view.valueAt(this.view.indexOf(sentenceId));
  }

  keepMine(sentenceId, theirs) {
    this.queue.resolveKeepMine(sentenceId, theirs);
    this.toast("Keeping your value; saving it over the other one.");
  }

  // theirs: the annotation the server holds (null: none); shown, nothing written.
  takeTheirs(sentenceId, theirs) {
    const value = annotationValue(theirs);
    this.stored.set(sentenceId, { value, version: theirs ? theirs.version : 0 });
    this.view.render(this.view.indexOf(sentenceId), value);
    this.view.refresh();
    this.queue.resolveTakeTheirs(sentenceId);
    this.toast("Took the saved value.");
  }

  // ids: the refused changes to give up, null for all of them.
  discardRefused(ids) {
    const view = this.view;
    const dropped = this.queue.discardRejected(ids);
    if (!dropped.length) return;
    for (const id of dropped) {
      const i = view.indexOf(id);
      if (i === undefined) continue;
      view.render(i, this.stored.get(id)?.value || unlabeled());
      view.showSaveState(id, "");
    }
    view.refresh();
    const n = dropped.length;
    this.toast(`Discarded ${n} refused change${n === 1 ? "" : "s"}; showing what is saved.`);
    // The button pressed is gone: the focus goes back to the text.
    view.focus(ids ? view.indexOf(dropped[0]) : view.isLoaded(view.current) ? view.current : view.first);
    this.refreshStored(dropped);
  }

  // What the server holds now may differ from what this page last saw (another
  // tab): ask, and show it for sentences the user has not changed since.
  async refreshStored(ids) {
    const view = this.view;
    const indexes = ids.map((id) => view.indexOf(id)).filter((i) => i !== undefined);
    if (!indexes.length) return;
    // One page covering the sentences concerned (they are on the page).
    const first = Math.min(...indexes.map((i) => Number(view.el(i).dataset.index)));
    const last = Math.max(...indexes.map((i) => Number(view.el(i).dataset.index)));
    let answer;
    try {
      answer = await this.fetchPage({ offset: first, limit: Math.min(last - first + 1, 1000) });
    } catch {
      return; // the last known stored value is already shown
    }
    if (answer.status !== 200 || !answer.data || !Array.isArray(answer.data.results)) return;
    const byId = new Map(answer.data.results.map((s) => [s.id, s]));
    let changed = false;
    for (const id of ids) {
      const fresh = byId.get(id);
      const i = this.view.indexOf(id);
      if (!fresh || i === undefined || this.queue.entries.has(id)) continue;
      const mine = fresh.my_annotation;
      const value = annotationValue(mine);
      const version = mine ? mine.version : 0;
      this.stored.set(id, { value, version });
      this.view.setVersion(i, version);
      this.view.render(i, value);
      changed = true;
    }
    if (changed) this.view.refresh();
  }

  // Changes left unsaved by an earlier visit, shown as queued. Returns how
  // many there were.
  showRestored() {
    const restored = this.queue.restore();
    for (const { sentenceId, wanted } of restored) {
      const i = this.view.indexOf(sentenceId);
      // Not on the page: further on in a long article (shown once loaded, see
      // loaded()) or gone since a new segmentation (the server refuses it).
      if (i === undefined) continue;
      this.view.render(i, wanted);
      this.view.showSaveState(sentenceId, "queued");
    }
    return restored.length;
  }
}
