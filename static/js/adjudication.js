// Adjudication queue: pick a gold label from the keyboard, and show the source
// field only for labels that take a source. The forms work without this script.

function syncSource(form) {
  const chosen = form.querySelector('input[name="label"]:checked');
  const field = form.querySelector(".wf-source-field");
  if (!field) return;
  field.hidden = !chosen || chosen.dataset.takesSource !== "true";
}

for (const form of document.querySelectorAll("form.wf-decide")) {
  syncSource(form);
  form.addEventListener("change", () => syncSource(form));
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLInputElement && target.type === "text") return;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
  const item = target.closest ? target.closest(".wf-item") : null;
  if (!item) return;
  const radio = [...item.querySelectorAll('input[name="label"]')].find(
    (input) => input.dataset.shortcut === event.key,
  );
  if (!radio) return;
  event.preventDefault();
  radio.checked = true;
  radio.focus();
  syncSource(radio.form);
});
