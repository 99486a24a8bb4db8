// The reading view: give each label chip and legend entry its label's colour.
// Colours come from data attributes (the CSP allows no inline styles); the
// label's name is always written out, so nothing depends on colour alone.

for (const el of document.querySelectorAll("[data-color]")) {
  el.style.setProperty("--label-color", el.dataset.color);
}
