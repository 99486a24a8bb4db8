// The corpus page: while articles of the page shown are pending or
// segmenting, poll their status and counts and update the table in place
// (text only). Only the page's articles are asked about (?ids=).

import { apiFetch } from "./lib/api.js";

const table = document.getElementById("articles-table");
const live = document.getElementById("status-live");
const POLL_MS = 2000;
const BUSY = new Set(["pending", "segmenting"]);

function rowFor(id) {
  return table.querySelector(`tr[data-article-id="${Number(id)}"]`);
}

function articleUrl(template, id) {
  return template.replace("/0/", `/${Number(id)}/`);
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
  // Labelers open the labeling screen; others (viewers) the reading view;
  // labelers who see all labels also get "Review labels".
  const openUrl = table.dataset.labelUrl || table.dataset.readUrl;
  if (article.status === "ready" && openUrl && !titleCell.querySelector("a")) {
    const title = titleCell.textContent.trim();
    const link = document.createElement("a");
    link.href = articleUrl(openUrl, article.id);
    link.textContent = title;
    const links = [link];
    if (table.dataset.reviewUrl) {
      const review = document.createElement("a");
      review.className = "row-action";
      review.dataset.role = "review";
      review.href = articleUrl(table.dataset.reviewUrl, article.id);
      review.textContent = "Review labels";
      review.setAttribute("aria-label", `Review labels: ${title}`);
      links.push(" ", review);
    }
    titleCell.replaceChildren(...links);
  }
  return changed;
}

async function poll() {
  let busy = false;
  try {
    const ids = [...table.querySelectorAll("tr[data-article-id]")].map((row) => row.dataset.articleId);
    const { status, data } = await apiFetch(`${table.dataset.statusUrl}?ids=${ids.join(",")}`);
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
