// The part of a long article the page holds, and how it grows. The server
// renders a window of the article (where the user left off); the sentences
// before and after it are fetched from GET /api/articles/{id}/sentences/ when
// the user moves past either end (keys, clicks, scrolling) or when the next
// unlabeled sentence lies beyond it. The page never drops what it loaded, so
// positions, pending saves and undo keep pointing at sentences on the page.

import { nextUnlabeled } from "./navigation.js";

// Sentences (headings included) asked for at a time; the API's limit is 1000.
export const PAGE = 200;
export const MAX_PAGE = 1000;

export class SentenceWindow {
  // view: SentenceView. range: {start, stop, sentenceCount} in sentence indexes
  // (the API's `offset` unit; headings count). fetchPage({offset, limit,
  // unlabeled}) resolves to {status, data}. onLoaded(rows) runs after rows are
  // on the page; onError(message) when a load failed.
  constructor({ view, range, fetchPage, onLoaded = () => {}, onError = () => {} }) {
    this.view = view;
    this.start = range.start;
    this.stop = range.stop;
    this.sentenceCount = range.sentenceCount;
    this.fetchPage = fetchPage;
    this.onLoaded = onLoaded;
    this.onError = onError;
    this.inFlight = { before: null, after: null };
    this.edges = [];
  }

  get hasBefore() {
    return this.start > 0;
  }

  get hasAfter() {
    return this.stop < this.sentenceCount;
  }

  async page(query) {
    let answer;
    try {
      answer = await this.fetchPage(query);
    } catch {
      answer = null;
    }
    if (!answer || answer.status !== 200 || !answer.data || !Array.isArray(answer.data.results)) {
      this.onError(answer ? `the server answered ${answer.status}` : "the server cannot be reached");
      return null;
    }
    this.sentenceCount = answer.data.count;
    return answer.data.results;
  }

  // One load per direction at a time: a second call waits for the first.
  loadAfter(limit = PAGE) {
    if (!this.hasAfter) return Promise.resolve(false);
    this.inFlight.after ??= (async () => {
      const offset = this.stop;
      const rows = await this.page({ offset, limit: Math.min(limit, MAX_PAGE) });
      if (rows === null) return false;
      // Only what follows the page's last sentence, in case it changed meanwhile.
      const fresh = rows.filter((row) => row.index >= this.stop);
      this.view.append(fresh);
      this.stop = fresh.length ? fresh[fresh.length - 1].index + 1 : this.sentenceCount;
      this.onLoaded(fresh);
      this.showEdges();
      return true;
    })().finally(() => {
      this.inFlight.after = null;
    });
    return this.inFlight.after;
  }

  loadBefore(limit = PAGE) {
    if (!this.hasBefore) return Promise.resolve(false);
    this.inFlight.before ??= (async () => {
      const offset = Math.max(0, this.start - Math.min(limit, MAX_PAGE));
      const rows = await this.page({ offset, limit: this.start - offset });
      if (rows === null) return false;
      const fresh = rows.filter((row) => row.index < this.start);
      this.view.prepend(fresh);
      this.start = offset;
      this.onLoaded(fresh);
      this.showEdges();
      return true;
    })().finally(() => {
      this.inFlight.before = null;
    });
    return this.inFlight.before;
  }

  // Grow the page until position i (a labelable sentence) is on it; false if
  // it cannot be (outside the article, or a load failed).
  async ensure(i) {
    const view = this.view;
    if (!Number.isInteger(i) || i < 0 || i >= view.count) return false;
    while (!view.isLoaded(i)) {
      const loaded =
        i < view.first
          ? this.hasBefore && (await this.loadBefore(Math.max(PAGE, view.first - i + 1)))
          : this.hasAfter && (await this.loadAfter(Math.max(PAGE, i - view.end + 1)));
      if (!loaded) return false;
    }
    return true;
  }

  // Grow the page until the sentence with this index is on it.
  async reachIndex(index) {
    while (index >= this.stop && this.hasAfter) {
      if (!(await this.loadAfter(index - this.stop + PAGE))) return false;
    }
    while (index < this.start && this.hasBefore) {
      if (!(await this.loadBefore(this.start - index + 1))) return false;
    }
    return index >= this.start && index < this.stop;
  }

  // The first sentence the user has not labeled whose index is at least
  // offset, loaded onto the page: its position, or -1 when there is none.
  // Beyond the page the server knows best; on it, the page does (changes may
  // not be saved yet).
  async unlabeledFrom(offset) {
    const rows = await this.page({ offset, limit: 1, unlabeled: true });
    if (!rows || rows.length === 0) return -1;
    const row = rows[0];
    if (!(await this.reachIndex(row.index))) return -1;
    const i = this.view.indexOf(row.id);
    return i === undefined || this.view.isLabeled(i) ? -1 : i;
  }

  // The next unlabeled sentence after position `from`, wrapping round to the
  // top; `from` itself only when it is the only one left; -1 when every
  // sentence is labeled (navigation.js's nextUnlabeled over the whole article).
  async nextUnlabeled(from) {
    const view = this.view;
    if (view.labeledCount >= view.count) return -1;
    if (!this.hasBefore && !this.hasAfter) {
      // The whole article is on the page.
      const local = nextUnlabeled((k) => view.isLabeled(view.first + k), view.end - view.first, from - view.first);
      return local === -1 ? -1 : view.first + local;
    }
    for (let i = Math.max(from + 1, view.first); i < view.end; i += 1) {
      if (!view.isLabeled(i)) return i;
    }
    if (this.hasAfter) {
      const after = await this.unlabeledFrom(this.stop);
      if (after !== -1) return after;
    }
    if (this.hasBefore) {
      const before = await this.unlabeledFrom(0);
      if (before !== -1 && before < from) return before;
    }
    for (let i = view.first; i <= Math.min(from, view.end - 1); i += 1) {
      if (!view.isLabeled(i)) return i;
    }
    return -1;
  }

  // The "Loading…" lines above and below the text: shown while there is more,
  // and a load starts when one scrolls into view (for mouse and touch users).
  watchEdges(before, after) {
    this.edges = [
      [before, () => this.hasBefore, () => this.loadBefore()],
      [after, () => this.hasAfter, () => this.loadAfter()],
    ];
    this.showEdges();
    if (typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const edge = this.edges.find(([el]) => el === entry.target);
        if (edge && edge[1]()) edge[2]();
      }
    });
    for (const [el] of this.edges) observer.observe(el);
  }

  showEdges() {
    for (const [el, more] of this.edges) el.hidden = !more();
  }
}
