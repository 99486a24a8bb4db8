// The words the save area and progress bar show for a given state. Kept apart
// from the DOM code so every wording can be unit-tested in Node.

function changes(n) {
  return `${n} change${n === 1 ? "" : "s"}`;
}

export function progressLine(labeled, total) {
  return total && labeled === total ? `All ${total} labeled` : `${labeled} / ${total} labeled`;
}

// The mark after a sentence for each save-queue entry state.
export const SAVE_MARKS = {
  saving: "saving…",
  queued: "queued",
  failed: "retrying",
  rejected: "refused",
  conflict: "conflict",
  saved: "saved ✓",
};

// summary: SaveQueue.summary(). The most urgent state wins: a conflict needs
// the user, offline explains every other delay, failures before progress.
export function saveStatus(s) {
  if (s.conflicts) {
    return { state: "conflict", text: `${s.conflicts} conflict${s.conflicts > 1 ? "s" : ""}: choose which value to keep` };
  }
  if (s.offline) return { state: "offline", text: `Offline: ${changes(s.pending)} queued` };
  if (s.failed || s.rejected) {
    return { state: "failed", text: `Save failed for ${s.failed + s.rejected}: ${s.lastError}${s.failed ? " (retrying)" : ""}` };
  }
  if (s.pending) return { state: "saving", text: `Saving ${changes(s.pending)}…` };
  return { state: "saved", text: "All changes saved" };
}

// null: no banner (nothing is waiting, or the server answers).
export function offlineBanner(s) {
  if (!(s.offline && s.pending > 0)) return null;
  const waiting = `${s.pending} change${s.pending === 1 ? " is" : "s are"}`;
  return `The server cannot be reached. ${waiting} kept on this device and will be saved when the connection returns.`;
}

export function discardAllLabel(rejected) {
  return rejected > 1 ? `Discard ${rejected} failed changes` : "Discard failed change";
}

// A sentence quoted in the refused list: long ones are cut to one line.
export function quoteExcerpt(text) {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
