// A release's build progress: polls its JSON status until it is published or failed,
// then reloads once so the files appear. The page renders the first state itself.

const POLL_MS = 800;
const MAX_BACKOFF_MS = 10000;

const root = document.getElementById("release-progress");
const bar = document.getElementById("release-bar");
const message = document.getElementById("release-message");

function render(state) {
  bar.value = state.percent;
  bar.textContent = `${state.percent}%`;
  message.textContent = state.message;
  root.dataset.status = state.status;
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
    if (state.finished) {
      if (state.status === "done") window.location.reload();
      return;
    }
    setTimeout(() => poll(POLL_MS), POLL_MS);
  } catch (error) {
    message.textContent = `Lost contact with the server (${error.message}); retrying…`;
    const next = Math.min(delay * 2, MAX_BACKOFF_MS);
    setTimeout(() => poll(next), next);
  }
}

if (root) {
  const initial = JSON.parse(document.getElementById("release-initial").textContent);
  render(initial);
  if (!initial.finished) setTimeout(() => poll(POLL_MS), POLL_MS);
}
