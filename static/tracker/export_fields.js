// The export page's "All columns" box ticks or clears every column, and shows whether
// all, none or some are ticked.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.querySelector(".export-select-all");
  if (!all) {
    return;
  }
  const columns = Array.from(document.querySelectorAll(".export-column input[type=checkbox]"));
  const show = () => {
    const ticked = columns.filter((box) => box.checked).length;
    all.checked = ticked === columns.length;
    all.indeterminate = ticked > 0 && ticked < columns.length;
  };
  all.addEventListener("change", () => {
    columns.forEach((box) => {
      box.checked = all.checked;
    });
    show();
  });
  columns.forEach((box) => box.addEventListener("change", show));
  show();
});
