// Stand-ins for the save queue's outside world: the REST API, localStorage
// and the hooks the page passes in. Every request stays pending until the
// test answers it, so a test decides what the server says and when.

export class FakeServer {
  constructor() {
    this.requests = [];
  }

  put(sentenceId, body) {
    return this.receive({ method: "PUT", sentenceId, body });
  }

  del(sentenceId, version) {
    return this.receive({ method: "DELETE", sentenceId, version });
  }

  receive(request) {
    const answered = new Promise((resolve, reject) => {
      request.answer = (status, data = null) => resolve({ status, data });
      request.fail = (error) => reject(error);
    });
    this.requests.push(request);
    return answered;
  }

  get last() {
    return this.requests.at(-1);
  }
}

export class MemoryStorage {
  constructor(items = {}) {
    this.items = new Map(Object.entries(items));
  }

  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }

  setItem(key, value) {
    this.items.set(key, String(value));
  }

  removeItem(key) {
    this.items.delete(key);
  }

  // What the queue left for the next visit, parsed.
  saved(key) {
    const text = this.getItem(key);
    return text === null ? null : JSON.parse(text);
  }
}

// Storage the browser refuses to write to (quota full, private mode).
export class FullStorage extends MemoryStorage {
  setItem() {
    throw new Error("QuotaExceededError");
  }
}

// Records every hook call, in order.
export class HookLog {
  constructor() {
    this.entries = [];
    this.saved = [];
    this.conflicts = [];
    this.statuses = [];
    this.hooks = {
      onEntry: (sentenceId, state, detail) => this.entries.push({ sentenceId, state, detail }),
      onSaved: (sentenceId, value, version, how) => this.saved.push({ sentenceId, value, version, ...how }),
      onConflict: (sentenceId, mine, current) => this.conflicts.push({ sentenceId, mine, current }),
      onStatus: (summary) => this.statuses.push(summary),
    };
  }

  get status() {
    return this.statuses.at(-1);
  }

  lastEntry(sentenceId) {
    return this.entries.filter((e) => e.sentenceId === sentenceId).at(-1);
  }
}

// Lets every pending promise callback and queued microtask run (the queue
// sends from a microtask and handles answers after an await).
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}
