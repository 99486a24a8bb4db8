// The corpus page: while articles are pending or segmenting, poll their
// status and counts and update the table in place (text only).

import { apiFetch } from "./lib/api.js";

const table = document.getElementById("articles-table");
const live = document.getElementById("status-live");
const POLL_MS = 2000;
const BUSY = new Set(["pending", "segmenting"]);

function rowFor(id) {
  return table.querySelector(`tr[data-article-id="${Number(id)}"]`);
}

function update(article) {
  const row = rowFor(article.id);
  if (!row) return false;
  const status = row.querySelector("[data-role='status']");
  const changed = status.textContent !== article.status_label;
  status.className = `status status-${article.status}`;
  status.textContent = article.status_label;
  row.querySelector("[data-role='reason']").textContent = article.status === "failed" ? article.failure_reason : "";
  row.querySelector("[data-role='counts']").textContent = `${article.labeled_count} / ${article.sentence_count}`;
  const titleCell = row.cells[0];
  if (article.status === "ready" && table.dataset.labelUrl && !titleCell.querySelector("a")) {
    const link = document.createElement("a");
    link.href = table.dataset.labelUrl.replace("/0/", `/${Number(article.id)}/`);
    link.textContent = titleCell.textContent.trim();
    titleCell.replaceChildren(link);
  }
  return changed;
}

async function poll() {
  let busy = false;
  try {
    const { status, data } = await apiFetch(table.dataset.statusUrl);
    if (status === 200 && data) {
      let changes = 0;
      for (const article of data.articles) {
        if (update(article)) changes += 1;
        if (BUSY.has(article.status)) busy = true;
      }
      if (changes) {
        const ready = data.articles.filter((a) => a.status === "ready").length;
        live.textContent = `${ready} of ${data.articles.length} articles ready.`;
      }
    } else {
      busy = true;
    }
  } catch {
    busy = true; // server unreachable for a moment: keep trying
  }
  if (busy) setTimeout(poll, POLL_MS);
}

if (table && table.dataset.busy === "true") setTimeout(poll, POLL_MS);
