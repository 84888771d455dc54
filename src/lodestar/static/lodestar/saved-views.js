/* Saved views on the backlog page: the "Save view" dialog and the column chooser.
 *
 * The chooser's boxes have no name: a change writes the shown columns into the filter form's
 * hidden "columns" field (so the address carries them, like the filters) and hides the others
 * at once. It listens in the capture phase so the field is written before htmx sends the form.
 */
(function () {
  "use strict";

  document.addEventListener("click", (event) => {
    const opener = event.target.closest && event.target.closest("[data-dialog-open]");
    if (!opener) return;
    const dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
    if (!dialog || dialog.open) return;
    dialog.showModal();
    dialog.querySelector("input:not([type=hidden]):not([disabled])")?.focus();
  });

  document.addEventListener(
    "change",
    (event) => {
      const box = event.target.closest && event.target.closest("[data-column]");
      if (!box) return;
      const menu = box.closest(".sv-columns");
      const boxes = Array.from(menu.querySelectorAll("[data-column]"));
      const shown = boxes.filter((b) => b.checked).map((b) => b.dataset.column);
      const hidden = boxes.filter((b) => !b.checked).map((b) => b.dataset.column);
      const field = menu.querySelector("[data-columns-value]");
      if (field) field.value = hidden.length === 0 ? "" : shown.join(",") || "none";
      document.querySelector(".bl-list")?.setAttribute("data-hide", hidden.join(" "));
    },
    true,
  );

  // Escape closes an open column chooser and gives the focus back to its button; a click
  // elsewhere closes it too.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = document.querySelector("details.sv-columns[open]");
    if (!open) return;
    open.removeAttribute("open");
    open.querySelector("summary")?.focus();
  });
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.sv-columns[open]").forEach((details) => {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  });
})();
