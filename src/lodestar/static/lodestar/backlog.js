/* Lodestar's backlog: selection and shortcuts, the item side panel, drag and drop ordering,
 * inline create, and the "suggest order" comparison. Builds on app.js (window.Lodestar).
 *
 * Bulk edit: rows are checked (click a box, shift-click a range, x on the selected row,
 * shift+j/k) and the action bar sends one change for all of them; the list then reloads.
 *
 * Ordering posts one move (before or after a neighbour) with the item's version; the server
 * decides. On success the row keeps its new place and a toast says so; on any refusal the row
 * goes back where it was and the message says why.
 */
(function () {
  "use strict";

  // Once per page: a script that runs again (a restored snapshot) must not double the handlers.
  if (window.Lodestar?.backlog) return;
  if (window.Lodestar) window.Lodestar.backlog = true;

  // Looked up on each use: htmx's history (back and forward) replaces the page's elements.
  const layoutOf = () => document.getElementById("bl-layout");
  const panelOf = () => document.getElementById("item-panel");
  const sortedView = () => Boolean(document.getElementById("backlog-body")?.dataset.sorted);
  // A list sorted for reading shows no backlog order to drag or move within.
  const canOrder = () => layoutOf()?.dataset.canOrder === "1" && !sortedView();
  const flash = (text, level) => window.Lodestar?.flash(text, level);

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch {
      return "";
    }
  }

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
    );
  }

  /* ---------- Rows and selection ---------- */

  const rowList = () => document.getElementById("backlog-rows");
  const rows = () => Array.from(rowList()?.querySelectorAll(":scope > .bl-row") || []);
  let selectedKey = null;
  let openKey = null;

  function rowOf(key) {
    return key ? document.getElementById("row-" + key) : null;
  }

  function select(row, { scroll = true } = {}) {
    rows().forEach((r) => r.classList.toggle("is-selected", r === row));
    selectedKey = row ? row.dataset.key : null;
    if (row && scroll) row.scrollIntoView({ block: "nearest" });
  }

  function step(delta) {
    const all = rows();
    if (!all.length) return;
    const current = all.indexOf(rowOf(selectedKey));
    const next = current < 0 ? (delta > 0 ? 0 : all.length - 1) : current + delta;
    const row = all[Math.max(0, Math.min(all.length - 1, next))];
    select(row);
    if (openKey) openItem(row);
  }

  function markOpen() {
    rows().forEach((r) => r.classList.toggle("is-open", r.dataset.key === openKey));
  }

  /* ---------- The side panel ---------- */

  function itemUrl(row) {
    return row.querySelector("[data-item-link]")?.getAttribute("href");
  }

  function openUrl(url) {
    const panel = panelOf();
    if (!panel || !url || !window.htmx) return false;
    panel.hidden = false;
    layoutOf().classList.add("has-panel");
    const separator = url.includes("?") ? "&" : "?";
    window.htmx
      .ajax("GET", url + separator + "panel=1", { target: "#item-panel", swap: "innerHTML" })
      // Another item opens at its top, not where the previous one was scrolled to.
      .then(() => {
        panel.scrollTop = 0;
      });
    return true;
  }

  function openItem(row) {
    if (!row) return;
    select(row, { scroll: false });
    openKey = row.dataset.key;
    markOpen();
    openUrl(itemUrl(row));
  }

  function closePanel() {
    const panel = panelOf();
    if (!panel || panel.hidden) return false;
    panel.hidden = true;
    panel.replaceChildren();
    layoutOf().classList.remove("has-panel");
    openKey = null;
    markOpen();
    return true;
  }

  let dragEndedAt = 0;

  document.addEventListener("click", (event) => {
    if (Date.now() - dragEndedAt < 300) return; // the click that ends a drag opens nothing
    if (event.target.closest("[data-panel-close]")) {
      closePanel();
      return;
    }
    if (!layoutOf()) return;
    const plain = !(event.metaKey || event.ctrlKey || event.shiftKey || event.button);
    const link = event.target.closest("[data-item-link]");
    if (link && panelOf()?.contains(link) && plain) {
      event.preventDefault();
      const row = rowOf(link.textContent.trim());
      if (row) openItem(row);
      else openUrl(link.getAttribute("href"));
      return;
    }
    const row = event.target.closest(".bl-row");
    if (!row || !plain) return;
    if (event.target.closest("a, button, input, select") && !link) return;
    event.preventDefault();
    openItem(row);
  });

  /* ---------- Ordering: drag and drop, Alt+arrows ---------- */

  let queue = Promise.resolve();

  async function postMove(row, placement) {
    const url = layoutOf().dataset.moveUrl.replace("__key__", encodeURIComponent(row.dataset.key));
    const body = new URLSearchParams({ ...placement, version: row.dataset.version || "" });
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        body,
        credentials: "same-origin",
      });
    } catch {
      throw new Error("The server could not be reached, so nothing moved.");
    }
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = {};
    }
    if (response.redirected) {
      throw new Error("You were signed out: reload the page and sign in again.");
    }
    if (!response.ok || !data.key) {
      throw new Error(data.detail || `The move was refused (${response.status}).`);
    }
    row.dataset.version = String(data.version);
    return data;
  }

  function neighbours(row) {
    let previous = row.previousElementSibling;
    while (previous && !previous.classList.contains("bl-row")) previous = previous.previousElementSibling;
    let next = row.nextElementSibling;
    while (next && !next.classList.contains("bl-row")) next = next.nextElementSibling;
    return { previous, next };
  }

  function placementOf(row) {
    const { previous, next } = neighbours(row);
    if (previous) return { after: previous.dataset.key };
    if (next) return { before: next.dataset.key };
    return null;
  }

  /* Move ``row`` (already at its new place in the page); put it back before ``restoreBefore``
   * in ``list`` when the server refuses. Moves go one at a time, each with the version the
   * previous one returned. */
  function commitMove(row, list, restoreBefore) {
    const placement = placementOf(row);
    if (!placement) return;
    row.classList.add("is-moving");
    queue = queue
      .then(() => postMove(row, placement))
      .then((data) => flash(data.message, "success"))
      .catch((error) => {
        if (restoreBefore && restoreBefore.parentNode === list) list.insertBefore(row, restoreBefore);
        else list.appendChild(row);
        flash(`${row.dataset.key} went back to its place. ${error.message}`, "error");
      })
      .finally(() => row.classList.remove("is-moving"));
  }

  let sortable = null;

  function initSortable() {
    try {
      sortable?.destroy();
    } catch {
      // Its list left the page already (a history restore replaced it): nothing to undo.
    }
    sortable = null;
    const list = rowList();
    if (!list || !canOrder() || !window.Sortable) return;
    let restoreBefore = null;
    sortable = window.Sortable.create(list, {
      draggable: ".bl-row",
      filter: "input, select, textarea",
      preventOnFilter: false,
      forceFallback: true,
      fallbackTolerance: 4,
      animation: 120,
      onStart(event) {
        restoreBefore = event.item.nextElementSibling;
        document.body.classList.add("bl-dragging");
        select(event.item, { scroll: false });
      },
      onEnd(event) {
        document.body.classList.remove("bl-dragging");
        dragEndedAt = Date.now();
        if (event.oldIndex === event.newIndex) return;
        commitMove(event.item, list, restoreBefore);
      },
    });
  }

  function keyboardMove(delta) {
    const row = rowOf(selectedKey);
    if (!row) return;
    if (sortedView()) {
      flash("The list is sorted for reading: go back to the backlog order to move items.", "info");
      return;
    }
    if (!canOrder()) {
      flash(layoutOf().dataset.orderHint, "info");
      return;
    }
    const { previous, next } = neighbours(row);
    const list = row.parentNode;
    const restoreBefore = row.nextElementSibling;
    if (delta < 0 && previous) list.insertBefore(row, previous);
    else if (delta > 0 && next) list.insertBefore(row, next.nextElementSibling);
    else return;
    row.scrollIntoView({ block: "nearest" });
    commitMove(row, list, restoreBefore);
  }

  /* ---------- Bulk selection: checked rows and the action bar ---------- */

  // Keys of the checked rows (the cursor row above is another thing: j/k move it, x checks it).
  const checked = new Set();
  let anchorKey = null;
  const bulkForm = () => document.getElementById("bl-bulk");
  const boxOf = (row) => row?.querySelector("[data-check]");

  function setChecked(row, on) {
    const box = boxOf(row);
    if (!box) return;
    box.checked = on;
    row.classList.toggle("is-checked", on);
    if (on) checked.add(row.dataset.key);
    else checked.delete(row.dataset.key);
  }

  /* Check or uncheck ``row``; with ``range``, every row from the last one toggled to it takes
   * the same state (shift-click). */
  function check(row, on, { range = false } = {}) {
    if (!boxOf(row)) return;
    const all = rows();
    const from = range ? all.indexOf(rowOf(anchorKey)) : -1;
    if (from >= 0) {
      const to = all.indexOf(row);
      all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach((r) => setChecked(r, on));
    } else {
      setChecked(row, on);
    }
    anchorKey = row.dataset.key;
    updateBar();
  }

  function clearChecked() {
    rows().forEach((row) => setChecked(row, false));
    checked.clear();
    anchorKey = null;
    updateBar();
  }

  function updateBar() {
    const form = bulkForm();
    if (!form) return;
    let points = 0;
    let unestimated = 0;
    for (const key of checked) {
      const value = rowOf(key)?.dataset.points;
      if (value && value !== "?") points += Number(value);
      else unestimated += 1;
    }
    form.hidden = checked.size === 0;
    form.querySelector("[data-bulk-count]").textContent = String(checked.size);
    form.querySelector("[data-bulk-points]").textContent = String(Math.round(points * 100) / 100);
    form.querySelector("[data-bulk-unestimated]").textContent = unestimated
      ? ` (${unestimated} not estimated)`
      : "";
  }

  /* After the list reloads: the rows still shown stay checked; the others leave the selection. */
  function restoreChecked() {
    const shown = new Set(rows().map((row) => row.dataset.key));
    for (const key of Array.from(checked)) if (!shown.has(key)) checked.delete(key);
    rows().forEach((row) => setChecked(row, checked.has(row.dataset.key)));
    updateBar();
  }

  document.addEventListener("click", (event) => {
    const box = event.target.closest?.("[data-check]");
    if (box) {
      // The box has toggled itself; a shift-click gives the rows since the last one its state.
      check(box.closest(".bl-row"), box.checked, { range: event.shiftKey });
      return;
    }
    if (event.target.closest?.("[data-bulk-clear]")) clearChecked();
  });

  // The bar sends the checked keys with the versions the rows showed (a stale one refuses).
  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt?.id !== "bl-bulk") return;
    const data = event.detail.formData;
    data.delete("items");
    data.delete("version");
    for (const key of checked) {
      data.append("items", key);
      data.append("version", rowOf(key)?.dataset.version || "");
    }
  });

  // A change that went through leaves the bar's menus at "keep" for the next one.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (form?.id !== "bl-bulk" || !event.detail.successful) return;
    form.querySelectorAll("select").forEach((menu) => (menu.selectedIndex = 0));
    form.querySelectorAll("input[type=text]").forEach((input) => (input.value = ""));
  });

  function focusBar() {
    const form = bulkForm();
    if (!form || form.hidden) {
      flash("Select items first: x checks the selected row, shift+click a range.", "info");
      return;
    }
    form.querySelector(".bl-bulk-fields select")?.focus();
  }

  /* ---------- Keyboard ---------- */

  const shortcuts = window.Lodestar?.shortcuts;
  if (layoutOf() && shortcuts) {
    shortcuts.register("j", "Select the next item", () => step(1));
    shortcuts.register("k", "Select the previous item", () => step(-1));
    shortcuts.register("c", "Create an item", () => {
      const title = document.getElementById("create-title");
      if (title) {
        title.focus();
        title.scrollIntoView({ block: "nearest" });
      }
    });
    shortcuts.register("/", "Search the backlog", () => document.getElementById("bl-q")?.focus());
    shortcuts.register("x", "Check the selected item (bulk edit)", () => {
      const row = rowOf(selectedKey);
      if (row) check(row, !checked.has(row.dataset.key));
    });
    // Shift+j / shift+k: move the selection and check both rows (a range from the keyboard).
    const extend = (delta) => () => {
      const row = rowOf(selectedKey);
      if (row) check(row, true);
      step(delta);
      const next = rowOf(selectedKey);
      if (next) check(next, true);
    };
    shortcuts.register("J", "Check the next item too", extend(1));
    shortcuts.register("K", "Check the previous item too", extend(-1));
    shortcuts.register("e", "Change the checked items (action bar)", focusBar);
  }

  // Keys app.js cannot take: Enter and Escape must keep their meaning on buttons and links.
  const extraHelp = [
    ["Open the selected item", ["Enter"]],
    ["Close the item panel, or clear the checked items", ["Esc"]],
    ["Move the selected item (product owner)", ["Alt", "↑", "↓"]],
  ];

  function addHelp() {
    const list = document.getElementById("shortcut-list");
    if (!layoutOf() || !list || list.querySelector("[data-backlog-help]")) return;
    for (const [description, keys] of extraHelp) {
      const row = document.createElement("div");
      row.setAttribute("data-backlog-help", "");
      const dt = document.createElement("dt");
      dt.textContent = description;
      const dd = document.createElement("dd");
      dd.style.alignItems = "flex-start";
      for (const key of keys) {
        const kbd = document.createElement("kbd");
        kbd.textContent = key;
        dd.appendChild(kbd);
      }
      row.append(dt, dd);
      list.appendChild(row);
    }
  }

  document.addEventListener("keydown", (event) => {
    if (!layoutOf() || typing(event.target) || document.querySelector("dialog[open]")) return;
    if (event.key === "Escape") {
      if (closePanel()) event.preventDefault();
      else if (checked.size) {
        event.preventDefault();
        clearChecked();
      }
      return;
    }
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      keyboardMove(event.key === "ArrowUp" ? -1 : 1);
      return;
    }
    const onPage = event.target === document.body || event.target.closest?.(".bl-row") === event.target;
    if (event.key === "Enter" && onPage && selectedKey && !event.altKey) {
      event.preventDefault();
      openItem(rowOf(selectedKey));
    }
  });

  /* ---------- htmx: list reloads, inline create, panel answers ---------- */

  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = event.detail.requestConfig?.elt;
    if (!form || form.id !== "bl-create" || !event.detail.successful) return;
    // An item added at the bottom belongs after pages not loaded yet: say where it went.
    const bottom = event.detail.xhr.getResponseHeader("HX-Reswap") === "beforeend";
    if (bottom && rowList()?.querySelector(".bl-more")) {
      event.detail.shouldSwap = false;
      const key = /data-key="([^"]+)"/.exec(event.detail.serverResponse || "");
      flash(`${key ? key[1] : "The item"} was added at the bottom of the backlog.`, "success");
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (form?.id === "bl-create" && event.detail.successful) {
      // The item is in: the earlier refusal no longer applies.
      form.querySelector(".bl-create-errors")?.remove();
      const title = document.getElementById("create-title");
      if (title) {
        title.value = "";
        title.focus();
      }
    }
  });

  // A refused create comes back as a new form with its error: keep typing where you were.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target?.id !== "bl-create") return;
    const title = document.getElementById("create-title");
    if (!title) return;
    title.focus();
    title.setSelectionRange(title.value.length, title.value.length);
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    if (!target) return;
    if (target.id === "backlog-body" || target.closest?.("#backlog-body")) {
      initSortable();
      restoreChecked();
      const sort = document.getElementById("bl-sort");
      if (sort) sort.value = document.getElementById("backlog-body")?.dataset.sorted || "";
      const row = rowOf(selectedKey);
      if (row) select(row, { scroll: false });
      markOpen();
    }
    const panel = panelOf();
    if (panel && (target === panel || panel.contains(target))) {
      const view = panel.querySelector("#item-view");
      openKey = view ? view.dataset.key : openKey;
      markOpen();
    }
  });

  // Filters travel in the address only when set, so a filtered view is a short link to share.
  document.addEventListener("htmx:configRequest", (event) => {
    const source = event.detail.elt;
    const data = event.detail.formData;
    // "Back to backlog order" keeps the filters the list inherits, not its sort.
    if (source?.matches?.("[data-unsort]")) data?.delete("sort");
    if (!data || !source || !["bl-filters", "backlog-body"].includes(source.id)) return;
    for (const [name, value] of Array.from(data.entries())) {
      if (value === "") data.delete(name);
    }
  });

  // Back and forward restore an earlier list from htmx's history: it needs its drag handler.
  document.addEventListener("htmx:historyRestore", () => {
    openKey = null;
    initSortable();
    restoreChecked();
  });

  /* ---------- Suggest order ---------- */

  document.addEventListener("change", (event) => {
    const all = event.target.closest?.("[data-check-all]");
    if (!all) return;
    all
      .closest("form")
      .querySelectorAll('input[name="items"]')
      .forEach((box) => (box.checked = all.checked));
  });

  function linkRows(event, on) {
    const item = event.target.closest?.(".sg-list li[data-key]");
    if (!item) return;
    document
      .querySelectorAll(`.sg-list li[data-key="${CSS.escape(item.dataset.key)}"]`)
      .forEach((li) => li.classList.toggle("is-linked", on));
  }

  document.addEventListener("mouseover", (event) => linkRows(event, true));
  document.addEventListener("mouseout", (event) => linkRows(event, false));

  document.addEventListener("DOMContentLoaded", () => {
    initSortable();
    addHelp();
    const list = document.getElementById("shortcut-list");
    if (list && layoutOf()) new MutationObserver(addHelp).observe(list, { childList: true });
  });
})();
