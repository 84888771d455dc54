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
    const all = rows().filter((r) => !r.hidden); // rows folded under their parent are skipped
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

  function openUrl(url, { key = null, address = "push" } = {}) {
    const panel = panelOf();
    if (!panel || !url || !window.htmx) return false;
    const wasOpen = !panel.hidden;
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
    const shown = key || keyOfUrl(url);
    if (shown && address !== "none") showInAddress(shown, wasOpen ? "replace" : address);
    return true;
  }

  function openItem(row, options = {}) {
    if (!row) return;
    select(row, { scroll: false });
    openKey = row.dataset.key;
    markOpen();
    openUrl(itemUrl(row), { key: row.dataset.key, ...options });
  }

  const sheet = () => window.matchMedia("(max-width: 600px)").matches;

  function closePanel({ address = "back" } = {}) {
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
    if (address !== "none") hideFromAddress();
    return true;
  }

  /* ---------- The panel's address ----------
   * The open item is in the address (``?item=ACME-12``, beside the filters), so a panel can be
   * shared, survives a reload, and Back closes it (Forward opens it again). Opening from a
   * closed panel adds a history entry; going from one item to another replaces it (stepping
   * with j/k does not fill the history); closing goes back to the entry before, or, when the
   * page was opened at an item's address, takes the item out of the address. */

  const ITEM_PARAM = "item";

  function keyOfUrl(url) {
    const match = /\/items\/([^/?#]+)/.exec(url || "");
    return match ? decodeURIComponent(match[1]) : null;
  }

  function addressWith(key) {
    const url = new URL(window.location.href);
    if (key) url.searchParams.set(ITEM_PARAM, key);
    else url.searchParams.delete(ITEM_PARAM);
    return url.pathname + url.search + url.hash;
  }

  const keyInAddress = () => new URL(window.location.href).searchParams.get(ITEM_PARAM);

  function showInAddress(key, how) {
    if (keyInAddress() === key) return;
    if (how === "push") {
      openedHere = true;
      window.history.pushState({ lodestarPanel: key }, "", addressWith(key));
    } else {
      // Keeps htmx's mark on the entry, so Back and Forward still restore its list.
      window.history.replaceState({ ...(window.history.state || {}), lodestarPanel: key }, "", addressWith(key));
    }
  }

  function hideFromAddress() {
    if (!keyInAddress()) return;
    if (window.history.state?.lodestarPanel && window.history.length > 1 && openedHere) {
      window.history.back();
      return;
    }
    const { lodestarPanel, ...state } = window.history.state || {};
    window.history.replaceState(Object.keys(state).length ? state : null, "", addressWith(null));
  }

  // Whether this page pushed the entry the panel is open at (so Back leaves it cleanly).
  let openedHere = false;

  /* Make the panel show what the address says: on load, Back and Forward. */
  function followAddress() {
    if (!layoutOf()) return;
    const key = keyInAddress();
    if (!key) {
      closePanel({ address: "none" });
      return;
    }
    if (key === openKey && !panelOf()?.hidden) return;
    const row = rowOf(key);
    if (row) openItem(row, { address: "none" });
    else openUrl(layoutOf().dataset.itemUrl.replace("__key__", encodeURIComponent(key)), { key, address: "none" });
    openKey = key;
  }

  window.addEventListener("popstate", () => {
    openedHere = false;
    followAddress();
  });

  // An address naming an item that is not there (a typo, or it was deleted): the answer's
  // message says so; the panel closes and the address forgets the item.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.target?.id !== "item-panel" || event.detail.requestConfig?.verb !== "get") return;
    const status = event.detail.xhr?.status;
    if (status !== 404) return;
    closePanel({ address: "none" });
    const { lodestarPanel, ...state } = window.history.state || {};
    window.history.replaceState(Object.keys(state).length ? state : null, "", addressWith(null));
  });

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
    if (!event.target.matches?.("[data-item-link]")) return; // a row's other controls leave it
    const row = event.target.closest("#backlog-rows > .bl-row");
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

  /* ---------- The tree: rows under their parent ----------
   * Each row says its depth and the key of the row it is shown under (``data-depth``,
   * ``data-parent``); a row's subtree is the rows after it that are deeper. A parent moves
   * with its subtree (the server moves its open descendants too), among its siblings only: a
   * child changes parent in its panel, not by dragging. */

  const depthOf = (row) => Number(row?.dataset.depth || 0);
  const grouped = () => rowList()?.classList.contains("is-grouped");

  function subtreeOf(row) {
    const out = [row];
    let next = row.nextElementSibling;
    while (next && next.classList.contains("bl-row") && depthOf(next) > depthOf(row)) {
      out.push(next);
      next = next.nextElementSibling;
    }
    return out;
  }

  /* The siblings around ``row`` (same parent in the list), skipping their subtrees. */
  function siblingsOf(row) {
    const parent = row.dataset.parent || "";
    const depth = depthOf(row);
    let previous = null;
    for (let r = row.previousElementSibling; r; r = r.previousElementSibling) {
      if (!r.classList.contains("bl-row")) continue;
      if (depthOf(r) < depth) break;
      if (depthOf(r) === depth && (r.dataset.parent || "") === parent) {
        previous = r;
        break;
      }
    }
    let next = null;
    const block = subtreeOf(row);
    for (let r = block[block.length - 1].nextElementSibling; r; r = r.nextElementSibling) {
      if (!r.classList.contains("bl-row")) continue;
      if (depthOf(r) < depth) break;
      if (depthOf(r) === depth && (r.dataset.parent || "") === parent) {
        next = r;
        break;
      }
    }
    return { previous, next };
  }

  /* Where ``row`` now sits, as the server understands it: before its next sibling, else after
   * its previous one, else (an only child) right after its parent. */
  function placementOf(row) {
    const { previous, next } = siblingsOf(row);
    if (next) return { before: next.dataset.key };
    if (previous) return { after: previous.dataset.key };
    const parent = rowOf(row.dataset.parent);
    if (parent) return { after: parent.dataset.key };
    return null;
  }

  /* Whether ``row``, just dropped, sits among its siblings: right under its parent or after a
   * sibling's subtree, and not inside another row's subtree. */
  function landedAmongSiblings(row) {
    const depth = depthOf(row);
    let previous = row.previousElementSibling;
    while (previous && !previous.classList.contains("bl-row")) previous = previous.previousElementSibling;
    const block = subtreeOf(row);
    let next = block[block.length - 1].nextElementSibling;
    while (next && !next.classList.contains("bl-row")) next = next.nextElementSibling;
    if (next && depthOf(next) > depth) return false;
    if (depth === 0) return true;
    if (!previous) return false;
    if (previous.dataset.key === row.dataset.parent) return true;
    for (let r = previous; r; r = r.previousElementSibling) {
      if (!r.classList.contains("bl-row")) continue;
      if (depthOf(r) === depth) return (r.dataset.parent || "") === row.dataset.parent;
      if (depthOf(r) < depth) return false;
    }
    return false;
  }

  /* Move ``block`` (a row and its subtree, already at their new place in the page); put them
   * back before ``restoreBefore`` in ``list`` when the server refuses. Moves go one at a time,
   * each with the version the previous one returned. A parent's move changes its children's
   * versions too, so the list is read again after it. */
  function commitMove(block, list, restoreBefore) {
    const row = block[0];
    const placement = placementOf(row);
    if (!placement) return;
    row.classList.add("is-moving");
    queue = queue
      .then(() => postMove(row, placement))
      .then((data) => {
        flash(data.message, "success");
        announce(`Moved ${row.dataset.key} to position ${positionOf(row)}.`);
        if (block.length > 1) window.htmx?.trigger(document.body, "backlog-changed");
      })
      .catch((error) => {
        const focused = row.contains(document.activeElement) ? document.activeElement : null;
        for (const r of block) {
          if (restoreBefore && restoreBefore.parentNode === list) list.insertBefore(r, restoreBefore);
          else list.appendChild(r);
        }
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
    if (!list || !canOrder() || !window.Sortable || grouped()) return;
    let restoreBefore = null;
    let carried = [];
    sortable = window.Sortable.create(list, {
      draggable: ".bl-row",
      filter: "input, select, textarea, button",
      preventOnFilter: false,
      forceFallback: true,
      fallbackTolerance: 4,
      // On a touch screen a swipe scrolls the list; pressing and holding a row picks it up.
      delay: 250,
      delayOnTouchOnly: true,
      animation: 120,
      onStart(event) {
        // The rows under a dragged parent go with it: out of the way while it moves.
        carried = subtreeOf(event.item).slice(1);
        restoreBefore = (carried[carried.length - 1] || event.item).nextElementSibling;
        carried.forEach((r) => r.classList.add("is-carried"));
        document.body.classList.add("bl-dragging");
        select(event.item, { scroll: false });
      },
      onEnd(event) {
        document.body.classList.remove("bl-dragging");
        dragEndedAt = Date.now();
        const row = event.item;
        let anchor = row;
        for (const r of carried) {
          r.classList.remove("is-carried");
          anchor.after(r);
          anchor = r;
        }
        const block = [row, ...carried];
        carried = [];
        if (event.oldIndex === event.newIndex) return;
        // Dropped between a folded parent and its rows: it goes after them.
        let next = anchor.nextElementSibling;
        while (next && next.hidden && next.classList.contains("bl-row") && depthOf(next) > depthOf(row)) {
          next = next.nextElementSibling;
        }
        if (next !== anchor.nextElementSibling) {
          const at = next || null;
          for (const r of block) list.insertBefore(r, at);
        }
        if (!landedAmongSiblings(row)) {
          for (const r of block) list.insertBefore(r, restoreBefore && restoreBefore.parentNode === list ? restoreBefore : null);
          const parent = row.dataset.parent;
          flash(
            parent
              ? `${row.dataset.key} stays under ${parent}: drag it among the items under ${parent}, or change its parent in its panel.`
              : `${row.dataset.key} is a top-level item: drop it between other top-level items, not among the items under one.`,
            "info",
          );
          return;
        }
        commitMove(block, list, restoreBefore);
      },
    });
  }

  function keyboardMove(delta) {
    const row = rowOf(selectedKey);
    if (!row) return;
    if (grouped()) {
      flash("Ordering is off while the backlog is grouped by epic: switch to In order to move items.", "info");
      return;
    }
    if (sortedView()) {
      flash("The list is sorted for reading: go back to the backlog order to move items.", "info");
      return;
    }
    if (!canOrder()) {
      flash(layoutOf().dataset.orderHint, "info");
      return;
    }
    const { previous, next } = siblingsOf(row);
    const list = row.parentNode;
    const block = subtreeOf(row);
    const restoreBefore = block[block.length - 1].nextElementSibling;
    // Moving a node in the page takes the keyboard focus away from it: give it back.
    const focused = row.contains(document.activeElement) ? document.activeElement : null;
    let at;
    if (delta < 0 && previous) at = previous;
    else if (delta > 0 && next) at = subtreeOf(next).pop().nextElementSibling;
    else {
      announce(`${row.dataset.key} is already ${delta < 0 ? "first" : "last"}.`);
      return;
    }
    for (const r of block) list.insertBefore(r, at);
    focused?.focus();
    row.scrollIntoView({ block: "nearest" });
    commitMove(block, list, restoreBefore);
  }

  /* ---------- Folding ----------
   * A parent's disclosure button folds the rows under it (or ←/→ on the selected row). Which
   * parents are folded is remembered in this browser (localStorage, per product backlog), so
   * it survives reloads and new pages without changing the shared address. */

  const foldKey = () => "lodestar.backlog.folded:" + window.location.pathname;

  function foldedKeys() {
    try {
      return new Set(JSON.parse(window.localStorage.getItem(foldKey()) || "[]"));
    } catch {
      return new Set();
    }
  }

  function rememberFolded(key, folded) {
    const keys = foldedKeys();
    if (folded) keys.add(key);
    else keys.delete(key);
    try {
      window.localStorage.setItem(foldKey(), JSON.stringify(Array.from(keys)));
    } catch {
      // Storage is full or off: the fold still applies to this page.
    }
  }

  /* Show or hide the rows under each parent as the buttons say (a folded row inside an
   * unfolded one keeps its own rows hidden). */
  function applyFolding() {
    const hiddenBelow = [];
    for (const row of rows()) {
      const depth = depthOf(row);
      while (hiddenBelow.length && hiddenBelow[hiddenBelow.length - 1] >= depth) hiddenBelow.pop();
      row.hidden = hiddenBelow.length > 0;
      const toggle = row.querySelector("[data-tree-toggle]");
      if (toggle && toggle.getAttribute("aria-expanded") === "false") hiddenBelow.push(depth);
    }
    if (selectedKey && rowOf(selectedKey)?.hidden) selectedKey = null;
  }

  function restoreFolding() {
    const folded = foldedKeys();
    for (const toggle of document.querySelectorAll("#backlog-rows [data-tree-toggle]")) {
      const key = toggle.closest(".bl-row")?.dataset.key;
      toggle.setAttribute("aria-expanded", folded.has(key) ? "false" : "true");
    }
    applyFolding();
  }

  function fold(row, folded) {
    const toggle = row?.querySelector("[data-tree-toggle]");
    if (!toggle) return false;
    toggle.setAttribute("aria-expanded", folded ? "false" : "true");
    rememberFolded(row.dataset.key, folded);
    applyFolding();
    return true;
  }

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest?.("[data-tree-toggle]");
    if (!toggle) return;
    event.preventDefault();
    event.stopPropagation();
    const row = toggle.closest(".bl-row");
    fold(row, toggle.getAttribute("aria-expanded") === "true");
  }, true);

  /* Keep a row's place in the tree when the panel sends a fresh copy of it. */
  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const old = event.detail.target;
    const fresh = event.detail.fragment;
    if (!old?.classList?.contains("bl-row") || !(fresh instanceof Element)) return;
    for (const name of ["data-depth", "data-parent"]) {
      if (old.hasAttribute(name)) fresh.setAttribute(name, old.getAttribute(name));
    }
    fresh.hidden = old.hidden;
    const cell = fresh.querySelector(".bl-main-cell");
    const kept = old.querySelectorAll(".bl-main-cell > .bl-twisty, .bl-main-cell > .bl-twisty-space, .bl-main-cell > .bl-context");
    if (cell) cell.prepend(...Array.from(kept));
    if (depthOf(old) > 0) fresh.querySelector(".bl-parent")?.remove();
  });

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
    ["Fold or unfold the items under the selected one", ["←", "→"]],
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
    const arrow = { ArrowLeft: true, ArrowRight: false }[event.key];
    if (arrow !== undefined && onPage && selectedKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      if (fold(rowOf(selectedKey), arrow)) event.preventDefault();
      return;
    }
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
    if (rowList()) restoreFolding();
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

  /* A page restored from htmx's history keeps the filters' markup, not what was typed or
   * picked since: set each control back to what the address says, so the next filter change
   * asks for the list that is shown (the view, the search, every menu). */
  function filtersFromAddress() {
    const form = document.getElementById("bl-filters");
    if (!form) return;
    const params = new URL(window.location.href).searchParams;
    for (const field of form.elements) {
      if (!field.name) continue;
      const value = params.get(field.name) || "";
      if (field.type === "radio") field.checked = field.value === value;
      else if (field.type === "checkbox") field.checked = value !== "" && value !== "false";
      else if ("value" in field) field.value = value;
    }
  }

  // Back and forward restore an earlier list from htmx's history: it needs its drag handler,
  // and the panel and the filters show what that address says.
  document.addEventListener("htmx:historyRestore", () => {
    filtersFromAddress();
    openKey = null;
    initSortable();
    foldFilters();
    restoreFolding();
    followAddress();
    restoreChecked();
  });

  // A filter change puts a new address in the history: the open item stays in it.
  // Closing the panel then takes the item out of this address (going back would undo the
  // filter change too).
  document.addEventListener("htmx:pushedIntoHistory", () => {
    openedHere = false;
    if (openKey && !panelOf()?.hidden) showInAddress(openKey, "replace");
  });

  /* ---------- Filters: one "Filters" button on a phone ---------- */

  function foldFilters() {
    const form = document.getElementById("bl-filters");
    const toggle = form?.querySelector("[data-filters-toggle]");
    if (!form || !toggle) return;
    form.classList.toggle("is-folded", toggle.getAttribute("aria-expanded") !== "true");
    // Filters only: the search box shows itself, and how the list is shown (grouped, sorted,
    // its columns, a saved view) narrows nothing.
    const notFilters = new Set(["q", "group", "sort", "columns", "view", "item"]);
    const set = Array.from(form.elements).filter(
      (field) =>
        field.name &&
        field.type !== "hidden" &&
        !notFilters.has(field.name) &&
        (["checkbox", "radio"].includes(field.type) ? field.checked : field.value),
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
    restoreFolding();
    followAddress();
    addHelp();
    const list = document.getElementById("shortcut-list");
    if (list && layoutOf()) new MutationObserver(addHelp).observe(list, { childList: true });
  });
})();
