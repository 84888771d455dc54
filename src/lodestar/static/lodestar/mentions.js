/* @mentions in every Markdown field: typing "@" and a few letters in a textarea lists the
 * workspace's members (by handle or name) and teams (by slug) that match; arrows move, Enter or
 * Tab puts "@handle " in place of what was typed, Escape closes. The list comes from the page
 * URL in <body data-mentions="...">, which answers JSON:
 *   {"items": [{"handle": "diego", "name": "Diego Souza", "kind": "member"}, ...]}
 * A textarea opts out with data-mentions="off".
 */
(function () {
  "use strict";

  const source = document.body && document.body.dataset.mentions;
  if (!source) return;

  // "@" at the start or after a space or an opening bracket, then the handle's characters.
  const TOKEN = /(^|[\s([{])@([a-z0-9._-]{0,32})$/i;
  const cache = new Map();
  let counter = 0;

  function fetchMatches(query) {
    const key = query.toLowerCase();
    if (cache.has(key)) return Promise.resolve(cache.get(key));
    const url = source + (source.includes("?") ? "&" : "?") + "q=" + encodeURIComponent(key);
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.json() : { items: [] }))
      .then((body) => {
        const results = Array.isArray(body.items) ? body.items : [];
        cache.set(key, results);
        return results;
      })
      .catch(() => []);
  }

  function attach(area) {
    if (area.dataset.mentionsReady || area.dataset.mentions === "off") return;
    area.dataset.mentionsReady = "1";
    counter += 1;
    const listId = "mention-list-" + counter;
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People and teams to mention");
    list.hidden = true;
    const status = document.createElement("span");
    status.className = "sr-only";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    area.setAttribute("aria-autocomplete", "list");
    // No aria-expanded: a textarea (role textbox) does not take it; aria-controls and
    // aria-activedescendant tell where the choices are and which one is picked.
    area.setAttribute("aria-controls", listId);

    let matches = [];
    let active = -1;
    let token = null; // {start, end} of "@query" in the text
    let asked = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      matches = [];
      active = -1;
      token = null;
      area.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.from(list.children).forEach((option, i) => {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) area.setAttribute("aria-activedescendant", listId + "-" + index);
    }

    function pick(index) {
      const chosen = matches[index];
      if (!chosen || !token) return;
      const before = area.value.slice(0, token.start);
      const after = area.value.slice(token.end);
      const inserted = "@" + chosen.handle + " ";
      area.value = before + inserted + after;
      const caret = before.length + inserted.length;
      area.setSelectionRange(caret, caret);
      area.dispatchEvent(new Event("input", { bubbles: true }));
      close();
      area.focus();
    }

    function show(results) {
      matches = results;
      list.replaceChildren();
      results.forEach((match, index) => {
        const option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.dataset.testid = "mention-option";
        const handle = document.createElement("strong");
        handle.textContent = "@" + match.handle;
        const name = document.createElement("span");
        name.className = "muted";
        name.textContent = " " + match.name + (match.kind === "team" ? " (team)" : "");
        option.append(handle, name);
        // mousedown, not click: picking must happen before the textarea loses focus.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(index);
        });
        list.appendChild(option);
      });
      if (!results.length) {
        close();
        status.textContent = "";
        return;
      }
      list.hidden = false;
      highlight(0);
      status.textContent =
        results.length + (results.length === 1 ? " suggestion" : " suggestions") +
        ". Use the arrow keys, then Enter.";
    }

    area.addEventListener("input", () => {
      const caret = area.selectionStart;
      if (caret !== area.selectionEnd) return close();
      const found = TOKEN.exec(area.value.slice(0, caret));
      if (!found) return close();
      const query = found[2];
      token = { start: caret - query.length - 1, end: caret };
      const ticket = ++asked;
      fetchMatches(query).then((results) => {
        if (ticket === asked && token) show(results);
      });
    });

    area.addEventListener("keydown", (event) => {
      if (list.hidden || !matches.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % matches.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + matches.length) % matches.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        pick(active < 0 ? 0 : active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        close();
      }
    });

    area.addEventListener("blur", () => setTimeout(close, 150));
  }

  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("textarea").forEach(attach);
  }

  scan(document);
  // Forms that htmx swaps in (a panel, an edit form) get it too.
  document.body.addEventListener("htmx:load", (event) => scan(event.target));
})();
