// The reading view: give each label chip and legend entry its label's colour.
// Colours come from data attributes (the CSP allows no inline styles); the
// label's name is always written out, so nothing depends on colour alone.
//
// A long article comes a part at a time: when the "Later sentences" link at
// the end scrolls into view, the next part (the page the link leads to, as
// rendered by the server) is fetched and its sentences appended here; without
// JavaScript the link still leads there.

function paint(root) {
  for (const el of root.querySelectorAll("[data-color]")) {
    el.style.setProperty("--label-color", el.dataset.color);
  }
}

paint(document);

const text = document.getElementById("article-text");
const edge = document.getElementById("part-after");
let loading = false;

// Moves the part's paragraphs into the page; a paragraph cut between two parts
// is joined back together.
function appendPart(doc) {
  const incoming = doc.getElementById("article-text");
  if (!incoming) return false;
  for (const p of [...incoming.children]) {
    const last = text.lastElementChild;
    if (last && p.dataset.paragraph && last.dataset.paragraph === p.dataset.paragraph) {
      last.append(" ", ...p.childNodes);
      if (!p.classList.contains("para-heading")) last.classList.remove("para-heading");
    } else {
      text.append(document.importNode(p, true));
    }
  }
  paint(text);
  const nextEdge = doc.getElementById("part-after");
  if (nextEdge) edge.replaceChildren(...[...nextEdge.childNodes].map((n) => document.importNode(n, true)));
  else edge.remove();
  return true;
}

async function loadNext() {
  const link = edge && edge.isConnected ? edge.querySelector("a[data-next-part]") : null;
  if (!link || loading) return;
  loading = true;
  try {
    const response = await fetch(link.href, { credentials: "same-origin" });
    if (response.ok) {
      appendPart(new DOMParser().parseFromString(await response.text(), "text/html"));
    }
  } catch {
    // The link stays: following it or scrolling again tries once more.
  } finally {
    loading = false;
  }
  if (edge.isConnected && isVisible(edge)) loadNext();
}

function isVisible(el) {
  const box = el.getBoundingClientRect();
  return box.top < window.innerHeight && box.bottom > 0;
}

if (edge && typeof IntersectionObserver !== "undefined") {
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadNext();
  }).observe(edge);
}
