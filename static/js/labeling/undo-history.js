// The changes the user can undo, newest last. Bounded so a long session does
// not keep every change in memory; the oldest are forgotten first.

export class UndoHistory {
  constructor(limit = 500) {
    this.limit = limit;
    this.changes = [];
  }

  // change: {index, before}: the sentence and the value it had.
  record(change) {
    this.changes.push(change);
    if (this.changes.length > this.limit) this.changes.shift();
  }

  // The newest change, removed; undefined when there is none.
  takeLast() {
    return this.changes.pop();
  }

  get isEmpty() {
    return this.changes.length === 0;
  }
}
