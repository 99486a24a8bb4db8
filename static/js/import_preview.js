// The import form's preview: before anything is imported, shows the title (and
// whether it was taken from the first line), the byline and date found, and the
// first sentences, as the server's extraction makes them. Nothing is stored.
// Without this module the forms still submit as usual.

const DELAY_MS = 400;

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function describe(preview) {
  // Text only (textContent): every value comes from the imported document.
  const parts = [element("h3", "Preview")];
  if (preview.batch) {
    parts.push(element("p", "A batch: each line becomes an article; lines are checked when it is imported."));
    return parts;
  }
  const facts = element("dl", undefined, "import-preview-facts");
  const add = (term, value) => {
    const row = element("div");
    row.append(element("dt", term), element("dd", value));
    facts.append(row);
  };
  add("Title", preview.title || "Untitled article");
  if (preview.taken) add("Taken from the text", preview.taken);
  if (preview.author) add("Author", preview.author);
  if (preview.published_on) add("Published on", preview.published_on);
  add("Sentences", String(preview.sentence_count));
  parts.push(facts);
  if (preview.taken) {
    parts.push(
      element(
        "p",
        "The first line will be the title and is left out of the sentences. If it is not a headline, tick “Keep the first line in the text”.",
        "muted",
      ),
    );
  }
  if (preview.sentences.length) {
    parts.push(element("p", "First sentences:", "import-preview-label"));
    const list = element("ol", undefined, "import-preview-sentences");
    for (const sentence of preview.sentences) list.append(element("li", sentence));
    parts.push(list);
  }
  return parts;
}

function describeErrors(errors) {
  const parts = [element("h3", "Preview")];
  const list = element("ul", undefined, "import-errors");
  for (const messages of Object.values(errors)) {
    for (const message of messages) list.append(element("li", message));
  }
  parts.push(list);
  return parts;
}

function ready(form) {
  const kind = form.querySelector('input[name="kind"]').value;
  if (kind === "text") return form.querySelector("textarea[name=text]").value.trim() !== "";
  const file = form.querySelector("input[type=file]");
  return Boolean(file && file.files.length);
}

function attach(form) {
  const output = document.getElementById(form.dataset.preview);
  let timer = null;
  let sequence = 0;

  async function refresh() {
    if (!ready(form)) {
      output.hidden = true;
      output.replaceChildren();
      return;
    }
    const mine = ++sequence;
    output.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const body = await response.json();
      if (mine !== sequence) return; // a newer preview is on its way
      output.replaceChildren(...(response.ok ? describe(body) : describeErrors(body.errors || {})));
      output.dataset.state = response.ok ? "ok" : "error";
    } catch (error) {
      if (mine !== sequence) return;
      output.replaceChildren(element("p", `No preview (${error.message}); you can still import.`, "muted"));
      output.dataset.state = "error";
    } finally {
      if (mine === sequence) {
        output.hidden = false;
        output.removeAttribute("aria-busy");
      }
    }
  }

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  };
  form.addEventListener("input", (event) => {
    if (event.target.type !== "file" && event.target.type !== "checkbox") later();
  });
  form.addEventListener("change", (event) => {
    if (event.target.type === "file" || event.target.type === "checkbox") {
      clearTimeout(timer);
      refresh();
    }
  });
  if (ready(form)) refresh();
}

for (const form of document.querySelectorAll("form[data-preview-url]")) attach(form);
