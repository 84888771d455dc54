/* Lodestar's page behaviour: htmx settings, keyboard shortcuts, navigation, flash messages.
 *
 * Other pages add their own shortcuts with
 *   Lodestar.shortcuts.register("c", "Create an item", () => ...)
 * and they appear in the "?" help dialog.
 */
(function () {
  "use strict";

  if (window.htmx) {
    // Refusals and bad input come back as fragments that explain themselves (a form with its
    // errors, or a flash message), so htmx swaps them instead of dropping them.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(400|403|404|409|412|422|429)", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  const flashIcons = { error: "i-alert", warning: "i-alert", success: "i-check" };

  function flash(text, level) {
    const region = document.getElementById("flash");
    if (!region) return;
    const box = document.createElement("div");
    const kind = level || "info";
    box.className = "flash flash-" + kind;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("aria-hidden", "true");
    const use = document.createElementNS(ns, "use");
    use.setAttribute("href", "#" + (flashIcons[kind] || "i-info"));
    svg.appendChild(use);
    const body = document.createElement("div");
    body.className = "flash-body";
    body.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-ghost btn-sm btn-icon";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    box.append(svg, body, close);
    region.appendChild(box);
    autoDismiss(box);
  }

  function autoDismiss(box) {
    // Successes fade on their own; errors and warnings stay until dismissed.
    if (box.classList.contains("flash-success") || box.classList.contains("flash-info")) {
      window.setTimeout(() => box.remove(), 6000);
    }
  }

  function initFlashes(root) {
    root.querySelectorAll(".flash").forEach(autoDismiss);
  }

  document.addEventListener("click", (event) => {
    const dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      dismiss.closest(".flash")?.remove();
      return;
    }
    const copy = event.target.closest("[data-copy]");
    if (copy) {
      const field = document.getElementById(copy.getAttribute("data-copy"));
      if (field) {
        field.select();
        navigator.clipboard?.writeText(field.value).then(
          () => flash("Copied to the clipboard.", "success"),
          () => flash("Press Ctrl+C to copy the selected link.", "info"),
        );
      }
      return;
    }
    if (event.target.closest("[data-shortcut-help]")) {
      toggleHelp();
      return;
    }
    const toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      const open = document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", String(open));
      if (open) document.querySelector("#sidebar a")?.focus();
      return;
    }
    if (document.body.classList.contains("nav-open") && !event.target.closest("#sidebar")) {
      closeNav();
    }
    // Close an open workspace switcher when clicking elsewhere.
    document.querySelectorAll("details.switcher[open]").forEach((details) => {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  });

  function closeNav() {
    document.body.classList.remove("nav-open");
    document.querySelector("[data-nav-toggle]")?.setAttribute("aria-expanded", "false");
  }

  document.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    flash(
      status === 404
        ? "That is no longer there (or you no longer have access). Reload the page."
        : "Something went wrong on the server. Reload the page and try again.",
      "error",
    );
  });
  document.addEventListener("htmx:sendError", () => {
    flash("The server could not be reached. Check your connection and try again.", "error");
  });
  document.addEventListener("htmx:afterSettle", (event) => initFlashes(event.target));

  // An image from another host that the workspace does not load (the Content-Security-Policy
  // refuses it) would show as a broken image: show a link to it instead, named by its alt text
  // and host, so a reader can still open it on purpose. Lodestar's own images are same-origin.
  function linkExternalImages(root) {
    if (document.body.dataset.externalImages === "1") return;
    const images = root.matches?.("img[src]") ? [root] : root.querySelectorAll("img[src]");
    images.forEach((img) => {
      let url;
      try {
        url = new URL(img.getAttribute("src"), window.location.href);
      } catch {
        return;
      }
      if (url.origin === window.location.origin || url.protocol === "data:") return;
      const link = document.createElement("a");
      link.href = url.href;
      link.className = "external-image";
      link.rel = "noopener noreferrer nofollow";
      link.target = "_blank";
      link.title = "An image on another site, which this workspace does not load. Open it in a new tab.";
      link.textContent = `${img.alt || "Image"} (${url.host})`;
      img.replaceWith(link);
    });
  }

  document.addEventListener("htmx:load", (event) => linkExternalImages(event.target));

  /* ---------- Keyboard shortcuts ---------- */

  const shortcuts = [];

  // A page's own shortcut takes the place of a shared one on the same keys (the backlog's "/"
  // searches the backlog, everywhere else it goes to the workspace's search).
  function register(keys, description, handler) {
    const sequence = keys.split(" ");
    const same = shortcuts.findIndex(
      (s) => s.keys.length === sequence.length && s.keys.every((k, i) => k === sequence[i]),
    );
    if (same >= 0) shortcuts.splice(same, 1);
    shortcuts.push({ keys: sequence, description, handler });
    renderHelp();
  }

  function navigateTo(selector) {
    return () => {
      const link = document.querySelector(selector);
      if (link) window.location.assign(link.href);
    };
  }

  function renderHelp() {
    const list = document.getElementById("shortcut-list");
    if (!list) return;
    list.replaceChildren();
    for (const shortcut of shortcuts) {
      const row = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = shortcut.description;
      const dd = document.createElement("dd");
      shortcut.keys.forEach((key, index) => {
        if (index > 0) {
          const then = document.createElement("span");
          then.className = "hint";
          then.textContent = "then";
          dd.appendChild(then);
        }
        const kbd = document.createElement("kbd");
        kbd.textContent = key;
        dd.appendChild(kbd);
      });
      row.append(dt, dd);
      list.appendChild(row);
    }
  }

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
    );
  }

  let pending = null;
  let pendingTimer = 0;

  // Enter in a field of a [data-enter-key] element sends it an "enter-key" event to trigger on
  // (hx-trigger="enter-key"): htmx's own event filters (keydown[key=='Enter']) are evaluated
  // code, which the Content-Security-Policy refuses.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !typing(event.target)) return;
    const owner = event.target.closest("[data-enter-key]");
    if (!owner) return;
    event.preventDefault();
    owner.dispatchEvent(new CustomEvent("enter-key", { bubbles: true }));
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeNav();
      document.querySelectorAll("details.switcher[open]").forEach((d) => d.removeAttribute("open"));
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]") && event.key !== "?") return;
    const key = event.key;
    const sequence = pending ? [pending, key] : [key];
    const match = shortcuts.find(
      (s) => s.keys.length === sequence.length && s.keys.every((k, i) => k === sequence[i]),
    );
    if (match) {
      event.preventDefault();
      pending = null;
      match.handler(event);
      return;
    }
    const starts = !pending && shortcuts.some((s) => s.keys.length > 1 && s.keys[0] === key);
    pending = starts ? key : null;
    window.clearTimeout(pendingTimer);
    if (pending) pendingTimer = window.setTimeout(() => (pending = null), 1200);
  });

  function toggleHelp() {
    const dialog = document.getElementById("shortcut-help");
    if (!dialog) return;
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  // "/": the search field of the search page, else the box in the sidebar, else (a narrow
  // screen, where the sidebar is folded away) the search page.
  function focusSearch() {
    const field = document.querySelector("[data-search-focus]");
    const box = document.getElementById("search-box");
    const target = field || box;
    if (!target) return;
    if (target.checkVisibility ? target.checkVisibility({ visibilityProperty: true }) : target.offsetParent) {
      target.focus();
      target.select();
    } else if (box && box.form) {
      window.location.assign(box.form.action);
    }
  }

  register("?", "Show keyboard shortcuts", toggleHelp);
  register("/", "Search this workspace", focusSearch);
  register("g h", "Go to the workspace home", navigateTo("[data-nav='home']"));
  register("g m", "Go to members", navigateTo("[data-nav='members']"));
  register("g t", "Go to teams", navigateTo("[data-nav='teams']"));
  register("g w", "Go to who does what", navigateTo("[data-nav='who']"));

  // A submit button with data-confirm asks before its form is sent (plain forms; htmx
  // requests use hx-confirm). An attribute, not an inline handler: the page's policy allows
  // no inline script.
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", () => {
    renderHelp();
    initFlashes(document);
    linkExternalImages(document.body);
  });

  window.Lodestar = { shortcuts: { register }, flash };
})();
