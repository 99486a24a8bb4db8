// Live progress of one import job: polls the job's JSON status until it ends.
// The page renders the first state server-side; this module only updates it.

const POLL_MS = 700;
const MAX_BACKOFF_MS = 10000;

const root = document.getElementById("import-progress");
const bar = document.getElementById("import-bar");
const message = document.getElementById("import-message");
const workerMissing = document.getElementById("import-worker-missing");
const doneLinks = document.getElementById("import-done-links");
const retryForm = document.getElementById("import-retry");
const notices = document.getElementById("import-notices");
const failuresBody = document.querySelector("#failures-table tbody");
const failuresWrap = document.getElementById("failures-wrap");
const failuresEmpty = document.getElementById("failures-empty");
const stateLabel = document.getElementById("import-state");
const STATUS_LABELS = { queued: "Queued", running: "Running", done: "Done", failed: "Failed" };

function setText(id, value) {
  const el = document.getElementById(id);
  if (el) el.textContent = String(value);
}

function render(state) {
  bar.max = Math.max(state.total, 1);
  // A finished job fills its bar; a failed one is red and labelled "Failed" (the CSS
  // colours it from data-state), never a full green bar.
  bar.value = state.finished && state.status === "done" ? bar.max : state.processed;
  bar.textContent = `${state.percent}%`;
  bar.dataset.state = state.status;
  stateLabel.textContent = STATUS_LABELS[state.status] || state.status;
  stateLabel.dataset.state = state.status;
  message.textContent = state.message;
  message.dataset.state = state.status;
  workerMissing.hidden = !state.worker_missing;
  setText("count-total", state.total);
  setText("count-done", state.done);
  setText("count-failed", state.failed);
  setText("count-duplicates", state.duplicates);
  notices.replaceChildren(
    ...state.notices.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }),
  );
  // Text only (textContent): a reason may quote the imported row.
  failuresBody.replaceChildren(
    ...state.failures.map((failure) => {
      const row = document.createElement("tr");
      row.dataset.kind = failure.kind;
      const line = document.createElement("td");
      line.textContent = failure.line ?? "—";
      const reason = document.createElement("td");
      reason.textContent = failure.reason;
      row.append(line, reason);
      return row;
    }),
  );
  failuresWrap.hidden = state.failures.length === 0;
  failuresEmpty.hidden = state.failures.length !== 0;
  failuresEmpty.textContent = state.failures_note;
  doneLinks.hidden = !state.finished;
  retryForm.hidden = state.status !== "failed";
  if (state.article) addArticleLinks(state.article);
  root.dataset.status = state.status;
}

// The page may have loaded before the article existed: add its links once.
function addArticleLinks(articleId) {
  const links = [
    ["article", doneLinks.dataset.articleUrl, "Open the article", ""],
    ["snapshot", doneLinks.dataset.snapshotUrl, "Archived copy", "The page as it was fetched, shown as plain text"],
  ];
  for (const [role, template, text, title] of links) {
    if (!template || doneLinks.querySelector(`[data-role="${role}"]`)) continue;
    const link = document.createElement("a");
    link.className = "button";
    link.dataset.role = role;
    link.href = template.replace("/0/", `/${articleId}/`);
    link.textContent = text;
    if (title) link.title = title;
    doneLinks.append(link);
  }
}

async function poll(delay) {
  try {
    const response = await fetch(root.dataset.statusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const state = await response.json();
    render(state);
    if (state.finished) return;
    setTimeout(() => poll(POLL_MS), POLL_MS);
  } catch (error) {
    // The server may be restarting: keep trying, more slowly, and say so.
    message.textContent = `Lost contact with the server (${error.message}); retrying…`;
    const next = Math.min(delay * 2, MAX_BACKOFF_MS);
    setTimeout(() => poll(next), next);
  }
}

if (root) {
  const initial = JSON.parse(document.getElementById("import-initial").textContent);
  render(initial);
  if (!initial.finished) setTimeout(() => poll(POLL_MS), POLL_MS);
}
