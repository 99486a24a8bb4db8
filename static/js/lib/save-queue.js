// Background saving of label changes: one entry per sentence holding the
// latest wanted value and the version it was based on. Entries are kept in
// localStorage until the server confirms them, retried with backoff while the
// network or server is gone, and never overwrite a newer saved value: a 409
// becomes a conflict the user resolves.

import { errorMessage, NetworkError } from "./api.js";

const MAX_IN_FLIGHT = 4;
const MAX_DELAY_MS = 15000;

export function sameValue(a, b) {
  if (!a || !a.label) return !b || !b.label;
  if (!b || !b.label) return false;
  return a.label === b.label && (a.note || "") === (b.note || "") && (a.source || "") === (b.source || "");
}

// A stored annotation (null: none) as the value the page shows.
export function annotationValue(annotation) {
  if (!annotation) return { label: null, note: "", source: "" };
  return { label: annotation.label, note: annotation.note || "", source: annotation.source || "" };
}

export class SaveQueue {
  // api: {put(id, body), del(id, version)} returning {status, data}.
  // hooks: onEntry(sentenceId, state, detail) with state queued, saving, saved,
  //        failed (retrying), rejected (refused for good) or conflict;
  //        onSaved(sentenceId, value, version),
  //        onConflict(sentenceId, mine, current), onStatus(summary).
  // storage: where entries outlive the page (localStorage).
  // connectivity: what fires the browser's online and offline events (window).
  // Both are passed in, so the queue also runs outside a browser (unit tests).
  constructor({ storageKey, api, hooks, storage, connectivity }) {
    this.storageKey = storageKey;
    this.api = api;
    this.hooks = hooks;
    this.storage = storage;
    this.entries = new Map();
    this.inFlight = 0;
    this.offline = false;
    this.timer = null;
    connectivity.addEventListener("online", () => this.retryNow());
    connectivity.addEventListener("offline", () => {
      this.offline = true;
      this.report();
    });
  }

  // Entries left by an earlier visit (a reload, a crash, a closed tab).
  restore() {
    let saved = [];
    try {
      saved = JSON.parse(this.storage.getItem(this.storageKey) || "[]");
    } catch {
      saved = [];
    }
    for (const item of saved) {
      if (!item || typeof item.sentenceId !== "number") continue;
      this.entries.set(item.sentenceId, {
        sentenceId: item.sentenceId,
        wanted: item.wanted,
        baseVersion: item.baseVersion || 0,
        sent: item.sent || [],
        state: "queued",
        attempt: 0,
        dueAt: 0,
        busy: false,
        error: "",
      });
    }
    return [...this.entries.values()].map((e) => ({ sentenceId: e.sentenceId, wanted: e.wanted }));
  }

  persist() {
    try {
      if (this.entries.size === 0) {
        this.storage.removeItem(this.storageKey);
        return;
      }
      const items = [...this.entries.values()].map((e) => ({
        sentenceId: e.sentenceId,
        wanted: e.wanted,
        baseVersion: e.baseVersion,
        sent: e.sent.slice(-5),
      }));
      this.storage.setItem(this.storageKey, JSON.stringify(items));
    } catch {
      // Storage full or blocked: the queue still lives in memory.
    }
  }

  get size() {
    return this.entries.size;
  }

  // A new wanted value for a sentence whose last saved version is serverVersion.
  enqueue(sentenceId, wanted, serverVersion) {
    let entry = this.entries.get(sentenceId);
    if (!entry) {
      entry = { sentenceId, wanted, baseVersion: serverVersion, sent: [], state: "queued", attempt: 0, dueAt: 0, busy: false, error: "" };
      this.entries.set(sentenceId, entry);
    } else {
      entry.wanted = wanted;
      if (entry.state !== "conflict") {
        entry.state = entry.busy ? "saving" : "queued";
        entry.attempt = 0;
        entry.dueAt = 0;
      }
    }
    this.persist();
    this.hooks.onEntry(sentenceId, entry.busy ? "saving" : entry.state);
    this.report();
    // Start sending after the current input event has painted.
    queueMicrotask(() => this.pump());
  }

  resolveKeepMine(sentenceId, current) {
    const entry = this.entries.get(sentenceId);
    if (!entry) return;
    entry.baseVersion = current ? current.version : 0;
    entry.state = "queued";
    entry.attempt = 0;
    entry.dueAt = 0;
    this.persist();
    this.hooks.onEntry(sentenceId, "queued");
    this.report();
    this.pump();
  }

  resolveTakeTheirs(sentenceId) {
    this.entries.delete(sentenceId);
    this.persist();
    this.hooks.onEntry(sentenceId, "saved");
    this.report();
  }

  drop(sentenceId) {
    this.entries.delete(sentenceId);
    this.persist();
  }

  // Changes the server refused (400, 404: retrying cannot help), oldest first.
  rejected() {
    return [...this.entries.values()].filter((e) => e.state === "rejected");
  }

  // Give up on refused changes: forgotten here and on this device, so nothing
  // is left unsaved. Returns the sentence ids dropped; the caller shows what
  // the server has stored for them.
  discardRejected(sentenceIds = null) {
    const dropped = [];
    for (const entry of this.rejected()) {
      if (sentenceIds && !sentenceIds.includes(entry.sentenceId)) continue;
      this.entries.delete(entry.sentenceId);
      dropped.push(entry.sentenceId);
    }
    if (dropped.length) {
      this.persist();
      this.report();
    }
    return dropped;
  }

  retryNow() {
    for (const entry of this.entries.values()) {
      if (entry.state === "failed" || entry.state === "queued") entry.dueAt = 0;
    }
    this.pump();
  }

  pump() {
    clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    let nextDue = Infinity;
    for (const entry of this.entries.values()) {
      if (entry.busy || entry.state === "conflict" || entry.state === "rejected") continue;
      if (entry.dueAt > now) {
        nextDue = Math.min(nextDue, entry.dueAt);
        continue;
      }
      if (this.inFlight >= MAX_IN_FLIGHT) break;
      this.send(entry);
    }
    if (nextDue !== Infinity) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, nextDue - now));
    }
  }

  async send(entry) {
    entry.busy = true;
    entry.state = "saving";
    this.inFlight += 1;
    const wanted = entry.wanted;
    entry.sent.push(wanted);
    this.hooks.onEntry(entry.sentenceId, "saving");
    this.report();
    let result;
    try {
      result = wanted.label
        ? await this.api.put(entry.sentenceId, {
            label: wanted.label,
            note: wanted.note || "",
            source: wanted.source || "",
            version: entry.baseVersion,
            ...(wanted.suggestion ? { suggestion: wanted.suggestion } : {}),
          })
        : await this.api.del(entry.sentenceId, entry.baseVersion);
      this.offline = false;
    } catch (error) {
      result = { network: true, error };
      if (error instanceof NetworkError) this.offline = true;
    }
    entry.busy = false;
    this.inFlight -= 1;
    this.handle(entry, wanted, result);
    this.report();
    this.pump();
  }

  handle(entry, wanted, result) {
    const { status, data } = result;
    const stillWanted = this.entries.get(entry.sentenceId) === entry;
    if (!stillWanted) return; // resolved meanwhile ("take theirs")
    if (status === 200 || status === 201 || status === 204) {
      // The server answers again: entries waiting out a backoff go now.
      if (entry.attempt > 0 || this.hadFailures()) queueMicrotask(() => this.retryNow());
      const version = status === 204 ? 0 : data && data.version;
      this.confirmed(entry, wanted, version);
      return;
    }
    if (status === 409) {
      const current = data ? data.current || null : null;
      const currentValue = annotationValue(current);
      const version = current ? current.version : 0;
      if (sameValue(currentValue, entry.wanted)) {
        this.confirmed(entry, entry.wanted, version);
        return;
      }
      // Our own earlier write landed but its answer was lost: not a conflict.
      if (entry.sent.some((v) => sameValue(v, currentValue))) {
        entry.baseVersion = version;
        entry.dueAt = 0;
        entry.state = "queued";
        this.hooks.onSaved(entry.sentenceId, currentValue, version, { partial: true });
        return;
      }
      entry.state = "conflict";
      this.persist();
      this.hooks.onEntry(entry.sentenceId, "conflict");
      this.hooks.onConflict(entry.sentenceId, entry.wanted, current);
      return;
    }
    const retriable = result.network || status >= 500 || status === 429 || status === 408 || status === 401 || status === 403;
    if (retriable) {
      entry.attempt += 1;
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** (entry.attempt - 1)) * (0.8 + Math.random() * 0.4);
      entry.dueAt = Date.now() + delay;
      entry.state = this.offline ? "queued" : "failed";
      entry.error = result.network
        ? "No connection to the server"
        : status === 403 || status === 401
          ? "Not allowed: your session may have ended; sign in again in another tab"
          : errorMessage(data, `Server answered ${status}`);
      this.hooks.onEntry(entry.sentenceId, entry.state, entry.error);
      return;
    }
    // 400, 404 and the like: retrying cannot help; keep it visible until the
    // sentence changes again or the user discards it.
    entry.state = "rejected";
    entry.error = errorMessage(data, `Refused (${status})`);
    this.persist();
    this.hooks.onEntry(entry.sentenceId, "rejected", entry.error);
  }

  confirmed(entry, value, version) {
    entry.baseVersion = version;
    entry.sent = [];
    if (sameValue(entry.wanted, value)) {
      this.entries.delete(entry.sentenceId);
      this.persist();
      this.hooks.onSaved(entry.sentenceId, value, version, { partial: false });
      this.hooks.onEntry(entry.sentenceId, "saved");
    } else {
      // Changed again while this save was in flight: send the newer value.
      entry.state = "queued";
      entry.attempt = 0;
      entry.dueAt = 0;
      this.persist();
      this.hooks.onSaved(entry.sentenceId, value, version, { partial: true });
    }
  }

  hadFailures() {
    for (const entry of this.entries.values()) if (entry.attempt > 0) return true;
    return false;
  }

  summary() {
    let saving = 0;
    let failed = 0;
    let conflicts = 0;
    let rejected = 0;
    let lastError = "";
    for (const entry of this.entries.values()) {
      if (entry.state === "conflict") conflicts += 1;
      else if (entry.state === "rejected") {
        rejected += 1;
        lastError = entry.error;
      } else if (entry.state === "failed") {
        failed += 1;
        lastError = entry.error;
      } else saving += 1;
    }
    return { pending: this.entries.size, saving, failed, conflicts, rejected, offline: this.offline, lastError };
  }

  report() {
    this.hooks.onStatus(this.summary());
  }
}
