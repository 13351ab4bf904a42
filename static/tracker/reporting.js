// A refused report opens on its error summary, so that a screen reader reads it first
// and a keyboard user starts from its links to the fields.
const summary = document.getElementById("error-summary");
if (summary) {
  summary.focus();
}
