// Dashboard: watch the background agreement computation without blocking the page.
// While a recomputation is queued, poll its state and offer a reload once new
// figures are stored. No inline scripts: the page passes URLs in data-* attributes.

const section = document.getElementById("agreement");
const statusLine = document.getElementById("agreement-status");
const refresh = document.getElementById("agreement-refresh");

async function poll(delay) {
  let state;
  try {
    const response = await fetch(section.dataset.stateUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    state = await response.json();
  } catch {
    setTimeout(() => poll(Math.min(delay * 2, 30000)), delay);
    return;
  }
  if (state.computed_at && state.computed_at !== section.dataset.computedAt) {
    refresh.hidden = false;
    statusLine.textContent = "New agreement figures are ready.";
    return;
  }
  if (state.queued) setTimeout(() => poll(delay), delay);
}

if (section && section.dataset.stateUrl) {
  const queued = section.dataset.queued === "true";
  // Poll briefly after any visit (labels may have just changed), longer while queued.
  setTimeout(() => poll(2000), queued ? 1000 : 3000);
}
