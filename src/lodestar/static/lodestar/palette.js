/* The command palette: Ctrl+K (Cmd+K on a Mac) on any workspace page.
 *
 * A dialog with a combobox and a listbox: type to find an item by key or by words of its title
 * (the server's palette endpoint, debounced), a page (the sidebar's entries and saved views,
 * and product backlogs), or an action on the open or selected item (change its status, assign
 * it to me, open it as a page, copy its link). Arrow keys choose, Enter runs, Escape closes.
 * Actions post to the same endpoints as the item's own forms.
 */
(function () {
  "use strict";

  const STATUSES = [
    ["new", "New"],
    ["ready", "Ready"],
    ["in_progress", "In progress"],
    ["done", "Done"],
    ["wont_do", "Won't do"],
  ];
  const DEBOUNCE_MS = 150;

  let options = [];
  let active = -1;
  let timer = 0;
  let asked = 0;
  let found = { items: [], pages: [] };
  // Enter pressed while the server is still asked runs the first answer when it comes.
  let waiting = false;
  let runWhenAnswered = false;
  let moved = false; // chosen with the arrows since the last keystroke: Enter runs that one

  const dialog = () => document.getElementById("palette");
  const input = () => document.getElementById("palette-input");
  const list = () => document.getElementById("palette-list");

  function flash(text, level) {
    window.Lodestar?.flash(text, level);
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch {
      return "";
    }
  }

  /* ---------- what the palette offers ---------- */

  // The open item (its panel or page), else the row selected in the backlog.
  function currentItem() {
    const view = document.getElementById("item-view");
    if (view?.dataset.key) {
      return {
        key: view.dataset.key,
        version: view.dataset.version,
        inPanel: view.classList.contains("in-panel"),
        view,
      };
    }
    const row = document.querySelector(".bl-row.is-selected");
    if (row?.dataset.key) return { key: row.dataset.key, version: row.dataset.version, row };
    return null;
  }

  function itemUrl(key) {
    return dialog().dataset.itemUrl.replace("__key__", encodeURIComponent(key));
  }

  function actionsFor(item) {
    if (!item) return [];
    const actions = [
      { label: `Open ${item.key} as a page`, run: () => window.location.assign(itemUrl(item.key)) },
      { label: `Copy the link to ${item.key}`, run: () => copyLink(item) },
    ];
    // Changes are offered to those who may make them (the server checks again).
    if (dialog().dataset.canEdit === "1") {
      const me = dialog().dataset.me;
      if (me) {
        actions.push({
          label: `Assign ${item.key} to me`,
          run: () => update(item, { assignee: me }, "assigned to you"),
        });
      }
      for (const [value, label] of STATUSES) {
        actions.push({
          label: `Set the status of ${item.key} to ${label}`,
          run: () => update(item, { status: value }, `status set to ${label}`),
        });
      }
    }
    return actions.map((action) => ({ ...action, group: "Actions", hint: "" }));
  }

  function sidebarPages() {
    const pages = [];
    document.querySelectorAll("#sidebar nav a[href]").forEach((link) => {
      const label = link.querySelector(".nav-sub-label")?.textContent || link.textContent;
      const hint = link.querySelector(".nav-sub-hint")?.textContent || "";
      pages.push({ label: label.trim(), hint: hint.trim(), url: link.getAttribute("href") });
    });
    return pages;
  }

  function matches(text, query) {
    const haystack = text.toLowerCase();
    return query
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .every((word) => haystack.includes(word));
  }

  function collect() {
    const query = input().value.trim();
    const actions = actionsFor(currentItem()).filter((a) => !query || matches(a.label, query));
    const items = found.items.map((item) => ({
      group: "Items",
      label: `${item.key} ${item.title}`,
      hint: item.status,
      run: () => window.location.assign(item.url),
    }));
    const seen = new Set();
    const pages = [...sidebarPages(), ...found.pages]
      .filter((page) => !query || matches(`${page.label} ${page.hint}`, query))
      .filter((page) => !seen.has(page.url) && seen.add(page.url))
      .map((page) => ({
        group: "Pages",
        label: page.label,
        hint: page.hint,
        run: () => window.location.assign(page.url),
      }));
    // What can be done to the open item leads (typed words narrow it to what they name).
    return [...actions, ...items, ...pages];
  }

  /* ---------- the listbox ---------- */

  function render() {
    options = collect();
    const box = list();
    box.replaceChildren();
    let group = null;
    let container = null;
    options.forEach((option, index) => {
      if (option.group !== group) {
        group = option.group;
        container = document.createElement("div");
        container.setAttribute("role", "group");
        const heading = document.createElement("div");
        heading.className = "palette-group";
        heading.setAttribute("aria-hidden", "true");
        heading.textContent = group;
        container.setAttribute("aria-label", group);
        container.appendChild(heading);
        box.appendChild(container);
      }
      const element = document.createElement("div");
      element.className = "palette-option";
      element.id = `palette-option-${index}`;
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      element.dataset.index = String(index);
      const label = document.createElement("span");
      label.className = "palette-label";
      label.textContent = option.label;
      element.appendChild(label);
      if (option.hint) {
        const hint = document.createElement("span");
        hint.className = "palette-hint";
        hint.textContent = option.hint;
        element.appendChild(hint);
      }
      container.appendChild(element);
    });
    const status = document.getElementById("palette-status");
    if (status) {
      status.textContent = options.length
        ? `${options.length} result${options.length === 1 ? "" : "s"}`
        : "Nothing matches.";
    }
    select(options.length ? 0 : -1);
  }

  function select(index) {
    active = index;
    list()
      .querySelectorAll("[role=option]")
      .forEach((element) => {
        const on = Number(element.dataset.index) === index;
        element.setAttribute("aria-selected", String(on));
        element.classList.toggle("is-active", on);
        if (on) element.scrollIntoView({ block: "nearest" });
      });
    input().setAttribute("aria-activedescendant", index >= 0 ? `palette-option-${index}` : "");
  }

  function runActive() {
    const option = options[active];
    if (!option) return;
    dialog().close();
    option.run();
  }

  /* ---------- the server ---------- */

  function search() {
    const query = input().value.trim();
    const ticket = ++asked;
    if (!query) {
      found = { items: [], pages: [] };
      answered();
      return;
    }
    const url = `${dialog().dataset.searchUrl}?${new URLSearchParams({ q: query })}`;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((body) => {
        if (ticket !== asked) return; // an answer to an older query
        found = body;
        answered();
      })
      .catch(() => {
        if (ticket !== asked) return;
        waiting = runWhenAnswered = false;
        flash("The search could not reach the server. Try again.", "error");
      });
  }

  function answered() {
    waiting = false;
    render();
    if (runWhenAnswered) {
      runWhenAnswered = false;
      runActive();
    }
  }

  function update(item, values, done) {
    const url = `${itemUrl(item.key)}/edit`;
    const body = { ...values, version: item.version };
    if (item.view && window.htmx) {
      if (item.inPanel) body.panel = "1";
      window.htmx
        .ajax("POST", url, { target: "#item-view", swap: "outerHTML", values: body })
        .then(() => {
          const errors = document.querySelector("#item-view [data-testid=errors], #item-view [data-testid=stale]");
          if (!errors) flash(`${item.key}: ${done}.`, "success");
        });
      return;
    }
    const form = new URLSearchParams(body);
    fetch(url, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    }).then((response) => {
      if (response.ok) {
        flash(`${item.key}: ${done}.`, "success");
        document.body.dispatchEvent(new CustomEvent("backlog-changed", { bubbles: true }));
      } else {
        flash(`${item.key} was not changed (it changed meanwhile, or you may not). Open it to see why.`, "error");
      }
    });
  }

  function copyLink(item) {
    const link = new URL(itemUrl(item.key), window.location.href).href;
    const copied = navigator.clipboard ? navigator.clipboard.writeText(link) : Promise.reject();
    copied.then(
      () => flash(`Copied the link to ${item.key}.`, "success"),
      () => flash(`The link to ${item.key}: ${link}`, "info"),
    );
  }

  /* ---------- opening, keys ---------- */

  function open() {
    const box = dialog();
    if (!box || box.open) return;
    input().value = "";
    found = { items: [], pages: [] };
    waiting = runWhenAnswered = false;
    box.showModal();
    render();
    input().focus();
  }

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
      if (!dialog()) return;
      event.preventDefault();
      if (dialog().open) dialog().close();
      else open();
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const box = dialog();
    if (!box) return;
    window.Lodestar?.shortcuts.register("Ctrl+K", "Open the command palette (Cmd+K on a Mac)", open);

    input().addEventListener("input", () => {
      window.clearTimeout(timer);
      waiting = true;
      moved = false;
      render(); // pages and actions narrow at once; items follow the server
      timer = window.setTimeout(search, DEBOUNCE_MS);
    });

    box.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!options.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        moved = true;
        select((active + step + options.length) % options.length);
      } else if (event.key === "Home" && event.ctrlKey) {
        select(options.length ? 0 : -1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (waiting && !moved) runWhenAnswered = true;
        else runActive();
      } else if (event.key !== "Escape") {
        return;
      }
      // The page's own shortcuts (the backlog's Escape, Enter, arrows) stay out of it.
      event.stopPropagation();
    });

    list().addEventListener("click", (event) => {
      const element = event.target.closest("[role=option]");
      if (!element) return;
      select(Number(element.dataset.index));
      runActive();
    });

    // A click on the backdrop (the dialog itself, outside its content) closes it.
    box.addEventListener("click", (event) => {
      if (event.target === box) box.close();
    });
  });
})();
