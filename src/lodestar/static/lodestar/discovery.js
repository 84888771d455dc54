/* The discovery pages' behaviour: the feedback inbox by keyboard (j/k, Enter, t, e), the "link
 * to a problem" dialog, and making an insight from a phrase selected in a piece of feedback.
 *
 * Offsets sent to the server are counted in Unicode code points of the text as the page shows
 * it, the way Python counts a string; JavaScript strings count UTF-16 units, so an emoji (two
 * units) would otherwise shift every offset after it.
 */
(function () {
  "use strict";

  const shortcuts = window.Lodestar?.shortcuts;

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
    );
  }

  /* ---------- The inbox ---------- */

  const inbox = () => document.querySelector("[data-inbox]");
  const rows = () => Array.from(inbox()?.querySelectorAll("[data-row]") || []);
  let selected = null;

  function select(row, focus) {
    rows().forEach((r) => r.classList.toggle("is-selected", r === row));
    selected = row;
    if (row && focus) {
      row.querySelector("[data-row-link]")?.focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function step(delta) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(selected);
    const next = index < 0 ? (delta > 0 ? 0 : all.length - 1) : index + delta;
    select(all[Math.max(0, Math.min(all.length - 1, next))], true);
  }

  function act(action) {
    const row = selected && selected.isConnected ? selected : null;
    if (!row) {
      window.Lodestar?.flash("Select a piece of feedback first: j and k move through the list.", "info");
      return;
    }
    row.querySelector(`[data-action="${action}"]`)?.click();
  }

  if (inbox() && shortcuts) {
    shortcuts.register("j", "Select the next feedback", () => step(1));
    shortcuts.register("k", "Select the previous feedback", () => step(-1));
    if (inbox().querySelector("[data-action]")) {
      shortcuts.register("t", "Triage the selected feedback", () => act("triage"));
      shortcuts.register("e", "Archive the selected feedback", () => act("archive"));
      shortcuts.register("l", "Link the selected feedback to a problem", () => act("link"));
    }
    const captureLink = document.querySelector(".page-actions a.btn-primary");
    if (captureLink) {
      shortcuts.register("c", "Capture feedback", () => window.location.assign(captureLink.href));
    }
  }

  document.addEventListener("focusin", (event) => {
    const row = event.target.closest?.("[data-inbox] [data-row]");
    if (row && row !== selected) select(row, false);
  });

  // Enter on a selected row whose link lost the focus still opens it (a focused link opens
  // itself, as links do).
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !inbox() || typing(event.target)) return;
    if (document.querySelector("dialog[open]") || event.target !== document.body) return;
    const link = selected?.isConnected && selected.querySelector("[data-row-link]");
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  // A row answered by the server: keep the keyboard where it was, or on the next row when the
  // answered one left the list (a line with an undo takes its place).
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.elt;
    if (!target?.closest?.("[data-inbox]")) return;
    const id = target.id;
    const fresh = id ? document.getElementById(id) : null;
    if (!fresh) return;
    if (fresh.matches("[data-row]")) {
      select(fresh, true);
      return;
    }
    let next = fresh.nextElementSibling;
    while (next && !next.matches("[data-row]")) next = next.nextElementSibling;
    if (!next) {
      const before = rows().filter(
        (r) => r.compareDocumentPosition(fresh) & Node.DOCUMENT_POSITION_FOLLOWING,
      );
      next = before[before.length - 1] || null;
    }
    if (next) select(next, true);
    else fresh.querySelector("button")?.focus();
  });

  function addHelp() {
    const list = document.getElementById("shortcut-list");
    if (!inbox() || !list || list.querySelector("[data-discovery-help]")) return;
    const row = document.createElement("div");
    row.setAttribute("data-discovery-help", "");
    const dt = document.createElement("dt");
    dt.textContent = "Open the selected feedback";
    const dd = document.createElement("dd");
    const kbd = document.createElement("kbd");
    kbd.textContent = "Enter";
    dd.appendChild(kbd);
    row.append(dt, dd);
    list.appendChild(row);
  }

  /* ---------- Link to a problem (the inbox's dialog) ---------- */

  document.addEventListener("click", (event) => {
    const opener = event.target.closest?.("[data-link-problem]");
    const dialog = document.getElementById("link-dialog");
    if (!opener || !dialog) return;
    event.preventDefault();
    const form = dialog.querySelector("[data-link-form]");
    form.action = opener.dataset.linkProblem;
    const summary = opener.closest("[data-row]")?.dataset.summary || "";
    dialog.querySelector("[data-link-summary]").textContent = summary ? `“${summary}”` : "";
    dialog.showModal();
    form.querySelector("input[list]")?.focus();
  });

  /* ---------- An insight from a selected phrase ---------- */

  const textRoot = () => document.querySelector("[data-feedback-text][data-selectable]");
  const pop = () => document.querySelector("[data-insight-pop]");
  const trigger = () => document.querySelector("[data-insight-trigger]");
  let span = null; // {start, end} in code points, whitespace trimmed

  function codePoints(text) {
    let count = 0;
    for (const _ of text) count += 1;
    return count;
  }

  // The code-point offset of (node, offset) from the start of root's text.
  function offsetOf(root, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(root);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  function selectedSpan(root) {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(root)) return null;
    const chars = Array.from(root.textContent);
    let start = root.contains(range.startContainer)
      ? offsetOf(root, range.startContainer, range.startOffset)
      : 0;
    let end = root.contains(range.endContainer)
      ? offsetOf(root, range.endContainer, range.endOffset)
      : chars.length;
    while (start < end && /\s/u.test(chars[start])) start += 1;
    while (end > start && /\s/u.test(chars[end - 1])) end -= 1;
    if (start >= end) return null;
    return { start, end, rect: range.getBoundingClientRect() };
  }

  function place(element, rect) {
    const width = element.offsetWidth || 200;
    const left = Math.max(12, Math.min(rect.left, window.innerWidth - width - 12));
    element.style.left = `${left + window.scrollX}px`;
    element.style.top = `${rect.bottom + window.scrollY + 8}px`;
  }

  function fillPop(start, end) {
    const box = pop();
    const root = textRoot();
    if (!box || !root) return;
    box.querySelector("input[name=start]").value = String(start);
    box.querySelector("input[name=end]").value = String(end);
    box.querySelector("[data-pop-quote]").textContent = Array.from(root.textContent)
      .slice(start, end)
      .join("");
  }

  function openPop() {
    const box = pop();
    if (!box || !span) return;
    fillPop(span.start, span.end);
    box.hidden = false;
    place(box, span.rect);
    trigger().hidden = true;
    box.querySelector("input[list]")?.focus();
  }

  function closePop() {
    const box = pop();
    if (box && !box.hidden) {
      box.hidden = true;
      return true;
    }
    return false;
  }

  let pending = 0;
  document.addEventListener("selectionchange", () => {
    const root = textRoot();
    if (!root) return;
    window.clearTimeout(pending);
    pending = window.setTimeout(() => {
      const found = selectedSpan(root);
      const button = trigger();
      if (!found) {
        if (button && !button.matches(":focus")) button.hidden = true;
        return;
      }
      span = found;
      if (!pop().hidden) return;
      button.hidden = false;
      place(button, found.rect);
    }, 120);
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest?.("[data-insight-trigger]")) {
      openPop();
      return;
    }
    if (event.target.closest?.("[data-pop-close]")) {
      closePop();
      textRoot()?.focus?.();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && closePop()) event.preventDefault();
  });

  /* ---------- A highlight and its insight light up together ---------- */

  function light(ids, on) {
    for (const id of ids) {
      document.getElementById(`insight-${id}`)?.classList.toggle("is-lit", on);
      document
        .querySelectorAll("[data-feedback-text] mark[data-insights]")
        .forEach((mark) => {
          if (mark.dataset.insights.split(" ").includes(id)) mark.classList.toggle("is-lit", on);
        });
    }
  }

  function litIds(target) {
    const mark = target.closest?.("[data-feedback-text] mark[data-insights]");
    if (mark) return mark.dataset.insights.split(" ");
    const item = target.closest?.(".dv-insight[id^='insight-']");
    return item ? [item.id.slice("insight-".length)] : [];
  }

  document.addEventListener("mouseover", (event) => light(litIds(event.target), true));
  document.addEventListener("mouseout", (event) => light(litIds(event.target), false));

  /* ---------- Capture: participants are for interviews ---------- */

  function showParticipants() {
    const source = document.querySelector(".dv-capture select[name=source]");
    const part = document.querySelector("[data-interview-only]");
    if (!source || !part) return;
    const typed = Array.from(part.querySelectorAll("input, textarea")).some((field) => field.value);
    part.hidden = source.value !== "interview" && !typed;
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches?.(".dv-capture select[name=source]")) showParticipants();
  });

  function init() {
    addHelp();
    showParticipants();
    // The popover and its button float above the page, placed in page coordinates.
    const box = pop();
    const button = trigger();
    if (box) document.body.appendChild(box);
    if (button) document.body.appendChild(button);
    // A refused insight comes back with the popover open: show what was selected again.
    if (box && !box.hidden) {
      const start = Number(box.querySelector("input[name=start]").value);
      const end = Number(box.querySelector("input[name=end]").value);
      fillPop(start, end);
      const rect = textRoot()?.getBoundingClientRect();
      if (rect) place(box, { left: rect.left, bottom: rect.top });
      box.querySelector(".has-error input")?.focus();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
