/* Lodestar's backlog: selection and shortcuts, the item side panel, drag and drop ordering,
 * inline create, and the "suggest order" comparison. Builds on app.js (window.Lodestar).
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
  const canOrder = () => layoutOf()?.dataset.canOrder === "1";
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
        // On a phone the panel covers the list: the keyboard and screen reader go with it.
        if (sheet()) panel.focus();
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

  const sheet = () => window.matchMedia("(max-width: 600px)").matches;

  function closePanel() {
    const panel = panelOf();
    if (!panel || panel.hidden) return false;
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    panel.replaceChildren();
    layoutOf().classList.remove("has-panel");
    const key = openKey;
    openKey = null;
    markOpen();
    if (hadFocus) rowOf(key)?.querySelector("[data-item-link]")?.focus();
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

  // Tabbing to an item's title selects it, so Alt+arrows move the item the keyboard is on.
  document.addEventListener("focusin", (event) => {
    const row = event.target.closest?.("#backlog-rows > .bl-row");
    if (row && row.dataset.key !== selectedKey) select(row, { scroll: false });
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

  /* Screen readers hear where a moved item landed (the list's live region). */
  function announce(text) {
    const region = document.getElementById("bl-announce");
    if (region) region.textContent = text;
  }

  function positionOf(row) {
    return rows().indexOf(row) + 1;
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
      .then((data) => {
        flash(data.message, "success");
        announce(`Moved ${row.dataset.key} to position ${positionOf(row)}.`);
      })
      .catch((error) => {
        const focused = row.contains(document.activeElement) ? document.activeElement : null;
        if (restoreBefore && restoreBefore.parentNode === list) list.insertBefore(row, restoreBefore);
        else list.appendChild(row);
        focused?.focus();
        const text = `${row.dataset.key} went back to its place. ${error.message}`;
        flash(text, "error");
        announce(text);
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
      // On a touch screen a swipe scrolls the list; pressing and holding a row picks it up.
      delay: 250,
      delayOnTouchOnly: true,
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
    if (!canOrder()) {
      flash(layoutOf().dataset.orderHint, "info");
      return;
    }
    const { previous, next } = neighbours(row);
    const list = row.parentNode;
    const restoreBefore = row.nextElementSibling;
    // Moving a node in the page takes the keyboard focus away from it: give it back.
    const focused = row.contains(document.activeElement) ? document.activeElement : null;
    if (delta < 0 && previous) list.insertBefore(row, previous);
    else if (delta > 0 && next) list.insertBefore(row, next.nextElementSibling);
    else {
      announce(`${row.dataset.key} is already ${delta < 0 ? "first" : "last"}.`);
      return;
    }
    focused?.focus();
    row.scrollIntoView({ block: "nearest" });
    commitMove(row, list, restoreBefore);
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
  }

  // Keys app.js cannot take: Enter and Escape must keep their meaning on buttons and links.
  const extraHelp = [
    ["Open the selected item", ["Enter"]],
    ["Close the item panel", ["Esc"]],
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
    if (!data || !source || !["bl-filters", "backlog-body"].includes(source.id)) return;
    for (const [name, value] of Array.from(data.entries())) {
      if (value === "") data.delete(name);
    }
  });

  // Back and forward restore an earlier list from htmx's history: it needs its drag handler.
  document.addEventListener("htmx:historyRestore", () => {
    openKey = null;
    initSortable();
    foldFilters();
  });

  /* ---------- Filters: one "Filters" button on a phone ---------- */

  function foldFilters() {
    const form = document.getElementById("bl-filters");
    const toggle = form?.querySelector("[data-filters-toggle]");
    if (!form || !toggle) return;
    form.classList.toggle("is-folded", toggle.getAttribute("aria-expanded") !== "true");
    const set = Array.from(form.elements).filter(
      (field) => field.name && field.name !== "q" && (field.type === "checkbox" ? field.checked : field.value),
    ).length;
    const count = toggle.querySelector("[data-filter-count]");
    if (count) {
      count.hidden = set === 0;
      count.textContent = String(set);
    }
  }

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest?.("[data-filters-toggle]");
    if (!toggle) return;
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
    foldFilters();
  });

  document.addEventListener("change", (event) => {
    if (event.target.closest?.("#bl-filters")) foldFilters();
  });

  // "Clear filters" empties the form first (in the capture phase, before htmx sends the list's
  // request): the list's requests include the form, which would otherwise put them back.
  document.addEventListener(
    "click",
    (event) => {
      if (!event.target.closest?.("[data-clear-filters]")) return;
      const form = document.getElementById("bl-filters");
      if (!form) return;
      for (const field of form.elements) {
        if (field.type === "checkbox") field.checked = false;
        else if (field.name) field.value = "";
      }
      foldFilters();
    },
    true,
  );

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
    foldFilters();
    addHelp();
    const list = document.getElementById("shortcut-list");
    if (list && layoutOf()) new MutationObserver(addHelp).observe(list, { childList: true });
  });
})();
